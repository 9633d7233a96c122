#!/usr/bin/env python3
"""Writes the parameter lists in this folder from the model definitions in
Debian's python3-torchvision and python3-torch.

    /usr/bin/python3 bench/workloads/regenerate.py [--check]

resnet50, vgg16 and mobilenet_v2 are torchvision's; bert_base is BERT-base
(12 layers, width 768, 12 heads, vocabulary 30522) assembled from torch.nn's
TransformerEncoder, as torch ships no BERT. Each file lists every parameter
(name, shape, element type) in definition order. With --check, compares
instead of writing and fails on a difference.
"""

import argparse
import json
import os
import sys

import torch
import torchvision
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))


class BertBase(nn.Module):
    def __init__(self, vocab=30522, width=768, layers=12, heads=12, positions=512):
        super().__init__()
        self.word_embeddings = nn.Embedding(vocab, width)
        self.position_embeddings = nn.Embedding(positions, width)
        self.token_type_embeddings = nn.Embedding(2, width)
        self.embeddings_norm = nn.LayerNorm(width)
        layer = nn.TransformerEncoderLayer(width, heads, 4 * width)
        self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.pooler = nn.Linear(width, width)


MODELS = {
    "resnet50": torchvision.models.resnet50,
    "vgg16": torchvision.models.vgg16,
    "mobilenet_v2": torchvision.models.mobilenet_v2,
    "bert_base": BertBase,
}


def describe(name, model):
    dtypes = {torch.float32: "f32", torch.float16: "f16", torch.bfloat16: "bf16"}
    params = [{"name": n, "shape": list(p.shape), "dtype": dtypes[p.dtype]}
              for n, p in model.named_parameters()]
    return {
        "model": name,
        "source": f"torch {torch.__version__} / torchvision {torchvision.__version__}",
        "tensors": len(params),
        "elements": sum(p.numel() for p in model.parameters()),
        "params": params,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    differ = []
    for name, make in MODELS.items():
        model = make()
        text = json.dumps(describe(name, model), indent=1) + "\n"
        path = os.path.join(HERE, name + ".json")
        if args.check:
            with open(path) as f:
                old = json.load(f)
            new = json.loads(text)
            if old["params"] != new["params"]:
                differ.append(name)
            print(f"{name}: {'same' if name not in differ else 'DIFFERS'} "
                  f"({new['tensors']} tensors, {new['elements']} elements)")
        else:
            with open(path, "w") as f:
                f.write(text)
            print(f"wrote {path}")
    if differ:
        sys.exit(f"parameter lists differ from the models: {', '.join(differ)}")


if __name__ == "__main__":
    main()
