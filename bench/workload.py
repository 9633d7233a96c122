#!/usr/bin/env python3
"""Generates replica IR for the gradient step of a real model.

Reads a parameter list from bench/workloads/<model>.json (name, shape, dtype
in definition order) and writes a module with one function,
`@train_step`, that takes the per-replica gradients as a nest (parameter
names split on '.', each level a dict flattened with sorted keys, as
tf.nest does) and all-reduces every gradient inside a `replica.replicate`
body, TF's `strategy.run(step)` with one `all_reduce` per gradient.
"""

import argparse
import json
import os
import sys

WORKLOADS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "workloads")


def load(model_or_path):
    path = model_or_path
    if not os.path.exists(path):
        path = os.path.join(WORKLOADS, model_or_path + ".json")
    with open(path) as f:
        return json.load(f)


def tensor_type(param):
    dims = "".join(f"{d}x" for d in param["shape"])
    return f"tensor<{dims}{param['dtype']}>"


def build_nest(params):
    nest = {}
    for param in params:
        *path, leaf = param["name"].split(".")
        node = nest
        for key in path:
            node = node.setdefault(key, {})
        node[leaf] = param
    return nest


def is_leaf(node):
    return "shape" in node and "dtype" in node


def nest_type(node, leaf_type):
    if is_leaf(node):
        return leaf_type(node)
    return "tuple<" + ", ".join(nest_type(node[k], leaf_type)
                                for k in sorted(node)) + ">"


class Emitter:
    def __init__(self, kind):
        self.kind = kind
        self.lines = []
        self.next_id = 0

    def fresh(self):
        self.next_id += 1
        return f"%v{self.next_id}"

    def reduce_nest(self, node, value):
        """All-reduces every leaf of `value` and rebuilds the nest."""
        if is_leaf(node):
            result = self.fresh()
            self.lines.append(f"    {result} = replica.all_reduce {self.kind} "
                              f"{value} : {tensor_type(node)}")
            return result
        local = nest_type(node, tensor_type)
        children = []
        for index, key in enumerate(sorted(node)):
            child = node[key]
            element = self.fresh()
            self.lines.append(f"    {element} = replica.tuple_get {value}[{index}] "
                              f": {local} -> {nest_type(child, tensor_type)}")
            children.append(self.reduce_nest(child, element))
        result = self.fresh()
        self.lines.append(f"    {result} = replica.tuple {', '.join(children)} "
                          f": {local}")
        return result


def generate(workload, replicas, kind):
    nest = build_nest(workload["params"])
    local = nest_type(nest, tensor_type)
    distributed = nest_type(
        nest, lambda p: f"!replica.per_replica<{replicas} x {tensor_type(p)}>")
    emitter = Emitter(kind)
    result = emitter.reduce_nest(nest, "%g")
    count = len(workload["params"])
    elements = sum(_numel(p["shape"]) for p in workload["params"])
    header = [
        f"// Gradient step of {workload['model']}: {count} gradients, "
        f"{elements} elements, {replicas} replicas.",
        f"func.func @train_step(%grads: {distributed}) -> {distributed} {{",
        f"  %r = replica.replicate<{replicas}> (%g = %grads) : ({distributed}) "
        f"-> ({distributed}) {{",
    ]
    footer = [
        f"    replica.yield {result} : {local}",
        "  }",
        f"  return %r : {distributed}",
        "}",
    ]
    return "\n".join(header + emitter.lines + footer) + "\n"


def _numel(shape):
    n = 1
    for d in shape:
        n *= d
    return n


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("model", help="workload name (resnet50, ...) or JSON path")
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--kind", default="mean",
                        choices=["sum", "mean", "max", "min", "prod"])
    args = parser.parse_args()
    sys.stdout.write(generate(load(args.model), args.replicas, args.kind))


if __name__ == "__main__":
    main()
