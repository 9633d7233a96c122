#!/usr/bin/python3
"""PyTorch DDP peer for the all-reduce benchmark: gloo on CPU, one machine.

Spawns --np processes (torch.multiprocessing, rendezvous through a file://
store in a temporary folder, backend gloo, CPU only, one intra-op and one
inter-op thread per process). Each builds a model whose parameters have
exactly the workload's shapes and dtypes, in definition order (an nn.Module
holding an nn.ParameterList), and wraps it in DistributedDataParallel
(bucket_cap_mb=25 by default, gradient_as_bucket_view=False).

A step is a trivially cheap forward/backward that gives every parameter a
gradient: loss = sum over parameters of (p * c).sum(), c a scalar that depends
on the step and the rank, so every gradient is the constant c. What is timed is
`loss.backward()`, during which DDP all-reduces the buckets (it waits for the
last one before backward returns). The same step under `model.no_sync()` does
no communication; the two alternate step by step (DDP, no_sync, no_sync, DDP,
...) so they share the machine's noise. comm_ms = step_ms - nosync_ms.
Gradients are zeroed in place between steps (zero_grad(set_to_none=False),
torch 1.13's default), outside the timed region; every step starts with a
barrier, also outside it. A step's time is the max over the ranks; a round's
value is the median over its timed steps; step_ms/nosync_ms are the medians
over the rounds.

Correctness is checked once per variant before timing: for three parameters
(first, largest, last) each rank's local gradient from a no_sync step is
all-reduced by hand and divided by the number of ranks, and the gradient DDP
produced for the same c has to match it (and the exact value mean(c)).

Stdout gets exactly one JSON line, from rank 0:

  {"model", "np", "params", "grad_bytes", "torch", "step_ms", "nosync_ms",
   "comm_ms", "rounds": [{"step_ms", "nosync_ms", "comm_ms"}, ...], ...}

for gradient_as_bucket_view=False, plus "variants": {"bucket_view": {...}}
with the same fields for gradient_as_bucket_view=True (omit with
--no-bucket-view). Everything else goes to stderr.

    /usr/bin/python3 bench/ddp_gloo.py --workload bench/workloads/resnet50.json \\
        --np 2 --warmup 3 --steps 20 [--rounds R]
"""

import argparse
import json
import math
import os
import shutil
import statistics
import sys
import tempfile
import time

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
import torch.nn as nn
from torch.nn.parallel import DistributedDataParallel as DDP

DTYPES = {
    "f16": torch.float16, "bf16": torch.bfloat16, "f32": torch.float32,
    "f64": torch.float64,
}


def log(msg):
    sys.stderr.write(msg + "\n")
    sys.stderr.flush()


def load_workload(path):
    if not os.path.exists(path):
        guess = os.path.join(os.path.dirname(os.path.abspath(__file__)), "workloads", path + ".json")
        if os.path.exists(guess):
            path = guess
    with open(path) as f:
        data = json.load(f)
    params = data["params"] if isinstance(data, dict) else data
    name = data.get("model") if isinstance(data, dict) else None
    name = name or os.path.splitext(os.path.basename(path))[0]
    for p in params:
        if p.get("dtype", "f32") not in DTYPES:
            raise SystemExit("FAIL: unsupported dtype %r for %s (gradients need a "
                             "floating-point type)" % (p.get("dtype"), p.get("name")))
    return name, params


class Params(nn.Module):
    """Parameters with the workload's shapes and dtypes, in definition order."""

    def __init__(self, params):
        super().__init__()
        self.ps = nn.ParameterList(
            nn.Parameter(torch.full(tuple(p["shape"]), 0.01,
                                    dtype=DTYPES[p.get("dtype", "f32")]))
            for p in params)

    def forward(self, c):
        loss = None
        for p in self.ps:
            term = (p * c).sum().to(torch.float32)
            loss = term if loss is None else loss + term
        return loss


def scale(rank, step):
    # Dyadic values: exact in every float type, and so is their mean over ranks.
    return 1.0 + 0.5 * rank + 0.25 * (step % 8)


def one_step(model, c, sync):
    """Zeroes the gradients, runs forward, times backward. Returns seconds."""
    model.zero_grad(set_to_none=False)
    dist.barrier()
    if sync:
        loss = model(c)
        t0 = time.perf_counter()
        loss.backward()
        t1 = time.perf_counter()
    else:
        with model.no_sync():
            loss = model(c)
            t0 = time.perf_counter()
            loss.backward()
            t1 = time.perf_counter()
    return t1 - t0


def check(model, rank, world, label):
    """A parameter's DDP gradient is the mean over ranks of the local ones."""
    ps = list(model.module.ps)
    pick = sorted({0, len(ps) - 1, max(range(len(ps)), key=lambda i: ps[i].numel())})
    c = scale(rank, 5)
    one_step(model, c, sync=False)
    local = [ps[i].grad.detach().clone() for i in pick]
    one_step(model, c, sync=True)
    expect_c = sum(scale(r, 5) for r in range(world)) / world
    bad = []
    for i, g in zip(pick, local):
        if not torch.all(g == c):
            bad.append("param %d: local gradient is not %g" % (i, c))
        ref = g.to(torch.float64)
        dist.all_reduce(ref)
        ref /= world
        got = ps[i].grad.detach().to(torch.float64)
        if not torch.allclose(got, ref, rtol=1e-6, atol=0.0):
            bad.append("param %d: DDP grad differs from mean of local grads by %g"
                       % (i, (got - ref).abs().max().item()))
        if not torch.all(got == expect_c):
            bad.append("param %d: DDP grad is not mean(c) = %g" % (i, expect_c))
    flag = torch.tensor([len(bad)], dtype=torch.int64)
    dist.all_reduce(flag)
    if bad:
        log("rank %d [%s]: %s" % (rank, label, "; ".join(bad)))
    if flag.item():
        raise RuntimeError("FAIL: DDP gradient check failed (%s)" % label)
    if rank == 0:
        log("[%s] gradient check passed: params %s, DDP grad == mean over %d ranks "
            "of local grads == %g" % (label, pick, world, expect_c))


