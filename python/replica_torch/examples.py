"""Example models, with batches, that the importer is checked on
(test/Integration/Torch) and measured with (bench/imported_step.py, .ci/demo)."""

import math

import torch
from torch import nn


class MLP(nn.Sequential):
    def __init__(self):
        super().__init__(nn.Linear(12, 32), nn.ReLU(), nn.Linear(32, 32), nn.Tanh(),
                         nn.Linear(32, 5))


class Regressor(nn.Sequential):
    """MSE regression with sigmoid, GELU and dropout (p = 0)."""

    def __init__(self):
        super().__init__(nn.Linear(6, 16), nn.GELU(), nn.Dropout(0.0), nn.Linear(16, 3),
                         nn.Sigmoid())


class Block(nn.Module):
    """Pre-norm transformer block: causal-free multi-head attention and a
    GELU MLP, each with a residual."""

    def __init__(self, width, heads):
        super().__init__()
        self.heads = heads
        self.ln1 = nn.LayerNorm(width)
        self.qkv = nn.Linear(width, 3 * width)
        self.proj = nn.Linear(width, width)
        self.ln2 = nn.LayerNorm(width)
        self.fc1 = nn.Linear(width, 4 * width)
        self.fc2 = nn.Linear(4 * width, width)

    def forward(self, x):
        batch, length, width = x.shape
        q, k, v = self.qkv(self.ln1(x)).split(width, dim=2)
        head = width // self.heads

        def split_heads(t):
            return t.view(batch, length, self.heads, head).transpose(1, 2)

        q, k, v = split_heads(q), split_heads(k), split_heads(v)
        attention = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(head), dim=-1)
        y = (attention @ v).transpose(1, 2).reshape(batch, length, width)
        x = x + self.proj(y)
        return x + self.fc2(nn.functional.gelu(self.fc1(self.ln2(x))))


class TransformerBlock(nn.Module):
    """One block over embedded tokens, mean-pooled into a classifier."""

    def __init__(self, vocab=20, width=16, heads=2, classes=4):
        super().__init__()
        self.embed = nn.Embedding(vocab, width)
        self.block = Block(width, heads)
        self.head = nn.Linear(width, classes)

    def forward(self, tokens):
        return self.head(self.block(self.embed(tokens)).mean(dim=1))


class TinyLM(nn.Module):
    """A 6-layer transformer language model: next-token cross entropy over
    every position."""

    def __init__(self, vocab=32, width=32, heads=4, layers=6, positions=8):
        super().__init__()
        self.vocab = vocab
        self.embed = nn.Embedding(vocab, width)
        self.position = nn.Parameter(torch.randn(positions, width) * 0.02)
        self.blocks = nn.Sequential(*[Block(width, heads) for _ in range(layers)])
        self.norm = nn.LayerNorm(width)
        self.head = nn.Linear(width, vocab)

    def forward(self, tokens):
        x = self.embed(tokens) + self.position[: tokens.shape[1]]
        return self.head(self.norm(self.blocks(x))).view(-1, self.vocab)


class ConvNet(nn.Sequential):
    """Convolutions: not lowered yet, the importer's example of an op it
    refuses."""

    def __init__(self):
        super().__init__(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 6 * 6, 3))


NAMES = ("mlp", "regressor", "transformer_block", "tiny_lm", "lm", "convnet")


def make(name, batch=8):
    """(model, inputs, targets, loss) with a fixed seed."""
    torch.manual_seed(0)
    if name == "lm":
        # The benchmark's size: 4 layers of width 64, 32 positions.
        model = TinyLM(vocab=64, width=64, heads=4, layers=4, positions=32)
        tokens = torch.randint(0, 64, (batch, 33))
        return model, tokens[:, :32], tokens[:, 1:].contiguous(), "cross_entropy"
    if name == "mlp":
        return MLP(), torch.randn(batch, 12), torch.randint(0, 5, (batch,)), "cross_entropy"
    if name == "regressor":
        return Regressor(), torch.randn(batch, 6), torch.rand(batch, 3), "mse"
    if name == "transformer_block":
        return (TransformerBlock(), torch.randint(0, 20, (batch, 6)),
                torch.randint(0, 4, (batch,)), "cross_entropy")
    if name == "tiny_lm":
        tokens = torch.randint(0, 32, (batch, 9))
        return TinyLM(), tokens[:, :8], tokens[:, 1:].contiguous(), "cross_entropy"
    if name == "convnet":
        return ConvNet(), torch.randn(batch, 1, 8, 8), torch.randint(0, 3, (batch,)), "cross_entropy"
    raise ValueError(f"unknown model {name}")
