#!/usr/bin/env python3
"""Per-step all-reduce time of replica's MPI backend against plain MPI.

One step all-reduces every gradient of a model (bench/workloads/<model>.json)
with its own all-reduce, unfused, across 2 MPI ranks on this machine. Two
programs do it:

  replica   a module this script generates (`generate_step_module`), run with
            `replica-run FILE --backend=mpi --np=2`: `@main` creates the
            gradients inside `replica.replicate<2>` as `tensor.splat` of a
            replica-dependent value, then an `scf.for` runs warmup + timed
            steps, each one `replica.all_reduce mean` per gradient (in-replica
            form), timed with `rtclock` from the MLIR C runner utils. The
            loop carries the gradients: each step reduces the previous
            step's results, and adds element 0 of each to a loop-carried
            checksum, so nothing is loop-invariant or dead (--form).
            It runs unfused (`--fuse=false`).
  baseline  bench/mpi_baseline.cpp (built here with `mpicxx -O2`): one
            out-of-place MPI_Allreduce(MPI_SUM) per tensor, then the division
            by the number of ranks, on buffers allocated once.

A step's time runs from its start to the next step's start (all it does:
allocation, all-reduces, division, checksum, frees), max over the ranks.
The programs run alternately (replica, baseline, baseline, replica, ...), so
they share the machine's noise; the table gives the median over the runs of
each run's median step. Both programs check their results (the error must be
exactly 0) and the script stops with FAIL otherwise.

--diagnose adds two columns that tell where a gap comes from: the baseline
with malloc/free of every result per step (as replica's generated code
does), once with glibc's defaults and once with glibc keeping freed memory
(GLIBC_TUNABLES=KEEP_MEMORY, the settings replica-run applies with mallopt).

Usage, from the repository root after building (about 2 minutes; 3 to 4
with --diagnose):

    /usr/bin/python3 bench/allreduce_step.py [--diagnose] [--out FILE]

Print one generated module instead of running anything:

    /usr/bin/python3 bench/allreduce_step.py --emit resnet50 [--form carried]
"""

import argparse
import datetime
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import workload as workload_module  # noqa: E402  (bench/workload.py)

FORMS = ("loop", "carried", "unrolled", "produced", "paired")

# glibc settings under which free() keeps memory in the heap: no mmap for
# blocks up to 32 MiB (the largest allowed), no trimming below 1 GiB; the
# values replica-run sets with mallopt (tools/replica-run/replica-run.cpp).
KEEP_MEMORY = ("glibc.malloc.mmap_threshold=33554432:"
               "glibc.malloc.trim_threshold=1073741824")


# ---------------------------------------------------------------------------
# The replica program
# ---------------------------------------------------------------------------

def _numel(shape):
    return math.prod(shape)


def _zeros(rank):
    return ", ".join(["%c0"] * rank)


