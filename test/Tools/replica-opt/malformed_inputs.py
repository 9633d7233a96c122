#!/usr/bin/env python3
"""Feeds truncated and garbled variants of the lit corpus to replica-opt.

Every variant must end with exit code 0 (it still parses) or 1 with an
`error:` diagnostic; a crash, an abort or a hang fails the test. Variants are
derived deterministically from the corpus so failures reproduce.
"""

import argparse
import concurrent.futures
import os
import random
import subprocess
import sys
import tempfile

PIPELINES = [
    [],
    ["-replica-decompose-structures", "-canonicalize"],
]

TOKENS = [
    "replica.regroup", "replica.select_replica", "replica.replicate<0>",
    "replica.all_reduce", "replica.yield", "tuple<", "!replica.per_replica<",
    "!replica.mirrored<0 x", "-1", "[%i]", "[99]", "dim 7", "mean", "from 9",
    ">", "(", ")", "{", "}", ":", "->", "x", "%0", "always_wrap", "mirrored",
]


def variants(text, rng, count):
    """Truncations at evenly spread offsets, then random garblings."""
    size = len(text)
    for k in range(1, count + 1):
        yield "truncated", text[: size * k // (count + 1)]
    lines = text.splitlines(keepends=True)
    for _ in range(count):
        kind = rng.choice(["delete-line", "swap-lines", "insert-token",
                           "replace-char", "duplicate-line"])
        mutated = list(lines)
        i = rng.randrange(len(mutated))
        if kind == "delete-line":
            del mutated[i]
        elif kind == "swap-lines":
            j = rng.randrange(len(mutated))
            mutated[i], mutated[j] = mutated[j], mutated[i]
        elif kind == "duplicate-line":
            mutated.insert(i, mutated[i])
        elif kind == "insert-token":
            line = mutated[i]
            pos = rng.randrange(len(line) + 1)
            mutated[i] = line[:pos] + " " + rng.choice(TOKENS) + " " + line[pos:]
        else:
            line = mutated[i]
            if line:
                pos = rng.randrange(len(line))
                mutated[i] = line[:pos] + rng.choice("<>()[]{}%:,x0-#!") + line[pos + 1:]
        yield kind, "".join(mutated)


def run(tool, source, name, kind, pipeline, workdir, timeout):
    fd, path = tempfile.mkstemp(suffix=".mlir", dir=workdir)
    with os.fdopen(fd, "w") as f:
        f.write(source)
    try:
        proc = subprocess.run([tool, path, "-split-input-file"] + pipeline,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              timeout=timeout, text=True, errors="replace")
    except subprocess.TimeoutExpired:
        return f"{name} ({kind}, {pipeline}): hang, kept as {path}"
    ok = proc.returncode == 0 or (proc.returncode == 1 and "error:" in proc.stderr)
    if ok:
        os.unlink(path)
        return None
    return (f"{name} ({kind}, {pipeline}): exit {proc.returncode}, kept as "
            f"{path}\n{proc.stderr[-2000:]}")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("tool")
    parser.add_argument("corpus", nargs="+", help=".mlir files")
    parser.add_argument("--variants", type=int, default=40)
    parser.add_argument("--timeout", type=float, default=20)
    parser.add_argument("--workdir", default=tempfile.gettempdir())
    args = parser.parse_args()

    os.makedirs(args.workdir, exist_ok=True)
    jobs = []
    for path in sorted(args.corpus):
        with open(path) as f:
            text = f.read()
        rng = random.Random(os.path.basename(path))
        for kind, source in variants(text, rng, args.variants):
            for pipeline in PIPELINES:
                jobs.append((source, os.path.basename(path), kind, pipeline))

    failures = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count()) as pool:
        futures = [pool.submit(run, args.tool, *job, args.workdir, args.timeout)
                   for job in jobs]
        for future in futures:
            if future.result():
                failures.append(future.result())
    for failure in failures:
        print("FAIL:", failure)
    print(f"{len(jobs)} malformed inputs, {len(failures)} not diagnosed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
