#!/usr/bin/python3
"""Fusion benchmark: replica's fused gradient all-reduce against its peers.

For every workload (bench/workloads/*.json: a model's parameter shapes), on
--np (2) MPI ranks of this machine, measures the time of a data-parallel
step that PRODUCES every gradient and all-reduces it (mean), for:

  fused-auto     replica-run STEP.mlir --backend=mpi --np=2
                 --cost-table=TABLE, TABLE from the `cost-table=` token of
                 the `options:` line of `replica-run --calibrate --backend=mpi
                 --np=2`, run once at the start (skipped, with a note, when
                 replica-run does not print or accept one)
  fused-default  the same with --bytes-per-pack=-1 instead (the mpi
                 pipeline's alpha-beta model, 10 us and 5 GB/s, not
                 replica-run's cached calibration)
  unfused        the same with --fuse=false (one all-reduce per gradient)
  contiguous     bench/mpi_baseline.cpp --mode contiguous: every gradient
                 written into its slice of one flat buffer, one MPI_Allreduce
  per-tensor     bench/mpi_baseline.cpp --mode per-tensor: one MPI_Allreduce
                 per gradient
  per-tensor-nb  the same with --nonblocking: every gradient's
                 MPI_Iallreduce started, then MPI_Waitall, as replica's
                 runtime launches a step's all-reduces (Open MPI's
                 nonblocking algorithms are faster for large messages here)
  buckets        bench/mpi_baseline.cpp --mode buckets: DDP's bucketing
                 (reverse order, 1 MiB first bucket, then 25 MiB), gradients
                 copied into each bucket, in-place MPI_Allreduce, copied out
  paired         not a column of its own: allreduce_step.py --form paired
                 run as fused-auto is (defaults without a table), unfused
                 and fused steps alternating in one run (ABBA); gives
                 fused's speed-up over unfused as the median of the
                 iterations' unfused/fused ratios, free of the run-to-run
                 changes of a VM that moves its vCPUs (which the separate
                 runs above see); and the same file with --fuse=false, where
                 the ratio is the method's noise
  ddp, ddp-view  bench/ddp_gloo.py: PyTorch DistributedDataParallel, gloo,
                 gradient_as_bucket_view False / True (when the script exists
                 and `import torch` works; otherwise "not run", with why)

STEP.mlir is allreduce_step.py's `--form produced` module: each step writes
gradient k with `linalg.fill` of (replica id + 1) + k + step into a
`tensor.empty`, then `replica.all_reduce mean`s it, then adds the first and
last element of every result to a checksum. The MPI peers do the same work
(fill every gradient, reduce, consume). Every program checks its results and
the script stops with FAIL if one is wrong. A step's time runs from one
step's start to the next (rtclock / steady_clock), max over the ranks;
warmup steps are excluded; a run gives the median of its steps.

Rounds interleave all variants of all models (the order reversed every
round) so drift affects all alike; a cell is the median over rounds. The
headline is fused-auto / best peer, the best peer being the fastest peer by
median. Also measured: this machine's memory bandwidth (bench/membw.cpp, copy
with 1 and 2 threads, best of several) and per model the memory-bandwidth
floor 5 x gradient bytes / bandwidth (2-thread copy).

Before timing, every fused variant is lowered once with replica-opt's
`-replica-lower-to-mpi` (the pipeline replica-run runs, same options) to
report its packs (the pass's report=) and whether the timed loop copies
gradients into a pack (memcpy between the step's rtclock calls).

Usage, from the repository root after building (all four workloads, 5
rounds; budget about an hour on 2 cores, most of it JIT compile time of the
fused programs):

    /usr/bin/python3 bench/fusion.py --out docs/benchmarks.md

A smoke run:

    /usr/bin/python3 bench/fusion.py --models mobilenet_v2 --rounds 1 \\
        --warmup 1 --steps 3
"""

import argparse
import datetime
import glob
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import allreduce_step as ars  # noqa: E402  (bench/allreduce_step.py)
import workload as workload_module  # noqa: E402  (bench/workload.py)

WORKLOADS = os.path.normpath(workload_module.WORKLOADS)

# name: (label, kind); kind replica or peer. The order is the table's.
VARIANTS = {
    "fused-auto": ("replica fused, auto (--cost-table)", "replica"),
    "fused-default": ("replica fused, defaults", "replica"),
    "unfused": ("replica unfused (--fuse=false)", "replica"),
    "contiguous": ("MPI contiguous (1 all-reduce)", "peer"),
    "per-tensor": ("MPI per-tensor", "peer"),
    "per-tensor-nb": ("MPI per-tensor, nonblocking", "peer"),
    "buckets": ("MPI DDP-style buckets", "peer"),
    "ddp": ("PyTorch DDP gloo", "peer"),
    "ddp-view": ("PyTorch DDP gloo, bucket view", "peer"),
}
# Peer variant: mpi_baseline's --mode and extra flags.
BASELINE_MODES = {"contiguous": ("contiguous", []),
                  "per-tensor": ("per-tensor", []),
                  "per-tensor-nb": ("per-tensor", ["--nonblocking"]),
                  "buckets": ("buckets", [])}
# Programs run per round; "ddp" yields ddp and ddp-view.
PROGRAMS = ("fused-auto", "fused-default", "unfused", "paired",
            "contiguous", "per-tensor", "per-tensor-nb", "buckets", "ddp")
COLORS = {"fused-auto": "#1f4e9c", "fused-default": "#5b8fd6",
          "unfused": "#a9c4ea", "contiguous": "#b35806",
          "per-tensor": "#f1a340", "per-tensor-nb": "#e08214",
          "buckets": "#fdd49e",
          "ddp": "#1b7837", "ddp-view": "#7fbf7b"}


def log(message=""):
    print(message, flush=True)


def fail(message):
    sys.exit(f"FAIL: {message}")


def run(cmd, timeout, env=None):
    """Runs cmd; returns (stdout, stderr, returncode, wall seconds)."""
    start = time.perf_counter()
    try:
        proc = subprocess.run(cmd, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True,
                              timeout=timeout, env=env)
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode() if isinstance(e.stdout, bytes) else e.stdout
        return out or "", f"timed out after {timeout} s", 124, timeout
    return proc.stdout, proc.stderr, proc.returncode, \
        time.perf_counter() - start