def generate_step_module(workload, replicas=2, warmup=3, steps=20,
                         form="carried"):
    """Returns a runnable module that times per-gradient all-reduce steps.

    Gradient k starts as (replica id + 1) + k in every element on each
    replica, so after every step its mean is (replicas + 1) / 2 + k. `@main`
    runs warmup + steps steps; each all-reduces every gradient with
    `replica.all_reduce mean` and is timed with `rtclock`. The step times
    (max over the replicas) and a check value are printed by replica 0:

        step_seconds T        one line per timed step
        mean_step_seconds T
        check C               sum over all steps and gradients of element 0
                              of each result, on replica 0
        check_max_error E     max over the replicas of |check - expected|;
                              0 when every all-reduce computed the mean

    `form` picks how the steps are written:
      carried   (default) an scf.for whose iter_args are the gradients: each
                step reduces the previous step's results and adds element 0
                of each to a loop-carried checksum. (Before commit 28c7bc2
                the MPI pipeline rejected this form: "Yield operand #0 is not
                equivalent to the corresponding iter bbArg".)
      loop      an scf.for that reduces the gradients defined before the
                loop every step (each all-reduce reads the same input and
                writes a fresh result); only the checksum is loop-carried.
      unrolled  the steps written out one after another, each reducing the
                previous step's results, without a loop. The module holds
                (warmup + steps) x tensors all-reduces: slow to JIT (about
                30 s for mobilenet_v2), and every result stays allocated to
                the end of @main.
      produced  (bench/fusion.py) an scf.for whose body PRODUCES every
                gradient before reducing it, as a training step's backward
                pass does: gradient k in step s is `linalg.fill` of
                (replica id + 1) + k + s into a `tensor.empty`, in the same
                block as its `replica.all_reduce mean`, so
                replica-fuse-reductions can compute it straight into its
                pack slice. The mean is (replicas + 1) / 2 + k + s; the
                checksum (f64, loop-carried) adds the first and the last
                element of every result, so every slice is checked at both
                ends. Only the stamps and the checksum are loop-carried.
      paired    (.ci/demo) the produced step four times per loop
                iteration, in ABBA order: with its all-reduces marked
                `replica.no_fusion`, then twice left to
                replica-fuse-reductions, then marked again. Unfused and
                fused steps alternate in one process, so both see the same
                machine (on a VM whose vCPUs move between cores, separate
                runs differ more than fusion does), and neither always runs
                first (a first-or-second bias of up to 8% showed when both
                variants were unfused). A step time is the mean of a
                variant's two copies in the iteration. Prints
                step_seconds_unfused, mean_step_seconds_unfused and the
                same for fused; the checksum covers every copy.
    """
    if form not in FORMS:
        raise ValueError(f"form must be one of {FORMS}")
    params = workload["params"]
    for p in params:
        if p["dtype"] not in ("f32", "f64"):
            raise ValueError(f"{p['name']}: only f32/f64 gradients supported")
    n = len(params)
    total = warmup + steps
    if form in ("produced", "paired"):
        return _generate_produced_module(workload, replicas, warmup, steps,
                                         paired=form == "paired")
    types = [workload_module.tensor_type(p) for p in params]
    ranks = [len(p["shape"]) for p in params]
    elements = sum(_numel(p["shape"]) for p in params)
    expected = total * sum((replicas + 1) / 2 + k for k in range(n))

    out = []
    emit = out.append
    emit(f"// all-reduce step benchmark: {workload['model']}, {n} gradients, "
         f"{elements} elements, {replicas} replicas, form {form},")
    emit(f"// {warmup} warmup + {steps} timed steps; expected check value "
         f"{expected}.")
    emit("// Generated by bench/allreduce_step.py; run with")
    emit(f"//   replica-run FILE --backend=mpi --np={replicas}")
    emit("func.func private @rtclock() -> f64")
    emit("")
    emit("func.func @main() {")
    emit(f"  replica.replicate<{replicas}> () : () -> () {{")
    emit("    %c0 = arith.constant 0 : index")
    emit("    %c1 = arith.constant 1 : index")
    emit(f"    %cwarm = arith.constant {warmup} : index")
    emit(f"    %ctotal = arith.constant {total} : index")
    emit("    %id = replica.replica_id : index")
    emit("    %id64 = arith.index_cast %id : index to i64")
    emit("    %idf = arith.sitofp %id64 : i64 to f32")
    emit("    %one = arith.constant 1.0 : f32")
    emit("    %base = arith.addf %idf, %one : f32")
    emit("    %zero = arith.constant 0.0 : f32")
    for k, t in enumerate(types):
        emit(f"    %k{k} = arith.constant {float(k)} : f32")
        emit(f"    %v{k} = arith.addf %base, %k{k} : f32")
        emit(f"    %g{k} = tensor.splat %v{k} : {t}")

    def step_body(indent, inputs, prefix):
        """One all-reduce per gradient of `inputs`; returns the results."""
        lines, results = [], []
        for k, t in enumerate(types):
            r = f"%{prefix}s{k}"
            lines.append(f"{indent}{r} = replica.all_reduce mean {inputs[k]} "
                         f": {t}")
            results.append(r)
        return lines, results

    def checksum(indent, results, prefix, chk):
        """Adds element 0 of every result to `chk`; returns the new sum."""
        lines = []
        for k, t in enumerate(types):
            e = f"%{prefix}e{k}"
            lines.append(f"{indent}{e} = tensor.extract {results[k]}"
                         f"[{_zeros(ranks[k])}] : {t}")
            nxt = f"%{prefix}sum{k}"
            lines.append(f"{indent}{nxt} = arith.addf {chk}, {e} : f32")
            chk = nxt
        return lines, chk

    # A step's time runs from its start to the next step's start, so it
    # includes everything the step's code does: allocating the results, the
    # all-reduces, the checksum and freeing what the step no longer needs.
    grads = [f"%g{k}" for k in range(n)]
    stamps_type = f"tensor<{total + 1}xf64>"
    if form in ("loop", "carried"):
        emit(f"    %stamps0 = tensor.empty() : {stamps_type}")
        carried = form == "carried"
        iter_args = ["%stamps = %stamps0", "%chk = %zero"]
        iter_types = [stamps_type, "f32"]
        if carried:
            iter_args += [f"%a{k} = %g{k}" for k in range(n)]
            iter_types += types
        inputs = [f"%a{k}" for k in range(n)] if carried else grads
        emit(f"    %loop:{len(iter_types)} = scf.for %i = %c0 to %ctotal "
             f"step %c1 iter_args({', '.join(iter_args)}) -> "
             f"({', '.join(iter_types)}) {{")
        emit("      %t0 = func.call @rtclock() : () -> f64")
        emit(f"      %stamps1 = tensor.insert %t0 into %stamps[%i] : "
             f"{stamps_type}")
        lines, results = step_body("      ", inputs, "")
        out.extend(lines)
        lines, chk = checksum("      ", results, "", "%chk")
        out.extend(lines)
        yields = ["%stamps1", chk] + (results if carried else [])
        emit(f"      scf.yield {', '.join(yields)} : "
             f"{', '.join(iter_types)}")
        emit("    }")
        emit("    %tend = func.call @rtclock() : () -> f64")
        emit(f"    %stamps = tensor.insert %tend into %loop#0[%ctotal] : "
             f"{stamps_type}")
        chk = "%loop#1"
    else:
        inputs = grads
        chk = "%zero"
        stamps = []
        for step in range(total):
            emit(f"    %t_{step} = func.call @rtclock() : () -> f64")
            stamps.append(f"%t_{step}")
            lines, results = step_body("    ", inputs, f"p{step}_")
            out.extend(lines)
            lines, chk = checksum("    ", results, f"p{step}_", chk)
            out.extend(lines)
            inputs = results
        emit(f"    %t_{total} = func.call @rtclock() : () -> f64")
        stamps.append(f"%t_{total}")
        emit(f"    %stamps = tensor.from_elements {', '.join(stamps)} : "
             f"{stamps_type}")
    _emit_epilogue(emit, replicas, warmup, steps, "%stamps", chk, expected,
                   "f32")
    # %zero64 is used inside scf.if; define it with the other constants.
    index = out.index("    %zero = arith.constant 0.0 : f32")
    out.insert(index + 1, "    %zero64 = arith.constant 0.0 : f64")
    return "\n".join(out) + "\n", expected


