#!/usr/bin/env python3
"""Trains a model with PyTorch (one process, the global batch) and with the
replica program replica_torch imports, run by replica-run; checks that the
losses and the final parameters agree.

Tolerances (f32): each printed loss within 1e-5 relative of PyTorch's, plus
half a unit in the sixth significant digit that `%g` printing keeps; each
final parameter within 1e-5 absolute + 1e-4 relative. The programs compute
the same arithmetic in another order (matmul loops, mean over replicas of
shard means instead of one mean, all-reduce summation order), so results
agree to rounding, amplified by the steps, not bit for bit.
"""

import argparse
import math
import subprocess
import sys

from replica_torch import examples, import_training_step, pytorch_training


def parse(output):
    losses, params = {}, {}
    for line in output.splitlines():
        if line.startswith("loss "):
            _, step, value = line.split()
            losses[int(step)] = float(value)
        elif line.startswith("param "):
            head, _, values = line.partition(":")
            params[int(head.split()[1])] = [float(v) for v in values.split()]
    return losses, params


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("model")
    parser.add_argument("--replica-run", required=True)
    parser.add_argument("--backend", default="cpu")
    parser.add_argument("--np", type=int, default=2, help="replicas (MPI ranks)")
    parser.add_argument("--steps", type=int, default=4)
    parser.add_argument("--lr", type=float, default=0.1)
    parser.add_argument("--momentum", type=float, default=0.0)
    parser.add_argument("--keep", help="write the imported program here")
    args = parser.parse_args()

    model, inputs, targets, loss = examples.make(args.model)
    text = import_training_step(model, inputs, targets, loss=loss, replicas=args.np,
                                steps=args.steps, lr=args.lr, momentum=args.momentum,
                                print_parameters=True)
    expected_losses, final = pytorch_training(
        model, inputs, targets, loss, args.steps, args.lr, args.momentum)
    expected_params = [p.reshape(-1).tolist() for p in final]

    program = args.keep or f"{args.model}.{args.backend}.{args.np}.mlir"
    with open(program, "w") as f:
        f.write(text)
    command = [args.replica_run, program, f"--backend={args.backend}", "--timeout=600"]
    if args.backend != "cpu":
        command.append(f"--np={args.np}")
    run = subprocess.run(command, capture_output=True, text=True)
    if run.returncode != 0:
        sys.exit(f"replica-run failed ({run.returncode}):\n{run.stdout}{run.stderr}")
    losses, params = parse(run.stdout)

    failures = 0
    for step, want in enumerate(expected_losses):
        got = losses.get(step)
        digit = 10.0 ** (math.floor(math.log10(abs(want))) - 5) if want else 0.0
        ok = got is not None and abs(got - want) <= 1e-5 * abs(want) + 0.5 * digit
        failures += not ok
        print(f"loss {step} {got} pytorch {want:.6g}{'' if ok else '  MISMATCH'}")
    worst = 0.0
    for index, want in enumerate(expected_params):
        got = params.get(index, [])
        if len(got) != len(want):
            failures += 1
            print(f"param {index}: {len(got)} values, PyTorch has {len(want)}  MISMATCH")
            continue
        for g, w in zip(got, want):
            error = abs(g - w) / (1e-5 + 1e-4 * abs(w))
            worst = max(worst, error)
            if error > 1:
                failures += 1
                print(f"param {index}: {g} against {w}  MISMATCH")
                break
    print(f"{args.model} on {args.backend} with {args.np} replicas: "
          f"{len(expected_losses)} losses, {len(expected_params)} parameters, "
          f"worst parameter error {worst:.2f} of the tolerance")
    if failures:
        sys.exit(f"{failures} mismatches against PyTorch")
    print("OK: matches PyTorch")


if __name__ == "__main__":
    main()