def must_run(cmd, timeout, env=None):
    out, err, rc, wall = run(cmd, timeout, env)
    if rc != 0:
        fail(f"{' '.join(cmd)} exited with {rc}\n{out[-2000:]}\n"
             f"{err[-2000:]}")
    return out, wall


def ms(seconds):
    return seconds * 1e3


def fmt(value, digits=2):
    return f"{value:.{digits}f}"


# ---------------------------------------------------------------------------
# Set-up: builds, calibration, machine
# ---------------------------------------------------------------------------

def build_cpp(mpicxx, source, target, cxx, extra=()):
    env = dict(os.environ)
    if cxx:
        env["OMPI_CXX"] = cxx
    cmd = [mpicxx, "-O2", "-std=c++17", *extra, source, "-o", target]
    out, err, rc, _ = run(cmd, 300, env)
    if rc != 0:
        fail(f"building {source}:\n{out}{err}")
    version = subprocess.run([mpicxx, "--version"], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True).stdout.splitlines()[0]
    return version


def transport_table(binary, mpirun, np):
    """Runs bench/transport.cpp on np ranks; returns markdown table lines."""
    cmd = [mpirun, "--allow-run-as-root", "--oversubscribe", "-np", str(np),
           binary]
    out, err, rc, _ = run(cmd, 900)
    if rc != 0:
        fail(f"`{' '.join(cmd)}` failed ({rc}):\n{out}{err}")
    gbps = {}
    for m in re.finditer(r"^transport (\S+) bytes (\d+) us \S+ gbps (\S+)$",
                         out, re.M):
        gbps[(int(m.group(2)), m.group(1))] = float(m.group(3))
    sizes = sorted({size for size, _ in gbps})

    def size_text(size):
        return (f"{size >> 20} MiB" if size >= 1 << 20
                else f"{size >> 10} KiB")
    lines = ["| bytes per rank | shm, shared result | shm, in place in "
             "the window | shm, on the heap | MPI_Allreduce | shared / MPI |",
             "|---:|---:|---:|---:|---:|---:|"]
    for size in sizes:
        shared, window, heap, mpi = (
            gbps.get((size, way))
            for way in ("shm-shared", "shm-window", "shm-heap", "mpi"))
        ratio = f"{shared / mpi:.2f}" if shared and mpi else "–"
        cells = [fmt(v) if v else "–" for v in (shared, window, heap, mpi)]
        lines.append(f"| {size_text(size)} | {' | '.join(cells)} | "
                     f"{ratio} |")
    return lines


def calibrate(replica_run, np):
    """Runs --calibrate; returns (full output, cost table or None, note)."""
    cmd = [replica_run, "--calibrate", "--backend=mpi", f"--np={np}"]
    out, err, rc, _ = run(cmd, 600)
    if rc != 0:
        return out + err, None, (f"`{' '.join(cmd)}` failed ({rc}); "
                                 "fused-auto not run")
    options = [line for line in out.splitlines()
               if line.startswith("options:")]
    if not options:
        return out, None, "--calibrate printed no `options:` line; " \
            "fused-auto not run"
    table = None
    for token in options[-1].split():
        if token.startswith("cost-table="):
            table = token[len("cost-table="):]
    if not table:
        return out, None, ("the `options:` line of --calibrate has no "
                           "cost-table= token (replica-run too old?); "
                           "fused-auto not run, fused-default is replica's "
                           "fused result")
    help_text = subprocess.run([replica_run, "--help-list-hidden"],
                               stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True).stdout
    if "--cost-table" not in help_text:
        return out, None, ("replica-run has no --cost-table option; "
                           "fused-auto not run")
    return out, table, None


def replica_build():
    """Compiler, LLVM and build type of the replica build (CMakeCache)."""
    found = {}
    try:
        with open(os.path.join(ROOT, "build", "CMakeCache.txt")) as f:
            for line in f:
                for key in ("CMAKE_CXX_COMPILER", "CMAKE_BUILD_TYPE",
                            "MLIR_DIR"):
                    if line.startswith(key + ":"):
                        found[key] = line.split("=", 1)[1].strip()
    except OSError:
        return "replica build configuration unknown"
    mlir = found.get("MLIR_DIR", "?")
    m = re.search(r"llvm-(\d+)", mlir)
    return (f"replica built with {found.get('CMAKE_CXX_COMPILER', '?')} "
            f"({found.get('CMAKE_BUILD_TYPE', '?')}) against "
            f"{'LLVM/MLIR ' + m.group(1) if m else mlir}")


def build_snapshot(replica_run):
    """Modification times of what the replica runs load: replica-run,
    replica-opt, the build's shared libraries they link (ldd) and the MPI
    runtime replica-run opens, to notice a rebuild during the run."""
    build = os.path.dirname(os.path.dirname(os.path.abspath(replica_run)))
    programs = [os.path.join(build, "bin", name)
                for name in ("replica-run", "replica-opt")]
    files = set(programs)
    files.add(os.path.join(build, "lib", "libreplica_mpi_runtime.so"))
    for program in programs:
        proc = subprocess.run(["ldd", program], stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True)
        for m in re.finditer(r"=> (\S+)", proc.stdout):
            path = os.path.realpath(m.group(1))
            if path.startswith(build + os.sep):
                files.add(path)
    snapshot = {}
    for path in files:
        try:
            snapshot[path] = os.path.getmtime(path)
        except OSError:
            snapshot[path] = None
    return snapshot


def ddp_status(script):
    """(True, None) when bench/ddp_gloo.py can run, else (False, why)."""
    if not os.path.exists(script):
        return False, f"{os.path.relpath(script, ROOT)} does not exist"
    proc = subprocess.run(["/usr/bin/python3", "-c", "import torch"],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True)
    if proc.returncode != 0:
        last = (proc.stdout.strip().splitlines() or ["?"])[-1]
        return False, f"`import torch` fails in /usr/bin/python3: {last}"
    return True, None