def _emit_epilogue(emit, replicas, warmup, steps, stamps, chk, expected,
                   chk_type, series=(("", (0,)),), stride=1):
    """Step times from the stamps (max over the replicas), the check value
    and its error, printed by replica 0 (see generate_step_module). Each of
    `series` (label, offsets) times step j as the mean over its offsets o
    of the time from stamp stride * j + o to the next stamp."""
    total = warmup + steps
    times_type = f"tensor<{total}xf64>"
    stamps_type = f"tensor<{stride * total + 1}xf64>"
    emit(f"    %estride = arith.constant {stride} : index")
    for i, (label, offsets) in enumerate(series):
        emit(f"    %times0_{i} = tensor.empty() : {times_type}")
        emit(f"    %times{i} = scf.for %j = %c0 to %ctotal step %c1 "
             f"iter_args(%tt = %times0_{i}) -> ({times_type}) {{")
        emit("      %js = arith.muli %j, %estride : index")
        dt = None
        for o in offsets:
            emit(f"      %co{o} = arith.constant {o} : index")
            emit(f"      %jb{o} = arith.addi %js, %co{o} : index")
            emit(f"      %je{o} = arith.addi %jb{o}, %c1 : index")
            emit(f"      %begin{o} = tensor.extract {stamps}[%jb{o}] : "
                 f"{stamps_type}")
            emit(f"      %end{o} = tensor.extract {stamps}[%je{o}] : "
                 f"{stamps_type}")
            emit(f"      %dt{o} = arith.subf %end{o}, %begin{o} : f64")
            if dt:
                emit(f"      %sumdt{o} = arith.addf {dt}, %dt{o} : f64")
                dt = f"%sumdt{o}"
            else:
                dt = f"%dt{o}"
        emit(f"      %nhalves = arith.constant {float(len(offsets))} : f64")
        emit(f"      %dt = arith.divf {dt}, %nhalves : f64")
        emit(f"      %tt1 = tensor.insert %dt into %tt[%j] : {times_type}")
        emit(f"      scf.yield %tt1 : {times_type}")
        emit("    }")
        emit(f"    %tmax{i} = replica.all_reduce max %times{i} : {times_type}")
    emit(f"    %cexpected = arith.constant {expected} : {chk_type}")
    emit(f"    %cdiff = arith.subf {chk}, %cexpected : {chk_type}")
    emit(f"    %cabs = math.absf %cdiff : {chk_type}")
    emit(f"    %cerr = replica.all_reduce max %cabs : {chk_type}")
    emit("    %first = arith.cmpi eq, %id, %c0 : index")
    emit("    scf.if %first {")
    emit(f"      %count = arith.constant {float(steps)} : f64")
    for i, (label, _) in enumerate(series):
        emit(f"      %sum{i} = scf.for %j = %cwarm to %ctotal step %c1 "
             "iter_args(%acc = %zero64) -> (f64) {")
        emit(f"        %t = tensor.extract %tmax{i}[%j] : {times_type}")
        emit(f'        vector.print str "step_seconds{label} "')
        emit("        vector.print %t : f64")
        emit("        %acc1 = arith.addf %acc, %t : f64")
        emit("        scf.yield %acc1 : f64")
        emit("      }")
        emit(f"      %mean{i} = arith.divf %sum{i}, %count : f64")
        emit(f'      vector.print str "mean_step_seconds{label} "')
        emit(f"      vector.print %mean{i} : f64")
    emit('      vector.print str "check "')
    emit(f"      vector.print {chk} : {chk_type}")
    emit('      vector.print str "check_max_error "')
    emit(f"      vector.print %cerr : {chk_type}")
    emit("    }")
    emit("    replica.yield")
    emit("  }")
    emit("  return")
    emit("}")


