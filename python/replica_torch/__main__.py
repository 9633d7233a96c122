"""Command line: imports one of replica_torch.examples' models.

    python3 -m replica_torch EXAMPLE [--replicas N] [--steps S] [--lr LR]
        [--momentum M] [--batch B] [--time-steps] [--print-parameters]
        [--pytorch] [-o FILE]

Writes the replica program (default stdout). With --pytorch, writes instead
the `loss <step> <value>` lines of PyTorch training the same model on the
same global batch in one process, for comparison. An op the importer cannot
lower ends the command with its NotImplementedError message and status 1.
"""

import argparse
import sys

from . import examples, import_training_step, pytorch_training


def main():
    parser = argparse.ArgumentParser(prog="python3 -m replica_torch",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("example", help="a model of replica_torch.examples: "
                        + ", ".join(examples.NAMES))
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--lr", type=float, default=0.1)
    parser.add_argument("--momentum", type=float, default=0.0)
    parser.add_argument("--batch", type=int, default=8, help="global batch (rows)")
    parser.add_argument("--time-steps", action="store_true")
    parser.add_argument("--print-parameters", action="store_true")
    parser.add_argument("--pytorch", action="store_true",
                        help="print PyTorch's losses instead of the program")
    parser.add_argument("-o", "--output", help="write here instead of stdout")
    args = parser.parse_args()

    model, inputs, targets, loss = examples.make(args.example, args.batch)
    try:
        if args.pytorch:
            losses, _ = pytorch_training(model, inputs, targets, loss, args.steps, args.lr,
                                         args.momentum)
            text = "".join(f"loss {step} {value:g}\n" for step, value in enumerate(losses))
        else:
            text = import_training_step(
                model, inputs, targets, loss=loss, replicas=args.replicas, steps=args.steps,
                lr=args.lr, momentum=args.momentum, print_parameters=args.print_parameters,
                time_steps=args.time_steps)
    except (NotImplementedError, ValueError) as error:
        sys.exit(f"{type(error).__name__}: {error}")
    if args.output:
        with open(args.output, "w") as f:
            f.write(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