def memory_total():
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 2**20:.1f} GiB"
    return "?"


def membw(binary, mib, repeat):
    out, _ = must_run([binary, "--mib", str(mib), "--repeat", str(repeat),
                       "--threads", "2"], 600)
    result = {}
    for m in re.finditer(r"^membw (\w+) threads (\d+) gbps (\S+)$", out,
                         re.M):
        result[(m.group(1), int(m.group(2)))] = float(m.group(3))
    if ("copy", 2) not in result:
        fail(f"membw printed no 2-thread copy result:\n{out}")
    return result


# ---------------------------------------------------------------------------
# The pack inspection
# ---------------------------------------------------------------------------

def timed_loop_region(lowered):
    """The text between the first two rtclock calls of the lowered module:
    the body of the timed step loop."""
    calls = [m.start() for m in re.finditer(r"llvm\.call @rtclock\(", lowered)]
    if len(calls) < 2:
        return None
    return lowered[calls[0]:calls[1]]


def inspect_packs(replica_opt, module, table, build_dir, stem, variant,
                  timeout):
    """Lowers `module` as replica-run would for `variant`; returns a dict
    describing the packs and the copies in the timed loop."""
    report = os.path.join(build_dir, f"fusion_{stem}_{variant}_packs.json")
    lowered = os.path.join(build_dir, f"fusion_{stem}_{variant}.ll.mlir")
    options = [f"report={report}"]
    if variant == "fused-auto":
        options.append(f"cost-table={table}")
    elif variant == "unfused":
        options = ["fuse=false"]
    cmd = [replica_opt, module,
           f"-replica-lower-to-mpi={' '.join(options)}", "-o", lowered]
    out, err, rc, wall = run(cmd, timeout)
    if rc != 0:
        return {"error": f"replica-opt exited with {rc}: "
                         f"{(err or out)[-500:]}", "compile_s": wall}
    info = {"compile_s": wall}
    if variant != "unfused":
        with open(report) as f:
            rep = json.load(f)
        # The step's packs: mean f32; the epilogue's max packs are not timed.
        packs = [p for p in rep.get("packs", []) if p.get("kind") == "mean"]
        info.update({
            "packs": len(packs),
            "pack_bytes": [p["bytes"] for p in packs],
            "pack_members": [len(p.get("members", [])) for p in packs],
            "in_place": sum(1 for p in packs for m in p.get("members", [])
                            if m.get("in_place")),
            "copies_avoided": rep.get("copies_avoided"),
        })
    with open(lowered) as f:
        text = f.read()
    region = timed_loop_region(text)
    if region is None:
        info["loop"] = None
    else:
        info["loop"] = {
            "memcpy": region.count('"llvm.intr.memcpy"')
            + region.count("llvm.intr.memmove"),
            "memref_copy": region.count("@memrefCopy"),
            "all_reduce_calls": len(re.findall(
                r"llvm\.call @replica_mpi_all_reduce_", region)),
            "mallocs": len(re.findall(r"llvm\.call @malloc\(", region)),
        }
    return info


def human_bytes(n):
    if n >= 1e6:
        return f"{n / 1e6:.3g} MB"
    if n >= 1e3:
        return f"{n / 1e3:.3g} kB"
    return f"{n} B"


def describe_packs(info):
    if "error" in info:
        return f"lowering failed: {info['error']}"
    parts = []
    if "packs" in info:
        sizes = info["pack_bytes"]
        members = info["pack_members"]
        multi = sum(1 for m in members if m > 1)
        if len(sizes) == 1:
            shape = (f"1 pack of {sizes[0] / 1e6:.1f} MB holding all "
                     f"{members[0]} gradients")
        else:
            shape = (f"{len(sizes)} packs, {human_bytes(min(sizes))} to "
                     f"{human_bytes(max(sizes))}, {min(members)}–"
                     f"{max(members)} gradients each ({multi} with two or "
                     f"more, {len(sizes) - multi} single)")
        parts.append(f"{shape}; {info['in_place']} of {sum(members)} "
                     f"gradients computed straight into their pack slice "
                     f"(a single gradient is reduced where it is)")
    loop = info.get("loop")
    if loop:
        parts.append(f"timed loop of the lowered IR: "
                     f"{loop['all_reduce_calls']} all-reduce calls, "
                     f"{loop['mallocs']} mallocs, {loop['memcpy']} memcpy, "
                     f"{loop['memref_copy']} memrefCopy")
    parts.append(f"replica-opt lowering {info['compile_s']:.1f} s")
    return "; ".join(parts)


# ---------------------------------------------------------------------------
# The SVG chart
# ---------------------------------------------------------------------------

def svg_escape(text):
    return (text.replace("&", "&amp;").replace("<", "&lt;")
            .replace(">", "&gt;"))


def nice_ceiling(value):
    """A round axis maximum at or above value."""
    if value <= 0:
        return 1.0
    exponent = 10 ** int(f"{value:e}".split("e")[1])
    for step in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if step * exponent >= value:
            return step * exponent
    return 10 * exponent


