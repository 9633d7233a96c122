#!/usr/bin/env python3
"""Prints the replica program replica_torch imports for one of models.py's
models (or the error it raises)."""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import models  # noqa: E402
from replica_torch import import_training_step  # noqa: E402

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("model")
parser.add_argument("--replicas", type=int, default=2)
parser.add_argument("--steps", type=int, default=3)
parser.add_argument("--momentum", type=float, default=0.0)
args = parser.parse_args()
model, inputs, targets, loss = models.make(args.model)
try:
    print(import_training_step(model, inputs, targets, loss=loss, replicas=args.replicas,
                               steps=args.steps, momentum=args.momentum))
except (NotImplementedError, ValueError) as error:
    sys.exit(f"{type(error).__name__}: {error}")
