#!/usr/bin/env python3
"""Differential testing of the cpu and mpi backends of replica-run.

Generates --count random valid programs (gen_programs.py), batched into
modules of one replica count N each, and runs every module with

  replica-run MODULE --backend=cpu
  replica-run MODULE --backend=mpi --np=N

(plus any --run-arg, e.g. --run-arg=--fuse=false; replica-run fuses
reductions by default) then compares what each program printed. Every
printed value is a line

  p<I>.<K> <elem> <bits>, <bits>, ...,

(the elements' bit patterns as integers), printed by replica 0 only (rank 0
under mpi, see gen_programs.py; with --all-ranks by every replica, and every
copy must equal the cpu output). Integers must be equal. Floats must be
within --ulps units in the last place of the larger magnitude, in their own
type (f16: 2^-10, bf16: 2^-7, f32: 2^-23, f64: 2^-52 relative, times
--ulps, default 4); +0 and -0 are equal. The generator keeps every value
exact, so in practice the outputs are bit-identical.

A mismatch or a failed run names the seed, the program (function @p<I>),
its module and a stand-alone reproducer (`prog_<I>.mlir`, regenerated with
`gen_programs.py --seed S --only I`) with the two commands to run it. A
module that fails to compile or run is split into its programs to find the
culprits. Exit status 1 on any failure.

A longer local run: python3 run_differential.py --count 2000 [--seed S].
"""

import argparse
import concurrent.futures
import math
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import threading
import time

sys.dont_write_bytecode = True  # No __pycache__ in the source tree.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_programs  # noqa: E402

LINE = re.compile(r"^(p(\d+)\.\d+) (\w+) (.*)$")
PRECISION = {"f16": 11, "bf16": 8, "f32": 24, "f64": 53}


def decode(elem, bits):
    """The value of a printed element."""
    if elem == "f16":
        return struct.unpack("<e", struct.pack("<H", bits & 0xFFFF))[0]
    if elem == "bf16":
        return struct.unpack("<f", struct.pack("<I",
                                               (bits & 0xFFFF) << 16))[0]
    if elem == "f32":
        return struct.unpack("<f", struct.pack("<I", bits & 0xFFFFFFFF))[0]
    if elem == "f64":
        return struct.unpack("<d", struct.pack("<Q", bits & (2**64 - 1)))[0]
    return bits


def same(elem, a, b, ulps):
    if elem not in PRECISION or a == b:
        return a == b
    x, y = decode(elem, a), decode(elem, b)
    if math.isnan(x) or math.isnan(y):
        return math.isnan(x) and math.isnan(y)
    scale = max(abs(x), abs(y))
    if math.isinf(scale):
        return x == y
    return abs(x - y) <= ulps * 2.0 ** (1 - PRECISION[elem]) * scale


def parse(stdout):
    """{label: [(program, elem, [bits]), ...]} (one entry per printed copy)
    and the lines that are not ours."""
    records, other = {}, []
    for line in stdout.splitlines():
        match = LINE.match(line.strip())
        if not match:
            if line.strip():
                other.append(line)
            continue
        label, program, elem, rest = match.groups()
        values = [int(v) for v in re.findall(r"-?\d+", rest)]
        records.setdefault(label, []).append((int(program), elem, values))
    return records, other


def show(elem, values, limit=12):
    shown = [decode(elem, v) for v in values[:limit]]
    text = ", ".join(repr(v) for v in shown)
    return "[%s%s]" % (text, ", ..." if len(values) > limit else "")


class Runner:
    def __init__(self, args):
        self.args = args
        self.runs = 0
        self.lock = threading.Lock()

    def command(self, path, n, backend):
        cmd = [self.args.replica_run, path, "--backend=" + backend,
               "--timeout=%d" % self.args.timeout] + self.args.run_arg
        if backend == "mpi":
            cmd.append("--np=%d" % n)
        return cmd

    def run(self, path, n, backend):
        """(exit status, stdout, stderr) of one replica-run."""
        with self.lock:
            self.runs += 1
        cmd = self.command(path, n, backend)
        # The tool or its libraries may be briefly missing while the tree
        # is rebuilt: wait for them.
        for attempt in range(30):
            try:
                result = subprocess.run(cmd, capture_output=True, text=True,
                                        timeout=self.args.timeout + 60)
            except OSError:
                if attempt == 29:
                    raise
                time.sleep(10)
                continue
            except subprocess.TimeoutExpired as e:
                out = e.stdout.decode() if isinstance(e.stdout, bytes) else \
                    (e.stdout or "")
                return "timeout", out, "killed after %d s" % (
                    self.args.timeout + 60)
            if result.returncode == 127 and \
                    "error while loading shared libraries" in result.stderr:
                time.sleep(10)
                continue
            return result.returncode, result.stdout, result.stderr
        return result.returncode, result.stdout, result.stderr