def time_variant(model, rank, world, warmup, steps, rounds):
    out = []
    for r in range(rounds):
        for s in range(warmup):
            one_step(model, scale(rank, s), sync=True)
            one_step(model, scale(rank, s), sync=False)
        t_sync, t_nosync = [], []
        for s in range(steps):
            order = (True, False) if (s + r) % 2 == 0 else (False, True)
            for sync in order:
                t = one_step(model, scale(rank, s), sync)
                (t_sync if sync else t_nosync).append(t)
        # Max over ranks, step by step.
        both = torch.tensor(t_sync + t_nosync, dtype=torch.float64)
        dist.all_reduce(both, op=dist.ReduceOp.MAX)
        both = both.tolist()
        ms_sync = statistics.median(both[:steps]) * 1e3
        ms_nosync = statistics.median(both[steps:]) * 1e3
        out.append({"step_ms": round(ms_sync, 3), "nosync_ms": round(ms_nosync, 3),
                    "comm_ms": round(ms_sync - ms_nosync, 3)})
        if rank == 0:
            log("  round %d: DDP %.2f ms, no_sync %.2f ms, comm %.2f ms"
                % (r + 1, ms_sync, ms_nosync, ms_sync - ms_nosync))
    return out


def summary(rounds):
    step = statistics.median(x["step_ms"] for x in rounds)
    nosync = statistics.median(x["nosync_ms"] for x in rounds)
    return {"step_ms": round(step, 3), "nosync_ms": round(nosync, 3),
            "comm_ms": round(step - nosync, 3)}


def worker(rank, args, params, name, init):
    torch.set_num_threads(1)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass
    dist.init_process_group("gloo", init_method=init, rank=rank, world_size=args.np)
    world = args.np
    variants = [("default", False)] + ([] if args.no_bucket_view else [("bucket_view", True)])
    results = {}
    for label, as_view in variants:
        model = DDP(Params(params), bucket_cap_mb=args.bucket_cap_mb,
                    gradient_as_bucket_view=as_view)
        if rank == 0:
            log("[%s] gradient_as_bucket_view=%s, bucket_cap_mb=%g"
                % (label, as_view, args.bucket_cap_mb))
        check(model, rank, world, label)
        rounds = time_variant(model, rank, world, args.warmup, args.steps, args.rounds)
        results[label] = dict(summary(rounds), rounds=rounds)
        del model
    dist.barrier()
    if rank == 0:
        n = len(params)
        nbytes = sum(math.prod(p["shape"]) * torch.tensor([], dtype=DTYPES[p.get("dtype", "f32")])
                     .element_size() for p in params)
        d = results["default"]
        line = {"model": name, "np": world, "params": n, "grad_bytes": nbytes,
                "torch": torch.__version__, "step_ms": d["step_ms"],
                "nosync_ms": d["nosync_ms"], "comm_ms": d["comm_ms"],
                "rounds": d["rounds"], "warmup": args.warmup, "steps": args.steps,
                "bucket_cap_mb": args.bucket_cap_mb, "gradient_as_bucket_view": False,
                "timed": "loss.backward(), max over ranks, median over steps then rounds"}
        if "bucket_view" in results:
            line["variants"] = {"bucket_view": dict(results["bucket_view"],
                                                    gradient_as_bucket_view=True)}
        sys.stdout.write(json.dumps(line) + "\n")
        sys.stdout.flush()
    dist.destroy_process_group()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--workload", required=True, help="workload JSON (or a name in bench/workloads)")
    ap.add_argument("--np", type=int, default=2, help="processes (default %(default)s)")
    ap.add_argument("--warmup", type=int, default=3, help="untimed steps per round (default %(default)s)")
    ap.add_argument("--steps", type=int, default=20, help="timed steps per round and mode (default %(default)s)")
    ap.add_argument("--rounds", type=int, default=1, help="rounds per variant (default %(default)s)")
    ap.add_argument("--bucket-cap-mb", type=float, default=25)
    ap.add_argument("--no-bucket-view", action="store_true",
                    help="skip the gradient_as_bucket_view=True variant")
    args = ap.parse_args()
    if args.np < 1 or args.steps < 1 or args.warmup < 0 or args.rounds < 1:
        raise SystemExit("FAIL: --np, --steps, --rounds must be positive")

    name, params = load_workload(args.workload)
    # Single machine: keep gloo on loopback (the hostname may not resolve).
    os.environ.setdefault("GLOO_SOCKET_IFNAME", "lo")
    tmp = tempfile.mkdtemp(prefix="ddp-gloo-")
    try:
        init = "file://" + os.path.join(tmp, "store")
        log("%s: %d tensors, np=%d, torch %s, init %s"
            % (name, len(params), args.np, torch.__version__, init))
        mp.spawn(worker, args=(args, params, name, init), nprocs=args.np, join=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
