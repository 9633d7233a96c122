#!/usr/bin/python3
"""Scaling benchmark for replica-opt.

Generates modules with N in-replica all-reduces (default N = 2,000 and 20,000)
shaped like a real data-parallel training step, and times

  * `replica-opt FILE`                               (parse + verify + print)
  * `replica-opt -replica-decompose-structures FILE` (the same plus the pass)

and, on the module as it is after -replica-decompose-structures (written to a
file first, so both commands parse the same text),

  * `replica-opt DECOMPOSED`                            (parse + verify + print)
  * `replica-opt -replica-fuse-reductions DECOMPOSED`   (the same plus fusion)

reporting the median wall time over --repeat runs, the ratio fuse / parse+print
at each size (target: at most 3 at 20k) and the ratio of the largest size to
the smallest. With sizes 2000,20000 linear scaling gives a ratio of about 10.

Standard library only. Run with /usr/bin/python3.
"""

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
DEFAULT_OPT = os.path.join(REPO, "build", "bin", "replica-opt")
# Shapes of real model parameters (the repository's copy).
WORKLOAD_CANDIDATES = [os.path.join(HERE, "workloads", "resnet50.json")]

NREP = 2  # replicas

# Fallback when no workload file is found: a small mixed-shape parameter list.
FALLBACK_PARAMS = [
    {"name": "conv1.weight", "shape": [64, 3, 7, 7], "dtype": "f32"},
    {"name": "bn1.weight", "shape": [64], "dtype": "f32"},
    {"name": "bn1.bias", "shape": [64], "dtype": "f32"},
    {"name": "layer1.0.conv1.weight", "shape": [64, 64, 1, 1], "dtype": "f32"},
    {"name": "layer1.0.bn1.weight", "shape": [64], "dtype": "f32"},
    {"name": "layer1.0.bn1.bias", "shape": [64], "dtype": "f32"},
    {"name": "layer1.0.conv2.weight", "shape": [64, 64, 3, 3], "dtype": "f32"},
    {"name": "layer1.0.bn2.weight", "shape": [64], "dtype": "f32"},
    {"name": "layer1.0.bn2.bias", "shape": [64], "dtype": "f32"},
    {"name": "fc.weight", "shape": [1000, 2048], "dtype": "f32"},
    {"name": "fc.bias", "shape": [1000], "dtype": "f32"},
]


# --------------------------------------------------------------------------
# Workload: parameter list -> nested gradient structure
# --------------------------------------------------------------------------

def load_params():
    for path in WORKLOAD_CANDIDATES:
        if os.path.exists(path):
            with open(path) as f:
                data = json.load(f)
            params = data["params"] if isinstance(data, dict) else data
            return params, os.path.normpath(path)
    return FALLBACK_PARAMS, "built-in fallback list"


def tensor_type(p):
    dims = "x".join(str(d) for d in p["shape"])
    elt = p.get("dtype", "f32")
    return "tensor<%sx%s>" % (dims, elt) if dims else "tensor<%s>" % elt


def block_key(name):
    parts = name.split(".")
    if parts[0].startswith("layer") and len(parts) > 2:
        return ".".join(parts[:2])          # layer1.0, layer3.5, ...
    if parts[0] in ("fc", "classifier", "head"):
        return "head"
    return "stem"


def layer_key(name):
    return name.rsplit(".", 1)[0]           # layer1.0.conv1, bn1, fc, ...


def build_models(params, n):
    """Takes n leaves cyclically from params and returns a list of 'model
    replicas' (one per pass over the parameter list; the last one may be
    partial). Each model is a list of blocks, each block a list of layers,
    each layer a list of leaf tensor types: tuple<tuple<tuple<tensor...>>>.
    """
    models = []
    i = 0
    while i < n:
        take = min(len(params), n - i)
        blocks = []
        last_b = last_l = None
        for p in params[:take]:
            b, l = block_key(p["name"]), layer_key(p["name"])
            if b != last_b:
                blocks.append([])
                last_b, last_l = b, None
            if l != last_l:
                blocks[-1].append([])
                last_l = l
            blocks[-1][-1].append(tensor_type(p))
        models.append(blocks)
        i += take
    return models


# --------------------------------------------------------------------------
# IR generation
# --------------------------------------------------------------------------