def write_svg(path, models, title):
    """Small multiples: per model, one horizontal bar per variant (median
    ms/step, with the range of the round medians as a whisker), the
    bandwidth floor as a dashed line."""
    width, label_w, panel_gap, bar_h, bar_gap = 760, 250, 46, 16, 5
    plot_w = width - label_w - 90
    y = 40
    body = []
    for model in models:
        rows = [(v, model["cells"][v]) for v in VARIANTS
                if v in model["cells"]]
        if not rows:
            continue
        top = max([max(c["values"]) for _, c in rows] + [model["floor_ms"]])
        axis = nice_ceiling(top)
        scale = plot_w / axis
        body.append(f'<text x="10" y="{y}" font-weight="bold">'
                    f'{svg_escape(model["name"])}: {model["tensors"]} '
                    f'gradients, {model["bytes"] / 1e6:.1f} MB '
                    f'(ms per step, lower is better)</text>')
        y += 22
        y0 = y
        for variant, cell in rows:
            label = VARIANTS[variant][0]
            med = cell["median"]
            lo, hi = min(cell["values"]), max(cell["values"])
            cy = y + bar_h / 2
            body.append(f'<text x="{label_w - 8}" y="{cy + 4:.1f}" '
                        f'text-anchor="end">{svg_escape(label)}</text>')
            body.append(f'<rect x="{label_w}" y="{y}" '
                        f'width="{max(med * scale, 1):.1f}" height="{bar_h}" '
                        f'fill="{COLORS[variant]}"/>')
            if hi > lo:
                body.append(f'<line x1="{label_w + lo * scale:.1f}" '
                            f'y1="{cy:.1f}" x2="{label_w + hi * scale:.1f}" '
                            f'y2="{cy:.1f}" stroke="#222" '
                            f'stroke-width="1"/>')
            body.append(f'<text x="{label_w + max(med, hi) * scale + 5:.1f}" '
                        f'y="{cy + 4:.1f}">{med:.1f}</text>')
            y += bar_h + bar_gap
        # Floor and axis.
        fx = label_w + model["floor_ms"] * scale
        body.append(f'<line x1="{fx:.1f}" y1="{y0 - 14}" x2="{fx:.1f}" '
                    f'y2="{y}" stroke="#c00" stroke-dasharray="4,3"/>')
        body.append(f'<text x="{fx + 3:.1f}" y="{y0 - 5}" fill="#c00" '
                    f'font-size="10">bandwidth floor '
                    f'{model["floor_ms"]:.1f}</text>')
        body.append(f'<line x1="{label_w}" y1="{y}" x2="{label_w + plot_w}" '
                    f'y2="{y}" stroke="#888"/>')
        for i in range(6):
            value = axis * i / 5
            x = label_w + value * scale
            body.append(f'<line x1="{x:.1f}" y1="{y}" x2="{x:.1f}" '
                        f'y2="{y + 4}" stroke="#888"/>')
            body.append(f'<text x="{x:.1f}" y="{y + 15}" font-size="10" '
                        f'text-anchor="middle">{value:g}</text>')
        y += 20 + panel_gap
    height = y
    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" '
           f'height="{height}" viewBox="0 0 {width} {height}" '
           f'font-family="sans-serif" font-size="12">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="10" y="20" font-size="14" font-weight="bold">'
           f'{svg_escape(title)}</text>'] + body + ["</svg>"]
    with open(path, "w") as f:
        f.write("\n".join(svg) + "\n")


# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------