def compare(module, cpu, mpi, ulps, copies=1):
    """Mismatches, per program index: {index: [text, ...]}. Each label must
    be printed `copies` times by each backend, every copy equal to the first
    cpu copy."""
    problems = {}

    def add(index, text):
        problems.setdefault(index, []).append(text)

    expected = {}
    for program in module["programs"]:
        for label in program["labels"]:
            expected[label] = program["index"]
    for name, records in (("cpu", cpu), ("mpi", mpi)):
        for label, index in expected.items():
            if len(records.get(label, [])) != copies:
                add(index, "%s: %s printed %d times, expected %d" %
                    (name, label, len(records.get(label, [])), copies))
        for label, entries in records.items():
            if label not in expected:
                add(entries[0][0], "%s: unexpected %s" % (name, label))
    for label, index in expected.items():
        if not cpu.get(label) or not mpi.get(label):
            continue
        _, elem, a = cpu[label][0]
        others = [("cpu", e) for e in cpu[label][1:]] + \
            [("mpi", e) for e in mpi[label]]
        for name, (_, elem_b, b) in others:
            if elem != elem_b or len(a) != len(b):
                add(index, "%s: cpu %s x%d, %s %s x%d" %
                    (label, elem, len(a), name, elem_b, len(b)))
                break
            bad = [i for i, (x, y) in enumerate(zip(a, b))
                   if not same(elem, x, y, ulps)]
            if bad:
                i = bad[0]
                add(index, "%s %s: %d of %d elements differ; first at [%d]: "
                    "cpu %r, %s %r\n      cpu %s\n      %s %s" %
                    (label, elem, len(bad), len(a), i, decode(elem, a[i]),
                     name, decode(elem, b[i]), show(elem, a), name,
                     show(elem, b)))
                break
    return problems


def copies(args, n):
    """How many times each backend prints each line."""
    return n if args.all_ranks else 1


def gen_flags(args):
    flags = ["--all-ranks"] if args.all_ranks else []
    for feature in args.disable:
        flags += ["--disable", feature]
    return flags


def reproducer(args, runner, index):
    """Writes prog_<index>.mlir on its own; returns (path, n)."""
    directory = os.path.join(args.out, "repro")
    manifest = gen_programs.main(["--seed", args.seed, "--only", str(index),
                                  "--out", directory] + gen_flags(args))
    module = manifest["modules"][0]
    return module["path"], module["n"]


def check_module(args, runner, module):
    """Runs one module on both backends; returns a list of failure reports."""
    path, n = module["path"], module["n"]
    cpu = runner.run(path, n, "cpu")
    mpi = runner.run(path, n, "mpi")
    reports = []
    if cpu[0] != 0 or mpi[0] != 0:
        reports += isolate(args, runner, module, cpu, mpi)
        if reports:
            return reports
    cpu_records, cpu_other = parse(cpu[1])
    mpi_records, mpi_other = parse(mpi[1])
    problems = compare(module, cpu_records, mpi_records, args.ulps,
                       copies(args, n))
    for index in sorted(problems):
        repro, repro_n = reproducer(args, runner, index)
        alone = compare_alone(args, runner, repro, repro_n)
        reports.append(report(args, runner, "MISMATCH", index, module,
                              problems[index] + [alone], repro, repro_n))
    if cpu_other or mpi_other:
        reports.append("UNEXPECTED OUTPUT in %s (seed %s)\n  cpu: %s\n  "
                       "mpi: %s" % (path, args.seed, cpu_other[:5],
                                    mpi_other[:5]))
    return reports


def compare_alone(args, runner, path, n):
    """Whether the stand-alone reproducer mismatches too."""
    manifest_module = {"programs": []}
    outputs = []
    for backend in ("cpu", "mpi"):
        status, stdout, _ = runner.run(path, n, backend)
        if status != 0:
            return "reproducer alone: %s exits with %s" % (backend, status)
        outputs.append(parse(stdout)[0])
    labels = sorted(set(outputs[0]) | set(outputs[1]))
    manifest_module["programs"].append(
        {"index": -1, "labels": labels})
    problems = compare(manifest_module, outputs[0], outputs[1], args.ulps,
                       copies(args, n))
    return "reproducer alone: %s" % ("mismatches too" if problems else
                                     "does NOT mismatch")