def pr(t):
    return "!replica.per_replica<%d x %s>" % (NREP, t)


def tup(elts):
    return "tuple<%s>" % ", ".join(elts)


def model_types(model):
    """(local structure type, distributed structure type, block/layer types)."""
    layer_l = [[tup(layer) for layer in block] for block in model]
    layer_d = [[tup(pr(t) for t in layer) for layer in block] for block in model]
    block_l = [tup(ls) for ls in layer_l]
    block_d = [tup(ls) for ls in layer_d]
    return tup(block_l), tup(block_d), block_l, layer_l


def generate(models, fname="train_step"):
    """A training step in TF's shape: each replica's gradients arrive as a
    replica-major structure (one func argument per model and replica), they are
    regrouped into per-replica structures, the replicate body (TF's
    call_for_each_replica) all-reduces every gradient tensor and the per-replica
    loss, and replica 0's view of the result is returned."""
    out = []
    w = out.append
    info = [model_types(m) for m in models]
    M = len(models)

    args = []
    for m in range(M):
        for r in range(NREP):
            args.append("%%g%d_r%d: %s" % (m, r, info[m][0]))
    args.append("%%loss: %s" % pr("f32"))
    rets = [info[m][0] for m in range(M)] + ["f32"]
    w("module {")
    w("  func.func @%s(%s) -> (%s) {" % (fname, ", ".join(args), ", ".join(rets)))

    # replica-major structures -> structures of per-replica values
    for m in range(M):
        w("    %%d%d = replica.regroup %s : %s -> %s" % (
            m, ", ".join("%%g%d_r%d" % (m, r) for r in range(NREP)),
            info[m][0], info[m][1]))

    # call_for_each_replica
    bind = ["%%x%d = %%d%d" % (m, m) for m in range(M)] + ["%l = %loss"]
    dtys = [info[m][1] for m in range(M)] + [pr("f32")]
    w("    %%res:%d = replica.replicate<%d> (%s) : (%s) -> (%s) {" % (
        M + 1, NREP, ", ".join(bind), ", ".join(dtys), ", ".join(dtys)))
    count = 0
    for m, model in enumerate(models):
        mt, _, bts, lts = info[m]
        new_blocks = []
        for b, block in enumerate(model):
            bv = "%%x%d_b%d" % (m, b)
            w("      %s = replica.tuple_get %%x%d[%d] : %s -> %s" % (bv, m, b, mt, bts[b]))
            new_layers = []
            for l, layer in enumerate(block):
                lv = "%s_l%d" % (bv, l)
                w("      %s = replica.tuple_get %s[%d] : %s -> %s" % (lv, bv, l, bts[b], lts[b][l]))
                sums = []
                for k, t in enumerate(layer):
                    tv = "%s_t%d" % (lv, k)
                    w("      %s = replica.tuple_get %s[%d] : %s -> %s" % (tv, lv, k, lts[b][l], t))
                    sv = "%s_s%d" % (lv, k)
                    w("      %s = replica.all_reduce sum %s : %s" % (sv, tv, t))
                    sums.append(sv)
                    count += 1
                nl = "%s_new" % lv
                w("      %s = replica.tuple %s : %s" % (nl, ", ".join(sums), lts[b][l]))
                new_layers.append(nl)
            nb = "%s_new" % bv
            w("      %s = replica.tuple %s : %s" % (nb, ", ".join(new_layers), bts[b]))
            new_blocks.append(nb)
        w("      %%y%d = replica.tuple %s : %s" % (m, ", ".join(new_blocks), mt))
    w("      %lsum = replica.all_reduce mean %l : f32")
    w("      replica.yield %s : %s" % (
        ", ".join(["%%y%d" % m for m in range(M)] + ["%lsum"]),
        ", ".join([info[m][0] for m in range(M)] + ["f32"])))
    w("    }")

    # replica 0's view of the reduced gradients and loss
    for m in range(M):
        w("    %%v%d = replica.select_replica %%res#%d[0] : %s -> %s" % (
            m, m, info[m][1], info[m][0]))
    w("    %%vl = replica.select_replica %%res#%d[0] : %s -> f32" % (M, pr("f32")))
    w("    return %s : %s" % (
        ", ".join(["%%v%d" % m for m in range(M)] + ["%vl"]), ", ".join(rets)))
    w("  }")
    w("}")
    return "\n".join(out) + "\n", count


