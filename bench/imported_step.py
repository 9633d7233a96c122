#!/usr/bin/python3
"""A PyTorch training step imported by replica_torch, against PyTorch DDP.

Same model (replica_torch.examples, default "lm": a 4-layer transformer
language model, width 64, 32 positions), same global batch, same SGD, same
number of ranks (2 by default), in one run on one machine:

- replica: the program import_training_step writes (with per-step times),
  compiled by replica-run's mpi pipeline with default options (packs) and
  with --fuse=false, run under mpirun;
- PyTorch DDP over gloo (torch.multiprocessing, one thread per process),
  default bucket size, each rank on its row shard.

Share in communication: 1 - compute / step, where compute is the same step
without its all-reduces: replica's program imported for 1 replica on one
shard (its all-reduces fold away), timed alone; for DDP, the same step on the
same shard by a plain copy of the model in each DDP process (no hooks, no
communication). Both include the time ranks wait for each other.

Each variant's value is the median over its timed steps, then the median over
--rounds rounds (variants alternate within a round). Compile time is
replica-opt -replica-lower-to-mpi on the imported program (fused, unfused).
Writes a markdown table (stdout, or --markdown FILE).

    /usr/bin/python3 bench/imported_step.py [--np 2] [--steps 20] [--rounds 3]
"""

import argparse
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch.nn.parallel import DistributedDataParallel as DDP

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "python"))
from replica_torch import LOSSES, examples, import_training_step  # noqa: E402


def replica_step_ms(tools, program, args, options):
    """Median step time (ms) of the timed steps, and the losses printed."""
    command = [os.path.join(tools, "replica-run"), program, "--timeout=900"] + args + options
    run = subprocess.run(command, capture_output=True, text=True)
    if run.returncode:
        sys.exit(f"{' '.join(command)} failed:\n{run.stdout}{run.stderr}")
    times = [float(t) for _, t in re.findall(r"^step_seconds (\d+) (\S+)$", run.stdout, re.M)]
    losses = [float(v) for v in re.findall(r"^loss \d+ (\S+)$", run.stdout, re.M)]
    return statistics.median(times[WARMUP:]) * 1e3, losses


def compile_seconds(tools, program, fuse):
    start = time.perf_counter()
    subprocess.run([os.path.join(tools, "replica-opt"), program,
                    f"-replica-lower-to-mpi=fuse={'true' if fuse else 'false'}",
                    "-o", os.devnull], check=True)
    return time.perf_counter() - start


def ddp_worker(rank, world, model_name, batch, steps, store, queue):
    torch.set_num_threads(1)
    torch.set_num_interop_threads(1)
    dist.init_process_group("gloo", init_method=f"file://{store}", rank=rank,
                            world_size=world)
    model, inputs, targets, loss = examples.make(model_name, batch)
    shard = batch // world
    x, y = inputs[rank * shard:(rank + 1) * shard], targets[rank * shard:(rank + 1) * shard]
    local = examples.make(model_name, batch)[0]
    ddp = DDP(model)
    variants = {"ddp": (ddp, torch.optim.SGD(ddp.parameters(), lr=0.1)),
                "local": (local, torch.optim.SGD(local.parameters(), lr=0.1))}
    timings = {"ddp": [], "local": []}
    losses = []
    for step in range(WARMUP + steps):
        for variant, (net, optimizer) in variants.items():
            dist.barrier()
            start = time.perf_counter()
            optimizer.zero_grad()
            value = LOSSES[loss](net(x), y)
            value.backward()
            optimizer.step()
            elapsed = torch.tensor([time.perf_counter() - start])
            dist.all_reduce(elapsed, op=dist.ReduceOp.MAX)
            if variant == "ddp":
                mean_loss = value.detach().clone()
                dist.all_reduce(mean_loss)
                losses.append(mean_loss.item() / world)
            if step >= WARMUP:
                timings[variant].append(elapsed.item())
    if rank == 0:
        queue.put({k: statistics.median(v) * 1e3 for k, v in timings.items()} | {"losses": losses})
    dist.destroy_process_group()


def ddp_step_ms(model_name, batch, world, steps):
    with tempfile.TemporaryDirectory() as folder:
        context = mp.get_context("spawn")
        queue = context.SimpleQueue()
        mp.start_processes(ddp_worker, args=(world, model_name, batch, steps,
                                             os.path.join(folder, "store"), queue),
                           nprocs=world, join=True, start_method="spawn")
        return queue.get()