def _generate_produced_module(workload, replicas, warmup, steps,
                              paired=False):
    """forms "produced" and "paired": each step computes every gradient with
    linalg.fill into a tensor.empty and all-reduces it (mean); see
    generate_step_module.
    """
    params = workload["params"]
    for p in params:
        if p["dtype"] != "f32":
            raise ValueError(f"{p['name']}: form produced supports f32 "
                             "gradients only (the MPI peers are f32)")
    n = len(params)
    total = warmup + steps
    types = [workload_module.tensor_type(p) for p in params]
    elements = sum(_numel(p["shape"]) for p in params)
    # The step once, or four times in ABBA order: unfused (marked
    # replica.no_fusion), fused, fused, unfused, so that neither variant
    # always runs first or second. (name prefix, attribute)
    unfused, fused = " {replica.no_fusion}", ""
    halves = ([("ua", unfused), ("fa", fused), ("fb", fused),
               ("ub", unfused)] if paired else [("", "")])
    form = "paired" if paired else "produced"
    # Mean of gradient k in step s: (replicas + 1) / 2 + k + s; the checksum
    # adds it twice (first and last element) per gradient, copy and step.
    # Every term is a multiple of 0.5 far below 2^52: exact in f64.
    expected = len(halves) * sum(2 * ((replicas + 1) / 2 + k + s)
                                 for s in range(total) for k in range(n))
    stride = len(halves)
    stamps_type = f"tensor<{stride * total + 1}xf64>"

    out = []
    emit = out.append
    emit(f"// gradient step benchmark (form {form}): {workload['model']}, "
         f"{n} gradients, {elements} elements, {replicas} replicas,")
    emit(f"// {warmup} warmup + {steps} timed steps; every step computes "
         f"each gradient with linalg.fill, then all-reduces it (mean);")
    if paired:
        emit("// each loop iteration runs the step unfused (replica.no_fusion),"
             " fused, fused, unfused;")
    emit(f"// expected check value {expected}.")
    emit(f"// Generated by bench/allreduce_step.py (--form {form}); run with")
    emit(f"//   replica-run FILE --backend=mpi --np={replicas}")
    emit("func.func private @rtclock() -> f64")
    emit("")
    emit("func.func @main() {")
    emit(f"  replica.replicate<{replicas}> () : () -> () {{")
    emit("    %c0 = arith.constant 0 : index")
    emit("    %c1 = arith.constant 1 : index")
    emit(f"    %cwarm = arith.constant {warmup} : index")
    emit(f"    %ctotal = arith.constant {total} : index")
    emit("    %id = replica.replica_id : index")
    emit("    %id64 = arith.index_cast %id : index to i64")
    emit("    %idf = arith.sitofp %id64 : i64 to f32")
    emit("    %one = arith.constant 1.0 : f32")
    emit("    %base = arith.addf %idf, %one : f32")
    emit("    %zero64 = arith.constant 0.0 : f64")
    for k in range(n):
        emit(f"    %k{k} = arith.constant {float(k)} : f32")
    # Indices of each gradient's last element.
    last_indices = {}
    for p in params:
        for d in p["shape"]:
            if d - 1 not in last_indices:
                last_indices[d - 1] = f"%i{d - 1}"
                emit(f"    %i{d - 1} = arith.constant {d - 1} : index")
    emit(f"    %cstride = arith.constant {stride} : index")
    emit(f"    %stamps0 = tensor.empty() : {stamps_type}")
    emit(f"    %loop:2 = scf.for %s = %c0 to %ctotal step %c1 "
         f"iter_args(%stamps = %stamps0, %chk = %zero64) -> "
         f"({stamps_type}, f64) {{")
    emit("      %s64 = arith.index_cast %s : index to i64")
    emit("      %sf = arith.sitofp %s64 : i64 to f32")
    emit("      %vs = arith.addf %base, %sf : f32")
    emit("      %sstamp = arith.muli %s, %cstride : index")
    stamps = "%stamps"
    chk = "%chk"
    for h, (prefix, attribute) in enumerate(halves):
        emit(f"      %{prefix}t0 = func.call @rtclock() : () -> f64")
        emit(f"      %{prefix}h = arith.constant {h} : index")
        emit(f"      %{prefix}at = arith.addi %sstamp, %{prefix}h : index")
        emit(f"      %{prefix}stamps1 = tensor.insert %{prefix}t0 into "
             f"{stamps}[%{prefix}at] : {stamps_type}")
        stamps = f"%{prefix}stamps1"
        # The backward pass: every gradient computed into a fresh tensor.
        for k, t in enumerate(types):
            emit(f"      %{prefix}v{k} = arith.addf %vs, %k{k} : f32")
            emit(f"      %{prefix}e{k} = tensor.empty() : {t}")
            emit(f"      %{prefix}g{k} = linalg.fill ins(%{prefix}v{k} : f32) "
                 f"outs(%{prefix}e{k} : {t}) -> {t}")
        for k, t in enumerate(types):
            emit(f"      %{prefix}r{k} = replica.all_reduce mean "
                 f"%{prefix}g{k}{attribute} : {t}")
        for k, (p, t) in enumerate(zip(params, types)):
            firsts = ", ".join(["%c0"] * len(p["shape"]))
            lasts = ", ".join(last_indices[d - 1] for d in p["shape"])
            for which, idx in (("a", firsts), ("b", lasts)):
                x = f"%{prefix}x{which}{k}"
                y = f"%{prefix}y{which}{k}"
                emit(f"      {x} = tensor.extract %{prefix}r{k}[{idx}] : {t}")
                emit(f"      {y} = arith.extf {x} : f32 to f64")
                emit(f"      %{prefix}sum{which}{k} = arith.addf {chk}, {y} : "
                     "f64")
                chk = f"%{prefix}sum{which}{k}"
    emit(f"      scf.yield {stamps}, {chk} : {stamps_type}, f64")
    emit("    }")
    emit("    %tend = func.call @rtclock() : () -> f64")
    emit(f"    %cend = arith.constant {stride * total} : index")
    emit(f"    %stampsN = tensor.insert %tend into %loop#0[%cend] : "
         f"{stamps_type}")
    series = ((("_unfused", (0, 3)), ("_fused", (1, 2))) if paired
              else (("", (0,)),))
    _emit_epilogue(emit, replicas, warmup, steps, "%stampsN", "%loop#1",
                   expected, "f64", series, stride)
    return "\n".join(out) + "\n", expected