# --------------------------------------------------------------------------
# Running and timing
# --------------------------------------------------------------------------

def run_checked(cmd, what, capture=False):
    p = subprocess.run(cmd, stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
                       stderr=subprocess.PIPE, universal_newlines=True)
    if p.returncode != 0:
        sys.exit("FAIL: %s (exit %d): %s\n%s" % (what, p.returncode, " ".join(cmd),
                                                   p.stderr[-4000:]))
    return p.stdout


def check_module(opt, path, n):
    run_checked([opt, path, "-o", os.devnull], "module with %d all-reduces does not verify" % n)
    out = run_checked([opt, "-replica-decompose-structures", path], "decompose-structures", True)
    if "tuple<" in out:
        line = next(l for l in out.splitlines() if "tuple<" in l)
        sys.exit("FAIL: 'tuple<' remains after -replica-decompose-structures (size %d):\n  %s"
                 % (n, line[:300]))
    got = len(re.findall(r"replica\.all_reduce ", out))
    if got != n + 1:
        sys.exit("FAIL: expected %d all_reduce ops after decomposition (size %d), found %d"
                 % (n + 1, n, got))


def check_fusion(opt, path, n, tmpdir):
    """Runs the fusion pass once with a report; every all-reduce has to be a
    candidate and the N gradient all-reduces have to end up in packs.
    Returns (number of packs, number fused)."""
    report = os.path.join(tmpdir, "fuse_report_%d.json" % n)
    run_checked([opt, "-replica-fuse-reductions=report=%s" % report, path, "-o", os.devnull],
                "fuse-reductions (size %d)" % n)
    with open(report) as f:
        data = json.load(f)
    if data.get("candidates") != n + 1 or data.get("fused", 0) < n:
        sys.exit("FAIL: fuse-reductions report for size %d: %d candidates (expected %d), "
                 "%d fused (expected at least %d)" % (n, data.get("candidates", -1), n + 1,
                                                     data.get("fused", -1), n))
    return len(data.get("packs", [])), data["fused"]


def time_cmd(cmd, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        t1 = time.perf_counter()
        if p.returncode != 0:
            sys.exit("FAIL: %s\n%s" % (" ".join(cmd), p.stderr.decode()[-4000:]))
        times.append(t1 - t0)
    return statistics.median(times)


def pass_breakdown(opt, path, repeat, flag="-replica-decompose-structures",
                   name="ReplicaDecomposeStructuresPass"):
    """Median in-process times of the phases of a run of one pass, from
    -mlir-timing: (parser incl. verifier, pass, output)."""
    runs = []
    for _ in range(repeat):
        p = subprocess.run([opt, flag, path, "-o", os.devnull,
                            "-mlir-timing"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                           universal_newlines=True)
        phases = {}
        for line in p.stderr.splitlines():
            m = re.match(r"\s*([0-9.]+) \(\s*[0-9.]+%\)\s+(\S+)\s*$", line)
            if m:
                phases[m.group(2)] = float(m.group(1))
        runs.append(phases)
    def med(key):
        vals = [r[key] for r in runs if key in r]
        return statistics.median(vals) if vals else float("nan")
    return med("Parser"), med(name), med("Output")


def machine_line(opt):
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    cores = os.cpu_count()
    build = "unknown"
    cache = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(opt))), "CMakeCache.txt")
    try:
        with open(cache) as f:
            for line in f:
                if line.startswith("CMAKE_BUILD_TYPE:"):
                    build = line.split("=", 1)[1].strip() or "(empty)"
                    break
    except OSError:
        pass
    return "Machine: %s, %s cores, %s %s; replica-opt build type: %s" % (
        cpu, cores, platform.system(), platform.release(), build)


def fmt_table(rows, ratio):
    hdr = ("| all-reduces | module size | parse+verify+print (s) | decompose-structures (s) "
           "| in decompose: parse+verify / pass / print (s) |")
    sep = "|---:|---:|---:|---:|---:|"
    lines = [hdr, sep]
    for r in rows:
        lines.append("| %d | %.1f MB | %.3f | %.3f | %.3f / %.3f / %.3f |" % (
            r["n"], r["bytes"] / 1e6, r["parse"], r["decomp"], *r["phases"]))
    if ratio:
        lines.append("| **ratio %s** | %.1f | **%.1f** | **%.1f** | %.1f / %.1f / %.1f |" % ratio)
    return "\n".join(lines)