def main():
    parser = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", default="all",
                        help="comma-separated workload names or JSON paths "
                             "(default: every bench/workloads/*.json)")
    parser.add_argument("--variants", default=",".join(PROGRAMS),
                        help="comma-separated subset of "
                             f"{','.join(PROGRAMS)}")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--steps", type=int, default=20,
                        help="timed steps per run")
    parser.add_argument("--np", type=int, default=2, help="MPI ranks")
    parser.add_argument("--cost-table",
                        help="use this table for fused-auto instead of "
                             "running --calibrate")
    parser.add_argument("--bucket-mb", type=float, default=25,
                        help="bucket size of the buckets peer and DDP, "
                             "in MiB (DDP's bucket_cap_mb)")
    parser.add_argument("--membw-mib", type=int, default=512,
                        help="buffer size of the bandwidth probe")
    parser.add_argument("--no-inspect", action="store_true",
                        help="skip lowering the fused programs with "
                             "replica-opt to report their packs")
    parser.add_argument("--replica-run",
                        default=os.path.join(ROOT, "build", "bin",
                                             "replica-run"))
    parser.add_argument("--replica-opt",
                        default=os.path.join(ROOT, "build", "bin",
                                             "replica-opt"))
    parser.add_argument("--build-dir",
                        default=os.path.join(ROOT, "build", "bench"))
    parser.add_argument("--cxx", default=None,
                        help="compiler behind mpicxx (OMPI_CXX); default "
                             "clang++-22 when present")
    parser.add_argument("--max-busy", type=float, default=0.5,
                        help="wait before each run until fewer than this "
                             "many other processes are runnable")
    parser.add_argument("--max-wait", type=float, default=120,
                        help="seconds to wait for a quiet machine per run")
    parser.add_argument("--timeout", type=int, default=300,
                        help="seconds per run, after compilation")
    parser.add_argument("--compile-timeout", type=int, default=1200,
                        help="extra seconds a replica run may spend "
                             "compiling")
    parser.add_argument("--out", help="write the results as markdown, and "
                                      "the chart next to it (FILE without "
                                      ".md + -step.svg)")
    args = parser.parse_args()

    variants = [v for v in args.variants.split(",") if v]
    for v in variants:
        if v not in PROGRAMS:
            fail(f"unknown variant {v}; choose from {', '.join(PROGRAMS)}")
    if args.rounds < 1 or args.steps < 1 or args.warmup < 0:
        fail("--rounds and --steps must be positive, --warmup >= 0")

    mpirun, mpicxx = shutil.which("mpirun"), shutil.which("mpicxx")
    if not mpirun or not mpicxx:
        fail("mpirun and mpicxx are needed (openmpi-bin, libopenmpi-dev)")
    for tool in (args.replica_run, args.replica_opt):
        if not os.access(tool, os.X_OK):
            fail(f"{tool} not found; build the project")
    os.makedirs(args.build_dir, exist_ok=True)
    notes = []

    # 1. Programs: the MPI peers and the bandwidth probe.
    cxx = args.cxx or shutil.which("clang++-22")
    baseline = os.path.join(args.build_dir, "mpi_baseline")
    compiler = build_cpp(mpicxx, os.path.join(HERE, "mpi_baseline.cpp"),
                         baseline, cxx)
    probe = os.path.join(args.build_dir, "membw")
    build_cpp(mpicxx, os.path.join(HERE, "membw.cpp"), probe, cxx,
              ["-pthread"])
    runtime_dir = os.path.join(
        os.path.dirname(os.path.dirname(os.path.abspath(args.replica_run))),
        "lib")
    transport = os.path.join(args.build_dir, "transport")
    build_cpp(mpicxx, os.path.join(HERE, "transport.cpp"), transport, cxx,
              [f"-L{runtime_dir}", "-lreplica_mpi_runtime",
               f"-Wl,-rpath,{runtime_dir}"])
    ddp_script = os.path.join(HERE, "ddp_gloo.py")
    ddp_ok, ddp_why = (ddp_status(ddp_script) if "ddp" in variants
                       else (False, "not selected (--variants)"))
    if "ddp" in variants and not ddp_ok:
        notes.append(f"PyTorch DDP gloo not run: {ddp_why}")
        log(f"NOTE: PyTorch DDP gloo not run: {ddp_why}")
    if not ddp_ok and "ddp" in variants:
        variants.remove("ddp")

    # Every replica result must come from one build.
    snapshot = build_snapshot(args.replica_run)
    rebuilt = []

    # 2. Calibration (once).
    calibration, table = "", args.cost_table
    if "fused-auto" in variants and table is None:
        calibration, table, why = calibrate(args.replica_run, args.np)
        if why:
            notes.append(why)
            log(f"NOTE: {why}")
            variants.remove("fused-auto")
    elif "fused-auto" in variants:
        calibration = "(table given with --cost-table)"

    # 3. The workloads.
    names = args.models.split(",") if args.models != "all" else sorted(
        os.path.splitext(os.path.basename(p))[0]
        for p in glob.glob(os.path.join(WORKLOADS, "*.json")))
    models = []
    for name in names:
        path = name if os.path.exists(name) else os.path.join(
            WORKLOADS, name + ".json")
        wl = workload_module.load(path)
        stem = wl["model"]
        module = os.path.join(args.build_dir, f"fusion_{stem}.mlir")
        text, expected = ars.generate_step_module(
            wl, args.np, args.warmup, args.steps, "produced")
        with open(module, "w") as f:
            f.write(text)
        paired = os.path.join(args.build_dir, f"fusion_{stem}_paired.mlir")
        text, paired_expected = ars.generate_step_module(
            wl, args.np, args.warmup, args.steps, "paired")
        with open(paired, "w") as f:
            f.write(text)
        sizes = {"f32": 4, "f64": 8}
        nbytes = sum(ars._numel(p["shape"]) * sizes[p["dtype"]]
                     for p in wl["params"])
        models.append({"name": stem, "path": path, "module": module,
                       "expected": expected, "paired_module": paired,
                       "paired_expected": paired_expected, "paired": [],
                       "paired-off": [],
                       "tensors": len(wl["params"]),
                       "bytes": nbytes, "runs": {}, "walls": {},
                       "layout": {}, "ddp_comm": [], "packs": {}})

    # 4. Machine and bandwidth.
    info = ars.machine_info(baseline, mpirun, args.build_dir)
    started = datetime.datetime.now()
    bw_runs = [membw(probe, args.membw_mib, 8)]
    header = [
        f"replica fusion benchmark, {started:%Y-%m-%d %H:%M}",
        f"Machine: {info['cpu']}, {info['cores']} cores, "
        f"{memory_total()} memory, Linux {info['kernel']}; {info['mpi']}; "
        f"transport: {info['transport']}",
        f"replica: {ars.build_info(args.replica_run)}; {replica_build()}",
        f"Peers built with mpicxx -O2 ({compiler})",
        f"{args.np} ranks; {args.rounds} interleaved rounds, "
        f"{args.warmup} warmup + {args.steps} timed steps per run; step "
        f"time = max over ranks, median over a run's steps, median over "
        f"rounds",
        f"Load average at start: {ars.loadavg()}",
    ]
    for line in header:
        log(line)
    if calibration:
        log("Calibration (replica-run --calibrate --backend=mpi "
            f"--np={args.np}):")
        log(calibration.rstrip())

    # The raw transport, once.
    log(f"transport: bench/transport.cpp on {args.np} ranks ...")
    transport_lines = transport_table(transport, mpirun, args.np)
    for line in transport_lines:
        log(line)

    # 5. Packs (once per model and fused variant).
    if not args.no_inspect:
        for model in models:
            for variant in ("fused-auto", "fused-default", "unfused"):
                if variant not in variants:
                    continue
                log(f"lowering {model['name']} {variant} with replica-opt "
                    f"(pack report) ...")
                model["packs"][variant] = inspect_packs(
                    args.replica_opt, model["module"], table, args.build_dir,
                    model["name"], variant,
                    args.timeout + args.compile_timeout)
                log(f"  {describe_packs(model['packs'][variant])}")

    # 6. The rounds.
    def check_result(program, model, out, label="", expected=None):
        steps, checks = ars.parse_output(out, label)
        if len(steps) != args.steps:
            fail(f"{program} on {model['name']} printed {len(steps)} step "
                 f"times, expected {args.steps}:\n{out[-2000:]}")
        expected = expected or model["expected"]
        check, error = checks["check"], checks["check_max_error"]
        if check is None or error is None or error != 0 or \
                abs(check - expected) > 1e-5 * expected:
            fail(f"{program} on {model['name']}: check {check}, max error "
                 f"{error}; expected {expected}, error 0")
        return steps

    def run_replica(model, variant):
        paired = variant.startswith("paired")
        module = model["paired_module" if paired else "module"]
        cmd = [args.replica_run, module, "--backend=mpi",
               f"--np={args.np}", f"--timeout={args.timeout}"]
        if variant == "fused-auto" or (variant == "paired" and table):
            cmd.append(f"--cost-table={table}")
        elif variant in ("fused-default", "paired"):
            # Given explicitly, the default keeps replica-run from packing by
            # its cached calibration.
            cmd.append("--bytes-per-pack=-1")
        elif variant in ("unfused", "paired-off"):
            cmd.append("--fuse=false")
        out, wall = must_run(cmd, args.timeout + args.compile_timeout)
        if paired:
            unfused, fused = (check_result(variant, model, out, label,
                                           model["paired_expected"])
                              for label in ("_unfused", "_fused"))
            return [u / f for u, f in zip(unfused, fused)], wall
        return {variant: statistics.median(check_result(variant, model,
                                                        out))}, wall

    def run_peer(model, variant):
        mode, flags = BASELINE_MODES[variant]
        cmd = [mpirun, "--allow-run-as-root", "--oversubscribe", "-np",
               str(args.np), baseline, model["path"], "--mode", mode,
               *flags, "--warmup", str(args.warmup), "--steps",
               str(args.steps), "--bucket-bytes",
               str(int(args.bucket_mb * 2**20))]
        out, wall = must_run(cmd, args.timeout)
        layout = re.search(r"^mode \S+ allreduces_per_step (\d+) "
                           r"largest_allreduce_bytes (\d+)$", out, re.M)
        buckets = re.search(r"^bucket_bytes (\S+)$", out, re.M)
        model["layout"][variant] = {
            "allreduces": int(layout.group(1)) if layout else None,
            "largest": int(layout.group(2)) if layout else None,
            "buckets": [int(b) for b in buckets.group(1).split(",")]
            if buckets else None}
        return {variant: statistics.median(check_result(variant, model,
                                                        out))}, wall

    def run_ddp(model):
        cmd = ["/usr/bin/python3", ddp_script, "--workload", model["path"],
               "--np", str(args.np), "--warmup", str(args.warmup),
               "--steps", str(args.steps), "--rounds", "1",
               "--bucket-cap-mb", f"{args.bucket_mb:g}"]
        out, err, rc, wall = run(cmd, args.timeout * 3)
        lines = [line for line in out.splitlines()
                 if line.startswith("{")]
        if rc != 0 or not lines:
            return None, wall, (f"bench/ddp_gloo.py failed on "
                                f"{model['name']} (exit {rc}): "
                                f"{(err or out).strip()[-300:]}")
        result = json.loads(lines[-1])

        def step_of(entry):
            value = entry["step_ms"]
            if isinstance(value, list):
                value = statistics.median(value)
            return value / 1e3

        values = {"ddp": step_of(result)}
        view = result.get("variants", {}).get("bucket_view")
        if view:
            values["ddp-view"] = step_of(view)
        if "comm_ms" in result:
            model["ddp_comm"].append(result["comm_ms"])
        return values, wall, None

    if args.rounds < 3 or args.steps < 10:
        notes.append(f"smoke settings ({args.rounds} round(s), "
                     f"{args.steps} timed steps): a check that everything "
                     "runs, not a measurement; the full run is "
                     "`/usr/bin/python3 bench/fusion.py --out "
                     "docs/benchmarks.md`")
    busy_seen = []
    timed_runs = 0
    for rnd in range(args.rounds):
        for model in models:
            order = list(variants)
            if rnd % 2:
                order.reverse()
            for program in order:
                if program == "ddp" and not ddp_ok:
                    continue
                busy_seen.append(ars.wait_for_quiet(args.max_busy,
                                                    args.max_wait, log))
                now_snapshot = build_snapshot(args.replica_run)
                if now_snapshot != snapshot:
                    changed = sorted(os.path.basename(p) for p in
                                     set(snapshot) | set(now_snapshot)
                                     if snapshot.get(p) !=
                                     now_snapshot.get(p))
                    rebuilt.append((timed_runs, f"before round {rnd + 1} "
                                    f"{model['name']} {program}: "
                                    f"{', '.join(changed)}"))
                    log(f"WARNING: the replica build changed during the run "
                        f"({rebuilt[-1][1]})")
                    snapshot = now_snapshot
                if program in BASELINE_MODES:
                    values, wall = run_peer(model, program)
                elif program == "ddp":
                    values, wall, why = run_ddp(model)
                    if values is None:
                        ddp_ok = False
                        notes.append(why)
                        log(f"NOTE: {why}; DDP dropped")
                        for key in ("ddp", "ddp-view"):
                            for m in models:
                                m["runs"].pop(key, None)
                        continue
                elif program == "paired":
                    for key in ("paired", "paired-off"):
                        ratios, wall = run_replica(model, key)
                        model[key].append(statistics.median(ratios))
                        timed_runs += 1
                        log(f"  round {rnd + 1} {model['name']:>13} "
                            f"{key:>13}: unfused/fused "
                            f"{model[key][-1]:.3f} (median of "
                            f"{len(ratios)} iterations; run {wall:.1f} s)")
                    continue
                else:
                    values, wall = run_replica(model, program)
                timed_runs += 1
                for key, value in values.items():
                    model["runs"].setdefault(key, []).append(value)
                    model["walls"].setdefault(key, []).append(wall)
                    log(f"  round {rnd + 1} {model['name']:>13} "
                        f"{key:>13}: {fmt(ms(value))} ms/step "
                        f"(run {wall:.1f} s, load {ars.loadavg()})")
    bw_runs.append(membw(probe, args.membw_mib, 8))
    if rebuilt:
        where = "; ".join(text for _, text in rebuilt)
        if all(count == 0 for count, _ in rebuilt):
            notes.insert(0, "the replica build changed after the calibration "
                         "and pack report and before the first timed run "
                         f"({where}): every timed run used one build, but "
                         "the calibration and the packs reported above may "
                         "come from the earlier one")
        else:
            notes.insert(0, "the replica build changed between timed runs, "
                         "so the results mix builds; run again on an idle "
                         f"tree ({where})")

    # 7. Results.
    bw = {key: max(r.get(key, 0) for r in bw_runs) for key in bw_runs[0]}
    floor_bw = bw[("copy", 2)]
    lines_out = []
    summary = ["| model | gradients | MB | floor ms | fused auto | "
               "fused defaults | unfused | best peer | **fused / best peer** "
               "| fused / floor | fused speed-up, same run (fusion off) |",
               "|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|"]
    for model in models:
        model["floor_ms"] = 5 * model["bytes"] / (floor_bw * 1e9) * 1e3
        cells = {}
        for variant in VARIANTS:
            values = model["runs"].get(variant)
            if values:
                cells[variant] = {
                    "values": [ms(v) for v in values],
                    "median": ms(statistics.median(values)),
                    "wall": statistics.median(model["walls"][variant])}
        model["cells"] = cells
        peers = [v for v in cells if VARIANTS[v][1] == "peer"]
        best = min(peers, key=lambda v: cells[v]["median"]) if peers \
            else None
        fused = "fused-auto" if "fused-auto" in cells else (
            "fused-default" if "fused-default" in cells else None)
        model["best"], model["fused"] = best, fused

        def per_round(variant):
            a, b = model["runs"][variant], model["runs"][best]
            ratios = [x / y for x, y in zip(a, b)]
            return min(ratios), max(ratios)

        rows = [f"### {model['name']}", "",
                 f"{model['tensors']} gradients, {model['bytes'] / 1e6:.1f} "
                 f"MB (f32). Memory-bandwidth floor 5 × "
                 f"{model['bytes'] / 1e6:.1f} MB / {floor_bw:.1f} GB/s = "
                 f"**{model['floor_ms']:.2f} ms**.", "",
                 "| variant | ms/step (min–max of rounds) | vs best peer "
                 "(per round) | vs floor | all-reduces per step | "
                 "run s (replica: with JIT) |",
                 "|---|---:|---:|---:|---:|---:|"]
        for variant, cell in cells.items():
            values = cell["values"]
            ratio = ""
            if best:
                lo, hi = per_round(variant)
                r = cell["median"] / cells[best]["median"]
                ratio = f"{r:.2f} ({lo:.2f}–{hi:.2f})"
                if variant in (fused, best):
                    ratio = f"**{r:.2f}** ({lo:.2f}–{hi:.2f})"
            count = ""
            if variant in model["layout"]:
                count = str(model["layout"][variant]["allreduces"])
            elif variant == "unfused":
                count = str(model["tensors"])
            elif variant in model["packs"] and \
                    "packs" in model["packs"][variant]:
                count = str(model["packs"][variant]["packs"])
            rows.append(
                f"| {VARIANTS[variant][0]}"
                f"{' (best peer)' if variant == best else ''} | "
                f"{fmt(cell['median'])} ({fmt(min(values))}–"
                f"{fmt(max(values))}) | {ratio} | "
                f"{cell['median'] / model['floor_ms']:.2f} | {count} | "
                f"{cell['wall']:.1f} |")
        extra = []
        buckets = model["layout"].get("buckets", {}).get("buckets")
        if buckets:
            extra.append(f"- DDP-style buckets (bytes, in reduction order): "
                         f"{', '.join(f'{b / 2**20:.2f} MiB' for b in buckets)}")
        for variant, pinfo in model["packs"].items():
            extra.append(f"- {VARIANTS[variant][0]}: {describe_packs(pinfo)}")
        if model["paired"]:
            p, off = model["paired"], model["paired-off"]
            extra.append(f"- fused against unfused in one run "
                         f"(`allreduce_step.py --form paired`, "
                         f"{'--cost-table' if table else 'defaults'}): "
                         f"speed-up {statistics.median(p):.3f}x (rounds "
                         f"{min(p):.3f}–{max(p):.3f}), the median of the "
                         f"iterations' unfused/fused ratios; the same file "
                         f"with `--fuse=false` (nothing to find): "
                         f"{statistics.median(off):.3f} (rounds "
                         f"{min(off):.3f}–{max(off):.3f})")
        if model["ddp_comm"]:
            extra.append(f"- DDP's own split: communication "
                         f"{statistics.median(model['ddp_comm']):.2f} ms "
                         f"of its step (step minus the no_sync step)")
        lines_out += rows + [""] + extra + [""]

        def cell_text(variant):
            c = cells.get(variant)
            return fmt(c["median"]) if c else "–"
        head = "–"
        if fused and best:
            head = f"**{cells[fused]['median'] / cells[best]['median']:.2f}**"
        best_text = f"{VARIANTS[best][0]} {cell_text(best)}" if best else "–"
        floor_ratio = (f"{cells[fused]['median'] / model['floor_ms']:.2f}"
                       if fused else "–")
        paired_text = (f"{statistics.median(model['paired']):.2f}x "
                       f"({statistics.median(model['paired-off']):.2f}x)"
                       if model["paired"] else "–")
        summary.append(
            f"| {model['name']} | {model['tensors']} | "
            f"{model['bytes'] / 1e6:.1f} | {model['floor_ms']:.2f} | "
            f"{cell_text('fused-auto')} | {cell_text('fused-default')} | "
            f"{cell_text('unfused')} | {best_text} | {head} | "
            f"{floor_ratio} | {paired_text} |")

    bw_line = (f"Memory bandwidth (bench/membw.cpp, {args.membw_mib} MiB "
               f"buffers, best of 8, max of the runs before and after): "
               f"copy {bw[('copy', 1)]:.1f} GB/s with 1 thread, "
               f"{bw[('copy', 2)]:.1f} GB/s with 2 (read + write bytes); "
               f"fill {bw[('fill', 1)]:.1f} / {bw[('fill', 2)]:.1f} GB/s; "
               f"read {bw[('read', 1)]:.1f} / {bw[('read', 2)]:.1f} GB/s. "
               f"Floor: 5 × gradient bytes / {floor_bw:.1f} GB/s.")
    footer = [f"Load average at end: {ars.loadavg()}; other runnable "
              f"processes before runs: mean "
              f"{statistics.mean(busy_seen or [0]):.2f}, max "
              f"{max(busy_seen or [0]):.2f}"] + [f"NOTE: {n}" for n in notes]
    log("")
    log(bw_line)
    log("")
    for line in summary + [""] + lines_out + footer:
        log(line)

    if args.out:
        svg_path = os.path.splitext(args.out)[0] + "-step.svg"
        write_svg(svg_path, models,
                  f"ms per step on {args.np} ranks, {info['cpu']}, "
                  f"{info['cores']} cores ({started:%Y-%m-%d})")
        write_markdown(args, header, calibration, bw_line, summary,
                       lines_out, transport_lines, footer[:1], notes,
                       svg_path)
        log(f"wrote {args.out} and {svg_path}")