WARMUP = 3


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="lm")
    parser.add_argument("--batch", type=int, default=16, help="global batch (rows)")
    parser.add_argument("--np", type=int, default=2)
    parser.add_argument("--steps", type=int, default=20, help="timed steps per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--tools", default=os.path.join(HERE, "..", "build", "bin"))
    parser.add_argument("--markdown", help="write the table here")
    args = parser.parse_args()

    model, inputs, targets, loss = examples.make(args.model, args.batch)
    shard = args.batch // args.np
    params = sum(p.numel() for p in model.parameters())
    tensors = len(list(model.parameters()))
    with tempfile.TemporaryDirectory() as folder:
        step = os.path.join(folder, "step.mlir")
        alone = os.path.join(folder, "alone.mlir")
        total = WARMUP + args.steps
        with open(step, "w") as f:
            f.write(import_training_step(model, inputs, targets, loss=loss, replicas=args.np,
                                         steps=total, time_steps=True))
        model, inputs, targets, loss = examples.make(args.model, args.batch)
        with open(alone, "w") as f:
            f.write(import_training_step(model, inputs[:shard], targets[:shard], loss=loss,
                                         replicas=1, steps=total, time_steps=True))
        mpi = ["--backend=mpi", f"--np={args.np}"]
        rounds = []
        for r in range(args.rounds):
            fused, fused_losses = replica_step_ms(args.tools, step, mpi, [])
            unfused, _ = replica_step_ms(args.tools, step, mpi, ["--fuse=false"])
            compute, _ = replica_step_ms(args.tools, alone, ["--backend=mpi", "--np=1"], [])
            ddp = ddp_step_ms(args.model, args.batch, args.np, args.steps)
            rounds.append({"fused": fused, "unfused": unfused, "compute": compute,
                           "ddp": ddp["ddp"], "ddp_compute": ddp["local"]})
            print(f"round {r}: " + ", ".join(f"{k} {v:.2f} ms" for k, v in rounds[-1].items()),
                  file=sys.stderr)
            losses = (fused_losses[0], ddp["losses"][0])
        compile_fused = min(compile_seconds(args.tools, step, True) for _ in range(3))
        compile_unfused = min(compile_seconds(args.tools, step, False) for _ in range(3))

    value = {k: statistics.median(r[k] for r in rounds) for k in rounds[0]}
    share = 1 - value["compute"] / value["fused"]
    ddp_share = 1 - value["ddp_compute"] / value["ddp"]
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                if line.startswith("model name")), platform.processor())
    lines = [
        "## Imported training step: replica against PyTorch DDP (gloo)",
        "",
        f"`bench/imported_step.py --np {args.np} --steps {args.steps} --rounds {args.rounds}`, "
        f"{os.cpu_count()} cores ({cpu}), torch {torch.__version__}. Model `{args.model}` "
        f"(replica_torch.examples): {tensors} parameter tensors, {params} parameters; "
        f"global batch {args.batch}, {args.np} ranks of {shard} rows; plain SGD. "
        f"First loss: replica {losses[0]:.6g}, PyTorch {losses[1]:.6g}.",
        "",
        "| | step (ms) | compute alone (ms) | share in communication | against DDP |",
        "|---|---:|---:|---:|---:|",
        f"| replica, defaults (packs) | {value['fused']:.2f} | {value['compute']:.2f} | "
        f"{share:.0%} | {value['fused'] / value['ddp']:.2f} |",
        f"| replica, `--fuse=false` | {value['unfused']:.2f} | {value['compute']:.2f} | "
        f"{1 - value['compute'] / value['unfused']:.0%} | {value['unfused'] / value['ddp']:.2f} |",
        f"| PyTorch DDP, gloo | {value['ddp']:.2f} | {value['ddp_compute']:.2f} | "
        f"{ddp_share:.0%} | 1.00 |",
        "",
        f"Compile time (replica-opt `-replica-lower-to-mpi`, best of 3): defaults "
        f"{compile_fused:.2f} s, `fuse=false` {compile_unfused:.2f} s.",
        "",
    ]
    text = "\n".join(lines)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(text)
    print(text)


if __name__ == "__main__":
    main()