FUSE_TARGET = 3.0  # fuse-reductions run / parse+verify+print of the same module, at 20k


def fmt_fuse_table(rows, growth):
    hdr = ("| all-reduces | decomposed module | packs | parse+verify+print (s) "
           "| fuse-reductions (s) | fuse / parse+print | in fuse: parse+verify / pass / print (s) |")
    sep = "|---:|---:|---:|---:|---:|---:|---:|"
    lines = [hdr, sep]
    for r in rows:
        lines.append("| %d | %.1f MB | %d | %.3f | %.3f | **%.2f** | %.3f / %.3f / %.3f |" % (
            r["n"], r["dbytes"] / 1e6, r["packs"], r["dparse"], r["fuse"],
            r["fuse"] / r["dparse"], *r["fphases"]))
    if growth:
        lines.append("| **ratio %s** | %.1f | | **%.1f** | **%.1f** | | %.1f / %.1f / %.1f |"
                     % growth)
    return "\n".join(lines)


PIPELINES = ("cpu", "mpi", "nccl")


def produced_step(params, n):
    """A produced-gradient step (bench/allreduce_step.py --form produced)
    with n gradients, shapes taken cyclically from params. The whole
    pipelines are timed on this form: the structured module above returns
    every gradient, and the LLVM dialect returns N memrefs as one struct
    whose type each of its N insertvalues prints, so that module's textual
    output alone grows as N^2."""
    sys.path.insert(0, HERE)
    import allreduce_step
    grads = [dict(params[k % len(params)], name="g%d" % k, dtype="f32") for k in range(n)]
    text, _ = allreduce_step.generate_step_module(
        {"model": "synthetic-%d" % n, "params": grads}, NREP, 1, 1, "produced")
    return text


def pipeline_time(opt, path, pipeline, fuse, repeat):
    """Wall time of replica-lower-<pipeline> (defaults, or fuse=false)."""
    flag = "-replica-lower-to-%s" % pipeline
    if not fuse:
        flag += "=fuse=false"
    return time_cmd([opt, path, flag, "-o", os.devnull], repeat)


def pipeline_rows(opt, modules, pipelines, repeat):
    """(name, pipeline, fused s, unfused s) of every module and pipeline."""
    rows = []
    for name, path in modules:
        for pipeline in pipelines:
            fused = pipeline_time(opt, path, pipeline, True, repeat)
            unfused = pipeline_time(opt, path, pipeline, False, repeat)
            rows.append((name, pipeline, fused, unfused))
            print("  %-22s replica-lower-to-%-4s fused (defaults) %7.3f s, fuse=false %7.3f s, "
                  "ratio %.2f" % (name, pipeline, fused, unfused, fused / unfused))
            sys.stdout.flush()
    return rows


def fmt_pipeline_table(rows):
    lines = ["| module | pipeline | fused, defaults (s) | fuse=false (s) | fused / unfused |",
             "|---|---|---:|---:|---:|"]
    for name, pipeline, fused, unfused in rows:
        lines.append("| %s | replica-lower-to-%s | %.3f | %.3f | %.2f |"
                     % (name, pipeline, fused, unfused, fused / unfused))
    return "\n".join(lines)