def write_markdown(args, header, calibration, bw_line, summary, details,
                   transport_lines, footer, notes, svg_path):
    command = "/usr/bin/python3 bench/fusion.py " + " ".join(
        a for a in sys.argv[1:])
    md = ["# Fusion benchmark: replica's gradient all-reduce against its "
          "peers", "",
          "Generated by `bench/fusion.py` (see `bench/README.md`); the "
          "command was", "", "```sh", command.strip(), "```", "",
          "```", *header, "```", "",
          *[f"> **Note:** {n}\n" for n in notes],
          "## Method", "",
          f"Every variant runs a data-parallel step on {args.np} MPI ranks "
          "of this one machine that **produces** every gradient of the "
          "model (writes every element, a value depending on the step, the "
          "rank and the gradient) and then all-reduces it (mean, f32); the "
          "result is consumed (first and last element of every gradient "
          "into a checksum that each program checks, exactly). A step's "
          "time runs from its start to the next step's start, max over the "
          "ranks; warmup steps are excluded; a run gives the median of its "
          "steps; a cell is the median over the rounds (min–max of the "
          "round medians in brackets). Rounds interleave all variants of "
          "all models, the order reversed every round, so drift affects "
          "all alike.", "",
          "| variant | what runs |", "|---|---|",
          "| replica fused, auto | `replica-run STEP.mlir --backend=mpi "
          f"--np={args.np} --cost-table=TABLE`, TABLE from `replica-run "
          f"--calibrate --backend=mpi --np={args.np}` at the start (below) |",
          "| replica fused, defaults | the same with `--bytes-per-pack=-1` "
          "instead of `--cost-table` "
          "(the mpi pipeline's alpha-beta model, `latency-us=10 bandwidth-gbps=5`) |",
          "| replica unfused | the same with `--fuse=false`: one "
          "all-reduce per gradient |",
          "| MPI contiguous | `bench/mpi_baseline.cpp --mode contiguous`: "
          "gradients written into their slices of one flat buffer, one "
          f"out-of-place `MPI_Allreduce`, `/= {args.np}` |",
          "| MPI per-tensor | `--mode per-tensor`: one out-of-place "
          f"`MPI_Allreduce` per gradient, `/= {args.np}` |",
          "| MPI per-tensor, nonblocking | `--mode per-tensor "
          "--nonblocking`: every gradient's out-of-place `MPI_Iallreduce` "
          "started, then `MPI_Waitall`, then the divisions: how replica's "
          "runtime issues the all-reduces it launches together (Open MPI "
          "runs nonblocking collectives with coll/libnbc, blocking ones "
          "with coll/tuned: other algorithms) |",
          f"| MPI DDP-style buckets | `--mode buckets`: gradients in their "
          f"own buffers; buckets in reverse parameter order, closed once "
          f"they hold >= 1 MiB (the first, torch's "
          f"`_DEFAULT_FIRST_BUCKET_BYTES`) or >= {args.bucket_mb:g} MiB "
          f"(`bucket_cap_mb` × 1024 × 1024), as "
          f"`dist._compute_bucket_assignment_by_size` assigns them; per "
          f"bucket: copy in, in-place `MPI_Allreduce`, copy out with the "
          f"`/ {args.np}` |",
          "| PyTorch DDP gloo | `bench/ddp_gloo.py` (torch's "
          "DistributedDataParallel, gloo, CPU, one thread per rank): "
          "`loss.backward()` of a loss whose gradient is a step- and "
          "rank-dependent constant, DDP all-reducing its buckets during it; "
          "`bucket view` is `gradient_as_bucket_view=True` |", "",
          "STEP.mlir is `bench/allreduce_step.py --form produced`: per "
          "step, gradient k is `linalg.fill` of (replica id + 1) + k + "
          "step into a `tensor.empty`, then `replica.all_reduce mean`, in "
          "the same block, so `replica-fuse-reductions` can compute it "
          "straight into its pack slice. The MPI peers are built with "
          "`OMPI_CXX=clang++-22 mpicxx -O2`, allocate and touch all their "
          "buffers once before the first step and fill every gradient every "
          "step; replica's generated code allocates each step's packs and "
          "results during the step.", "",
          "**Memory-bandwidth floor.** Two ranks in shared memory must "
          "move at least 5 × the gradient bytes through memory per step "
          "(write the gradients, and for the reduction read both ranks' "
          "data and write the result); floor = 5 × gradient bytes / "
          "memory bandwidth, measured by `bench/membw.cpp` (memcpy on 512 "
          "MiB buffers with both cores, counting read + write bytes). It is "
          "a lower bound, not a target.", "",
          "**Fused against unfused.** The separate fused and unfused "
          "runs above can differ by up to 2x from one run to the next on a "
          "VM whose vCPUs move between cores that share a cache and cores "
          "that do not, more than fusion changes a step. The last column "
          "measures fusion free of that: `allreduce_step.py --form "
          "paired` runs the step four times per iteration in one process, "
          "unfused (its all-reduces marked `replica.no_fusion`), fused as "
          "fused auto is, fused, unfused; the speed-up is the median of "
          "the iterations' unfused/fused ratios (median over rounds). In "
          "parentheses, the same file run with `--fuse=false`: what the "
          "method reads when there is no difference to find, its noise.",
          "",
          "The headline is **fused / best peer**: replica's fused step "
          "(auto when `--calibrate` gives a cost table, else defaults) "
          "over the fastest peer.", "",
          bw_line, "",
          "## Results", "",
          f"![ms per step]({os.path.relpath(svg_path, os.path.dirname(os.path.abspath(args.out)))})",
          "", *summary, "", *details,
          "## Transport", "",
          "`bench/transport.cpp`: one all-reduce (f32 sum, in place) of "
          "each size per rank, GB/s = bytes / time (max over ranks, median "
          "of repetitions, the input rewritten before each). replica's "
          "shared-memory transport with the input in its window (where "
          "`replica-place-mpi-buffers` puts packs) and the result one "
          "shared copy (nothing copied) or in place (slices copied), and "
          "with the buffer on the heap (staged through shared memory), "
          "against in-place `MPI_Allreduce` of the same MPI, interleaved in "
          "one run.", "",
          *transport_lines, "",
          "## Calibration", "",
          "```", calibration.strip() or "(not run)", "```", "",
          *[line + "  " for line in footer], ""]
    with open(args.out, "w") as f:
        f.write("\n".join(md))


if __name__ == "__main__":
    main()