def write_shape_list(workload, path):
    """The shapes, one tensor per line, for bench/mpi_baseline.cpp."""
    with open(path, "w") as f:
        f.write(f"# {workload['model']}: one f32 tensor per line\n")
        for p in workload["params"]:
            f.write(" ".join(str(d) for d in p["shape"]) or "scalar")
            f.write("\n")


# ---------------------------------------------------------------------------
# Running and parsing
# ---------------------------------------------------------------------------

def parse_output(text, label=""):
    """The step times of series `label` (e.g. "_fused" of form paired) and
    the check values."""
    steps = [float(m) for m in re.findall(rf"^step_seconds{label} (\S+)$",
                                          text, re.M)]
    checks = {}
    for key in ("check", "check_max_error"):
        m = re.search(rf"^{key} (\S+)$", text, re.M)
        checks[key] = float(m.group(1)) if m else None
    return steps, checks


def run_command(cmd, timeout, env=None):
    start = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, timeout=timeout, env=env)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"FAIL: {' '.join(cmd)} exited with {proc.returncode}\n"
                 f"{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return proc.stdout, wall


def procs_running():
    with open("/proc/stat") as f:
        for line in f:
            if line.startswith("procs_running"):
                return int(line.split()[1])
    return 0


def wait_for_quiet(limit, max_wait, log):
    """Waits (up to max_wait s) until, besides this script, fewer than
    `limit` processes are runnable on average over half a second."""
    start = time.time()
    while True:
        samples = []
        for _ in range(10):
            samples.append(procs_running() - 1)  # this script samples
            time.sleep(0.05)
        busy = sum(samples) / len(samples)
        if busy < limit:
            return busy
        if time.time() - start > max_wait:
            log(f"  (machine still busy: {busy:.1f} other runnable "
                f"processes; running anyway)")
            return busy
        time.sleep(2)


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def machine_info(baseline, mpirun, shapes_dir):
    cpu = "unknown CPU"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    cores = os.cpu_count()
    version = subprocess.run([mpirun, "--version"], stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True).stdout
    version = version.splitlines()[0].strip() if version else "unknown MPI"
    # Which point-to-point layer MPI_Init picks here (both programs are
    # launched the same way, so they share it).
    tiny = os.path.join(shapes_dir, "tiny.shapes")
    with open(tiny, "w") as f:
        f.write("4\n")
    probe = subprocess.run(
        [mpirun, "--allow-run-as-root", "--oversubscribe", "-np", "2",
         "--mca", "pml_base_verbose", "10", "--mca", "btl_base_verbose", "10",
         baseline, tiny, "--warmup", "0", "--steps", "1"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    pml = re.search(r"selected (\w+) best priority", probe.stdout)
    pml = pml.group(1) if pml else "?"
    transport = (f"shared memory, one machine (pml {pml}"
                 + (", btl vader)" if pml == "ob1" else ")"))
    return {
        "cpu": cpu,
        "cores": cores,
        "kernel": platform.release(),
        "mpi": version,
        "transport": transport,
    }


def build_info(replica_run):
    """The commit of the source tree and when replica-run was built."""
    def git(*cmd):
        proc = subprocess.run(["git", "-C", ROOT, *cmd],
                              stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True)
        return proc.stdout.strip() if proc.returncode == 0 else ""
    commit = git("log", "-1", "--format=%h %s") or "unknown commit"
    dirty = git("status", "--porcelain", "--untracked-files=no", "--",
                "lib", "include", "tools")
    built = datetime.datetime.fromtimestamp(os.path.getmtime(replica_run))
    return (f"commit {commit}"
            + (" (lib/include/tools modified)" if dirty else "")
            + f"; replica-run built {built:%Y-%m-%d %H:%M}")


def fmt_ms(seconds):
    return f"{seconds * 1e3:.2f}"


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", default="mobilenet_v2,resnet50",
                        help="comma-separated workload names or JSON paths")
    parser.add_argument("--rounds", type=int, default=5,
                        help="runs of each program per model (interleaved)")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--steps", type=int, default=20,
                        help="timed steps per run")
    parser.add_argument("--np", type=int, default=2, help="MPI ranks")
    parser.add_argument("--form", choices=FORMS, default="carried",
                        help="how the replica module writes the steps "
                             "(see generate_step_module); with produced, "
                             "the baseline is mpi_baseline --mode "
                             "per-tensor (bench/fusion.py is the benchmark "
                             "for that form)")
    parser.add_argument("--diagnose", action="store_true",
                        help="two more columns that explain a gap: the "
                             "baseline with --alloc-per-step (malloc each "
                             "result, free the inputs, as replica's code "
                             "does), with glibc's defaults and with "
                             f"GLIBC_TUNABLES={KEEP_MEMORY} (glibc keeps "
                             "freed memory instead of returning it to the "
                             "kernel)")
    parser.add_argument("--replica-run",
                        default=os.path.join(ROOT, "build", "bin",
                                             "replica-run"))
    parser.add_argument("--build-dir",
                        default=os.path.join(ROOT, "build", "bench"),
                        help="where the baseline and generated files go")
    parser.add_argument("--cxx", default=None,
                        help="compiler behind mpicxx (OMPI_CXX); default "
                             "clang++-22 when present (the compiler of "
                             "replica's MPI runtime), else mpicxx's own")
    parser.add_argument("--max-busy", type=float, default=0.5,
                        help="wait before each run until fewer than this many "
                             "other processes are runnable")
    parser.add_argument("--max-wait", type=float, default=120,
                        help="seconds to wait for a quiet machine per run")
    parser.add_argument("--timeout", type=int, default=300,
                        help="seconds per run")
    parser.add_argument("--out", help="also write the results as markdown")
    parser.add_argument("--emit", metavar="MODEL",
                        help="print the replica module for MODEL and exit")
    args = parser.parse_args()

    if args.form == "paired" and not args.emit:
        parser.error("--form paired prints two series of step times: use it "
                     "with --emit (.ci/demo reads them)")
    if args.form == "produced" and args.diagnose:
        parser.error("--diagnose needs a loop-carried form, not produced")
    if args.emit:
        text, _ = generate_step_module(workload_module.load(args.emit),
                                       args.np, args.warmup, args.steps,
                                       args.form)
        sys.stdout.write(text)
        return

    def log(message):
        print(message, flush=True)

    mpirun = shutil.which("mpirun")
    mpicxx = shutil.which("mpicxx")
    if not mpirun or not mpicxx:
        sys.exit("FAIL: mpirun and mpicxx are needed (openmpi-bin, "
                 "libopenmpi-dev)")
    if not os.access(args.replica_run, os.X_OK):
        sys.exit(f"FAIL: {args.replica_run} not found; build the project")
    os.makedirs(args.build_dir, exist_ok=True)

    # 1. The baseline.
    baseline = os.path.join(args.build_dir, "mpi_baseline")
    env = dict(os.environ)
    cxx = args.cxx or shutil.which("clang++-22")
    if cxx:
        env["OMPI_CXX"] = cxx
    compile_cmd = [mpicxx, "-O2", "-std=c++17",
                   os.path.join(HERE, "mpi_baseline.cpp"), "-o", baseline]
    proc = subprocess.run(compile_cmd, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True)
    if proc.returncode != 0:
        sys.exit(f"FAIL: building the baseline:\n{proc.stdout}")
    compiler = subprocess.run([mpicxx, "--version"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True).stdout.splitlines()[0]

    # 2. The workloads.
    models = []
    for name in args.models.split(","):
        wl = workload_module.load(name)
        stem = wl["model"]
        module_path = os.path.join(args.build_dir,
                                   f"allreduce_step_{stem}.mlir")
        shapes_path = os.path.join(args.build_dir, f"{stem}.shapes")
        text, expected = generate_step_module(wl, args.np, args.warmup,
                                              args.steps, args.form)
        with open(module_path, "w") as f:
            f.write(text)
        write_shape_list(wl, shapes_path)
        elements = sum(_numel(p["shape"]) for p in wl["params"])
        bytes_per_elem = {"f32": 4, "f64": 8}
        nbytes = sum(_numel(p["shape"]) * bytes_per_elem[p["dtype"]]
                     for p in wl["params"])
        models.append({"name": stem, "module": module_path,
                       "shapes": shapes_path, "expected": expected,
                       "tensors": len(wl["params"]), "elements": elements,
                       "bytes": nbytes,
                       "runs": {"replica": [], "baseline": [],
                                "alloc": [], "alloc_keep": []}})

    info = machine_info(baseline, mpirun, args.build_dir)
    started = datetime.datetime.now()
    header = [
        f"replica all-reduce step benchmark, {started:%Y-%m-%d %H:%M}",
        f"Machine: {info['cpu']}, {info['cores']} cores, Linux "
        f"{info['kernel']}; {info['mpi']}; transport: {info['transport']}",
        f"{args.np} ranks, one all-reduce (mean, f32) per gradient tensor, "
        f"unfused; {args.rounds} interleaved runs per program, "
        f"{args.warmup} warmup + {args.steps} timed steps per run; "
        f"step time = max over ranks; replica form: {args.form}",
        f"Baseline: {os.path.relpath(compile_cmd[3], ROOT)} built with "
        f"mpicxx -O2 ({compiler}); out-of-place MPI_Allreduce(MPI_SUM) "
        f"into buffers allocated once, then /= {args.np}",
        f"replica: {build_info(args.replica_run)}",
        f"Load average at start: {loadavg()}",
    ]
    for line in header:
        log(line)

    def run_replica(model):
        cmd = [args.replica_run, model["module"], "--backend=mpi",
               "--fuse=false", f"--np={args.np}", f"--timeout={args.timeout}"]
        return run_command(cmd, args.timeout + 60)

    def run_baseline(model, alloc=False, keep_memory=False):
        cmd = [mpirun, "--allow-run-as-root", "--oversubscribe", "-np",
               str(args.np), baseline, model["shapes"], "--warmup",
               str(args.warmup), "--steps", str(args.steps)]
        if args.form == "produced":
            # The baseline that produces every gradient every step too.
            cmd += ["--mode", "per-tensor"]
        if alloc:
            cmd.append("--alloc-per-step")
        env = None
        if keep_memory:
            env = dict(os.environ, GLIBC_TUNABLES=KEEP_MEMORY)
        return run_command(cmd, args.timeout, env)

    busy_seen = []
    for rnd in range(args.rounds):
        for model in models:
            programs = ["replica", "baseline"]
            if args.diagnose:
                programs += ["alloc", "alloc_keep"]
            # Alternate the order every round: ABCD, DCBA, ABCD, ...
            if rnd % 2:
                programs.reverse()
            for program in programs:
                busy_seen.append(wait_for_quiet(args.max_busy, args.max_wait,
                                                log))
                if program == "replica":
                    output, wall = run_replica(model)
                else:
                    output, wall = run_baseline(
                        model, program != "baseline",
                        program == "alloc_keep")
                steps, checks = parse_output(output)
                if len(steps) != args.steps:
                    sys.exit(f"FAIL: {program} on {model['name']} printed "
                             f"{len(steps)} step times, expected "
                             f"{args.steps}:\n{output[-2000:]}")
                # `check` is printed with 6 significant digits; the error
                # is computed exactly by the program and must be 0.
                expected = model["expected"]
                check, error = checks["check"], checks["check_max_error"]
                if check is None or error is None or error != 0 or \
                        abs(check - expected) > 1e-5 * expected:
                    sys.exit(f"FAIL: {program} on {model['name']}: check "
                             f"{check}, max error {error}; expected "
                             f"{expected}, error 0")
                median = statistics.median(steps)
                model["runs"][program].append(median)
                log(f"  round {rnd + 1} {model['name']:>14} {program:>10}: "
                    f"median {fmt_ms(median)} ms/step "
                    f"(min {fmt_ms(min(steps))}, max {fmt_ms(max(steps))}; "
                    f"run {wall:.1f} s, load {loadavg()})")

    # 3. The table.
    cols = ["model", "tensors", "MB", "replica ms/step", "baseline ms/step",
            "ratio replica/baseline"]
    if args.diagnose:
        cols += ["baseline + malloc/free per step, glibc defaults ms/step",
                 "same, glibc keeps freed memory ms/step"]
    rows = []
    notes = []
    for model in models:
        rep = model["runs"]["replica"]
        base = model["runs"]["baseline"]
        ratios = [r / b for r, b in zip(rep, base)]
        r_med, b_med = statistics.median(rep), statistics.median(base)

        def spread(values):
            return (max(values) - min(values)) / statistics.median(values)

        row = [model["name"], str(model["tensors"]),
               f"{model['bytes'] / 1e6:.1f}",
               f"{fmt_ms(r_med)} ({fmt_ms(min(rep))}–{fmt_ms(max(rep))})",
               f"{fmt_ms(b_med)} ({fmt_ms(min(base))}–{fmt_ms(max(base))})",
               f"**{r_med / b_med:.2f}** (per round "
               f"{min(ratios):.2f}–{max(ratios):.2f})"]
        if args.diagnose:
            for key in ("alloc", "alloc_keep"):
                values = model["runs"][key]
                row.append(f"{fmt_ms(statistics.median(values))} "
                           f"({fmt_ms(min(values))}–{fmt_ms(max(values))})")
        rows.append(row)
        for name, values in (("replica", rep), ("baseline", base)):
            if len(values) > 1 and spread(values) > 0.10:
                notes.append(f"{model['name']} {name}: run medians spread "
                             f"{spread(values) * 100:.0f}% (noisy)")
    table = ["| " + " | ".join(cols) + " |",
             "|" + "|".join(["---"] + ["---:"] * (len(cols) - 1)) + "|"]
    table += ["| " + " | ".join(row) + " |" for row in rows]
    footer = [f"Load average at end: {loadavg()}; other runnable processes "
              f"before runs: mean {statistics.mean(busy_seen):.2f}, "
              f"max {max(busy_seen):.2f}"]
    footer += [f"NOTE: {n}" for n in notes]
    footer.append("Cells: median over runs of each run's median step "
                  "(min–max of the run medians); ratio of the medians, and "
                  "the range of the per-round ratios (same-round runs are "
                  "adjacent in time). Target: ratio <= 1.1.")
    log("")
    for line in table + [""] + footer:
        log(line)
    if args.out:
        with open(args.out, "w") as f:
            f.write("```\n" + "\n".join(header) + "\n```\n\n")
            f.write("\n".join(table) + "\n\n")
            f.write("\n".join(footer) + "\n")


if __name__ == "__main__":
    main()