def nccl_available(opt, tmpdir):
    """Whether replica-lower-to-nccl can compile here (CUDA's ptxas)."""
    path = os.path.join(tmpdir, "nccl_probe.mlir")
    with open(path, "w") as f:
        f.write("module {}\n")
    return subprocess.run([opt, path, "-replica-lower-to-nccl", "-o", os.devnull],
                          capture_output=True).returncode == 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--replica-opt", default=DEFAULT_OPT, help="path to replica-opt (default: %(default)s)")
    ap.add_argument("--sizes", default="2000,20000", help="comma-separated all-reduce counts (default: %(default)s)")
    ap.add_argument("--repeat", type=int, default=5, help="runs per measurement; the median is reported (default: %(default)s)")
    ap.add_argument("--out", help="also write the results as markdown to this file")
    ap.add_argument("--keep", metavar="DIR", help="write the generated modules to DIR and keep them")
    ap.add_argument("--models", default="mobilenet_v2,resnet50,bert_base,vgg16",
                    help="workloads whose produced step the whole pipelines lower (default: %(default)s)")
    args = ap.parse_args()

    opt = args.replica_opt
    if not (os.path.isfile(opt) and os.access(opt, os.X_OK)):
        sys.exit("FAIL: replica-opt not found or not executable: %s" % opt)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    if not sizes or any(s < 1 for s in sizes) or args.repeat < 1:
        sys.exit("FAIL: sizes and --repeat must be positive")

    params, src = load_params()
    tmpdir = args.keep or tempfile.mkdtemp(prefix="replica-bench-")
    os.makedirs(tmpdir, exist_ok=True)

    machine = machine_line(opt)
    header = [
        "replica-opt scaling benchmark, %s" % datetime.datetime.now().strftime("%Y-%m-%d %H:%M"),
        machine,
        "replica-opt: %s" % os.path.relpath(os.path.abspath(opt), REPO),
        "Workload: gradient shapes taken cyclically from %s (%d tensors), %d replicas, "
        "median of %d runs" % (os.path.relpath(src, REPO) if os.path.isabs(src) else src, len(params), NREP, args.repeat),
    ]
    for h in header:
        print(h)
    sys.stdout.flush()

    rows = []
    try:
        empty = os.path.join(tmpdir, "empty.mlir")
        with open(empty, "w") as f:
            f.write("module {}\n")
        startup = time_cmd([opt, empty, "-o", os.devnull], args.repeat)
        header.append("Process start-up (empty module): %.3f s, included in every wall time below"
                      % startup)
        print(header[-1])
        for n in sizes:
            models = build_models(params, n)
            text, count = generate(models)
            assert count == n, (count, n)
            path = os.path.join(tmpdir, "allreduce_%d.mlir" % n)
            with open(path, "w") as f:
                f.write(text)
            check_module(opt, path, n)
            dpath = os.path.join(tmpdir, "decomposed_%d.mlir" % n)
            run_checked([opt, "-replica-decompose-structures", path, "-o", dpath],
                        "decompose-structures to %s" % dpath)
            npacks, _ = check_fusion(opt, dpath, n, tmpdir)
            t_parse = time_cmd([opt, path, "-o", os.devnull], args.repeat)
            t_dec = time_cmd([opt, "-replica-decompose-structures", path, "-o", os.devnull], args.repeat)
            phases = pass_breakdown(opt, path, min(args.repeat, 3))
            t_dparse = time_cmd([opt, dpath, "-o", os.devnull], args.repeat)
            t_fuse = time_cmd([opt, "-replica-fuse-reductions", dpath, "-o", os.devnull],
                              args.repeat)
            fphases = pass_breakdown(opt, dpath, min(args.repeat, 3),
                                     "-replica-fuse-reductions", "ReplicaFuseReductionsPass")
            rows.append({"n": n, "bytes": len(text), "parse": t_parse, "decomp": t_dec,
                         "phases": phases, "dbytes": os.path.getsize(dpath),
                         "packs": npacks, "dparse": t_dparse, "fuse": t_fuse,
                         "fphases": fphases})
            print("  size %6d: %d model copies, %.1f MB, parse+verify+print %.3f s, "
                  "decompose %.3f s; decomposed %.1f MB: parse+verify+print %.3f s, "
                  "fuse-reductions %.3f s (%d packs), ratio %.2f"
                  % (n, len(models), len(text) / 1e6, t_parse, t_dec,
                     os.path.getsize(dpath) / 1e6, t_dparse, t_fuse, npacks,
                     t_fuse / t_dparse))
            sys.stdout.flush()
        # The whole pipelines, fusion on with defaults and off: each
        # workload's produced step (bench/allreduce_step.py --form produced)
        # and produced steps with the synthetic sizes.
        pipelines = [p for p in PIPELINES if p != "nccl" or nccl_available(opt, tmpdir)]
        modules = []
        for model in [m for m in args.models.split(",") if m]:
            path = os.path.join(tmpdir, "%s_produced.mlir" % model)
            with open(path, "w") as f:
                f.write(run_checked([sys.executable, os.path.join(HERE, "allreduce_step.py"),
                                     "--emit", model, "--form", "produced"],
                                    "generate %s" % model, capture=True))
            modules.append(("%s produced step" % model, path))
        print()
        print("Whole pipelines (%s), median of %d runs:" % (", ".join(pipelines), min(args.repeat, 3)))
        prows = pipeline_rows(opt, modules, pipelines, min(args.repeat, 3))
        synthetic = []
        for n in sizes:
            path = os.path.join(tmpdir, "produced_%d.mlir" % n)
            with open(path, "w") as f:
                f.write(produced_step(params, n))
            synthetic.append(("%d reductions, produced step" % n, path))
        prows += pipeline_rows(opt, synthetic, ["mpi"], min(args.repeat, 3))
    finally:
        if not args.keep:
            shutil.rmtree(tmpdir, ignore_errors=True)

    ratio = None
    if len(rows) >= 2:
        a, b = rows[0], rows[-1]
        ratio = ("%d/%d" % (b["n"], a["n"]), b["bytes"] / a["bytes"],
                 b["parse"] / a["parse"], b["decomp"] / a["decomp"],
                 *(y / x for x, y in zip(a["phases"], b["phases"])))
    growth = None
    if len(rows) >= 2:
        a, b = rows[0], rows[-1]
        growth = ("%d/%d" % (b["n"], a["n"]), b["dbytes"] / a["dbytes"],
                  b["dparse"] / a["dparse"], b["fuse"] / a["fuse"],
                  *(y / x for x, y in zip(a["fphases"], b["fphases"])))
    table = fmt_table(rows, ratio)
    fuse_table = fmt_fuse_table(rows, growth)
    print()
    print(table)
    print()
    print("replica-fuse-reductions on the module after -replica-decompose-structures "
          "(target: fuse / parse+print <= %.0f at 20000):" % FUSE_TARGET)
    print()
    print(fuse_table)
    if ratio:
        ideal = rows[-1]["n"] / rows[0]["n"]
        print()
        print("Linear scaling gives a ratio of about %.1f (the size ratio). The last column of "
              "each table is -mlir-timing's in-process breakdown of the run with the pass."
              % ideal)
        for name, r in (("parse+verify+print", ratio[2]), ("decompose-structures", ratio[3]),
                        ("fuse-reductions", growth[3])):
            if r > 2 * ideal:
                print("WARNING: %s scales superlinearly: ratio %.1f vs %.1f expected." % (name, r, ideal))
    for r in rows:
        if r["n"] >= 20000 and r["fuse"] / r["dparse"] > FUSE_TARGET:
            print("WARNING: fuse-reductions at %d takes %.2fx parse+verify+print of the same "
                  "module (target <= %.0fx)." % (r["n"], r["fuse"] / r["dparse"], FUSE_TARGET))

    print()
    print(fmt_pipeline_table(prows))
    synthetic = [r for r in prows if r[0].endswith("reductions, produced step")]
    growth_line = None
    if len(synthetic) >= 2:
        growth_line = ("replica-lower-to-mpi (defaults): %s takes %.2fx the time of %s "
                       "(linear: %.0fx; target at most %.0fx)"
                       % (synthetic[-1][0], synthetic[-1][2] / synthetic[0][2], synthetic[0][0],
                          sizes[-1] / sizes[0], 1.2 * sizes[-1] / sizes[0]))
        print()
        print(growth_line)

    if args.out:
        with open(args.out, "w") as f:
            f.write("# Compile time: replica-opt on thousands of reductions\n\n"
                    "Generated by `bench/scaling.py`; the command was\n\n"
                    "```sh\n/usr/bin/python3 bench/scaling.py %s\n```\n\n"
                    % " ".join(sys.argv[1:]))
            for h in header:
                f.write("- %s\n" % h)
            f.write("\n%s\n" % table)
            f.write("\nreplica-fuse-reductions on the module after -replica-decompose-structures:"
                    "\n\n%s\n" % fuse_table)
            f.write("\nWhole pipelines, fusion on with default options and off:\n\n%s\n"
                    % fmt_pipeline_table(prows))
            if growth_line:
                f.write("\n%s\n" % growth_line)


if __name__ == "__main__":
    main()