def isolate(args, runner, module, cpu, mpi):
    """A module failed to run: find the programs that fail on their own."""
    reports = []
    for program in module["programs"]:
        index = program["index"]
        path, n = reproducer(args, runner, index)
        details = []
        for backend in ("cpu", "mpi"):
            status, _, stderr = runner.run(path, n, backend)
            if status != 0:
                details.append("%s: exit %s\n%s" % (
                    backend, status, indent(tail(stderr))))
        if details:
            reports.append(report(args, runner, "FAILED RUN", index, module,
                                  details, path, n))
    if not reports:
        reports.append("FAILED RUN of %s (seed %s), but each of its programs "
                       "passes alone\n  cpu: exit %s\n%s\n  mpi: exit %s\n%s"
                       % (module["path"], args.seed, cpu[0],
                          indent(tail(cpu[2])), mpi[0], indent(tail(mpi[2]))))
    return reports


def tail(text, lines=12):
    return "\n".join(text.strip().splitlines()[-lines:])


def indent(text, prefix="      "):
    return "\n".join(prefix + line for line in text.splitlines())


def report(args, runner, what, index, module, details, path=None, n=None):
    if path is None:
        path, n = reproducer(args, runner, index)
    flags = " ".join(gen_flags(args))
    return "\n".join(
        ["%s: seed %s, program %d (@p%d, %d replicas)" %
         (what, args.seed, index, index, n),
         "  module:     %s" % module["path"],
         "  reproducer: %s" % path,
         "  regenerate: %s %s --seed %s --only %d --out DIR%s" %
         (sys.executable, os.path.join(os.path.dirname(__file__),
                                       "gen_programs.py"),
          args.seed, index, " " + flags if flags else ""),
         "  run:        %s" % " ".join(runner.command(path, n, "cpu")),
         "              %s" % " ".join(runner.command(path, n, "mpi"))] +
        ["  " + d for d in details])


def find_replica_run():
    found = shutil.which("replica-run")
    if found:
        return found
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.normpath(os.path.join(here, "..", "..", "..", "build",
                                         "bin", "replica-run"))


def main():
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="\n".join(__doc__.split("\n")[1:]))
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--seed", default="1")
    parser.add_argument("--first", type=int, default=0,
                        help="index of the first program")
    parser.add_argument("--only", type=int, action="append", default=[],
                        help="run just program I (repeatable)")
    parser.add_argument("--per-file", type=int, default=16,
                        help="programs per module (one replica-run each)")
    parser.add_argument("--out", help="directory for the generated modules, "
                        "outputs and reproducers (default: a new temporary "
                        "directory)")
    parser.add_argument("--replica-run", default=find_replica_run())
    parser.add_argument("--run-arg", action="append", default=[],
                        help="extra replica-run argument (repeatable), e.g. "
                        "--run-arg=--fuse=false")
    parser.add_argument("--jobs", type=int, default=2,
                        help="modules checked at once")
    parser.add_argument("--timeout", type=int, default=300,
                        help="seconds for one replica-run")
    parser.add_argument("--ulps", type=float, default=4)
    parser.add_argument("--all-ranks", action="store_true",
                        help="every replica (every mpi rank) prints every "
                        "line, and all copies must equal the cpu output; "
                        "OpenMPI splits lines of ranks that print more than "
                        "a few KB, so use small --per-file")
    parser.add_argument("--disable", action="append", default=[],
                        choices=gen_programs.FEATURES)
    args = parser.parse_args()
    args.out = os.path.abspath(args.out or tempfile.mkdtemp(
        prefix="replica-differential-"))
    os.makedirs(args.out, exist_ok=True)

    start = time.time()
    gen_args = ["--seed", args.seed, "--per-file", str(args.per_file),
                "--out", os.path.join(args.out, "modules")] + gen_flags(args)
    if args.only:
        for index in args.only:
            gen_args += ["--only", str(index)]
    else:
        gen_args += ["--count", str(args.count), "--first", str(args.first)]
    manifest = gen_programs.main(gen_args)
    modules = manifest["modules"]
    programs = sum(len(m["programs"]) for m in modules)
    by_n = {}
    for m in modules:
        by_n[m["n"]] = by_n.get(m["n"], 0) + len(m["programs"])

    runner = Runner(args)
    failures = []
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        futures = [pool.submit(check_module, args, runner, m)
                   for m in modules]
        for future in futures:
            failures += future.result()
    for failure in failures:
        print(failure, flush=True)
        print()
    print("seed %s: %d programs (%s) in %d modules, %d replica-run "
          "invocations, %.1f s: %d failed" % (
              args.seed, programs,
              ", ".join("%d with %d replicas" % (by_n[n], n)
                        for n in sorted(by_n)),
              len(modules), runner.runs, time.time() - start, len(failures)))
    print("output in %s" % args.out)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
