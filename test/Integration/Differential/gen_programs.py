#!/usr/bin/env python3
"""Generates random valid replica programs for differential testing.

Each *program* is one function `@p<I>` that builds distributed values,
combines them with collectives (cross-replica and in-replica forms), nests,
loops and arithmetic, and prints some of its results. Programs are batched
into modules (`batch_n<N>_<K>.mlir`, one replica count N per module, as
replica-to-spmd requires) whose `@main` calls each program in turn, so one
`replica-run` per backend runs many programs.

Program I depends only on (--seed, I): `random.Random("<seed>-<I>")`, so a
failing program can be regenerated on its own with `--only I`.

Values stay exact in every element type: the generator tracks, for every
value, a bound on its magnitude and its granularity (all elements are
multiples of 2^-gran) and only emits an operation whose result, and whose
reduction accumulator, is exactly representable (integers never overflow,
floats never round). Cross-replica sums, means and products are then
independent of the order a backend reduces in, so the cpu and mpi outputs
must agree; the comparison still allows a few ulp (run_differential.py).

Printing: only replica 0 prints (a `scf.if` on `replica.replica_id` inside
a `replica.replicate`), so the cpu backend prints each line once and, under
mpirun, only rank 0 writes: OpenMPI interleaves the stdout of several ranks
at arbitrary byte offsets, splitting lines, once there is more than a few KB
of it. Other ranks' values reach rank 0 through `select_replica` / `unpack`
of per-replica values (broadcasts from their owner on mpi); a mirrored value
is sometimes turned back into a per-replica one and unpacked, so every rank's
copy is printed. With --all-ranks every replica prints every line instead
(keep modules small then). Every element is printed as the integer of its
bits (`arith.bitcast`), one line per value:

  p<I>.<K> <elem> <int>, <int>, ...,

The manifest (`manifest.json` in --out) lists every module, its N and the
labels each program prints.
"""

import argparse
import json
import math
import os
import random
import sys

ELEMS = ["f32", "f64", "i32", "i64", "f16", "bf16"]
FLOAT_PRECISION = {"f16": 11, "bf16": 8, "f32": 24, "f64": 53}
INT_WIDTH = {"i32": 32, "i64": 64}
BITS_TYPE = {"f16": "i16", "bf16": "i16", "f32": "i32", "f64": "i64",
             "i32": "i32", "i64": "i64"}
KINDS = ["sum", "mean", "max", "min", "prod"]
# Largest magnitude of a generated constant, per element type.
MAGNITUDE = {"bf16": 4, "f16": 6, "f32": 9, "f64": 12, "i32": 9, "i64": 12}

# Features that can be switched off with --disable (to isolate a bug).
FEATURES = [
    "regroup", "replicate", "all_reduce", "batch_all_reduce", "reduce_to",
    "broadcast", "all_gather", "select_replica", "unpack", "nest", "loop",
    "arith", "convert", "dynamic_index", "in_replica_reduce_to",
    "mirror_check", "loop_tensor",
]


def is_float(elem):
    return elem in FLOAT_PRECISION


def is_exact(elem, bound, gran):
    """Whether every multiple of 2^-gran up to `bound` is exact in `elem`."""
    if is_float(elem):
        return bound * 2 ** gran <= 2 ** FLOAT_PRECISION[elem]
    return gran == 0 and bound <= 2 ** (INT_WIDTH[elem] - 2)


def accumulator(elem):
    """The type a backend reduces `elem` in (16-bit floats widen to f32)."""
    return "f32" if elem in ("f16", "bf16") else elem


def reduce_bounds(kind, bound, gran, n):
    """(bound, gran) of the reduction of n values, and of its accumulator."""
    if kind == "sum":
        return (bound * n, gran), (bound * n, gran)
    if kind == "mean":
        return (bound, gran + int(math.log2(n))), (bound * n, gran)
    if kind == "prod":
        return (bound ** n, gran * n), (bound ** n, gran * n)
    return (bound, gran), (bound, gran)


class Ty:
    """A leaf type: a bare scalar (shape None) or a ranked tensor."""

    def __init__(self, elem, shape):
        self.elem = elem
        self.shape = None if shape is None else tuple(shape)

    def __str__(self):
        if self.shape is None:
            return self.elem
        return "tensor<" + "".join("%dx" % d for d in self.shape) + \
            self.elem + ">"

    def __eq__(self, other):
        return (self.elem, self.shape) == (other.elem, other.shape)

    def __hash__(self):
        return hash((self.elem, self.shape))

    @property
    def rank(self):
        return 0 if self.shape is None else len(self.shape)

    @property
    def numel(self):
        return 1 if self.shape is None else math.prod(self.shape)

    def with_elem(self, elem):
        return Ty(elem, self.shape)


class Val:
    """One SSA value: a local (dist None) or distributed leaf value.

    `bound` bounds |element| over every replica's component, `gran` says all
    elements are multiples of 2^-gran."""

    def __init__(self, name, ty, dist, bound, gran):
        self.name = name
        self.ty = ty
        self.dist = dist  # None, "per_replica" or "mirrored"
        self.bound = bound
        self.gran = gran

    def type_str(self, n):
        if self.dist is None:
            return str(self.ty)
        return "!replica.%s<%d x %s>" % (self.dist, n, self.ty)


def literal(elem, value):
    if is_float(elem):
        text = repr(float(value))
        return "0.0" if text == "-0.0" else text
    return str(int(value))


def dense(ty, values):
    """`values`, a flat list, as a dense literal of `ty`'s shape."""
    def nest(flat, shape):
        if not shape:
            return literal(ty.elem, flat[0])
        step = len(flat) // shape[0]
        return "[" + ", ".join(nest(flat[i * step:(i + 1) * step], shape[1:])
                               for i in range(shape[0])) + "]"
    return "dense<%s>" % nest(values, ty.shape)


class Program:
    """Generates one program, the function @p<index>, over n replicas."""

    def __init__(self, seed, index, disabled=(), all_ranks=False):
        self.rng = random.Random("%s-%d" % (seed, index))
        self.index = index
        self.all_ranks = all_ranks
        self.n = self.rng.choice([2, 4])
        self.disabled = set(disabled)
        self.lines = []
        self.depth = 1
        self.counter = 0
        self.pool = []  # top-level values
        self.labels = []
        self.elems = set()

    # --- emission helpers ---------------------------------------------------
    def fresh(self):
        self.counter += 1
        return "%%v%d" % self.counter

    def emit(self, text):
        self.lines.append("  " * self.depth + text)

    def on(self, feature):
        return feature not in self.disabled

    def chance(self, p):
        return self.rng.random() < p

    def rand_ty(self, elem=None, min_rank=-1):
        rng = self.rng
        elem = elem or rng.choice(ELEMS)
        rank = rng.choice([-1, 0, 1, 1, 2, 2, 3])
        rank = max(rank, min_rank)
        if rank < 0:
            return Ty(elem, None)
        limit = {0: 1, 1: 5, 2: 3, 3: 2}[rank]
        return Ty(elem, [rng.randint(1, limit) for _ in range(rank)])

    def rand_values(self, ty, magnitude=None, gran=None):
        """Random elements of `ty`: (flat list, bound, gran)."""
        rng = self.rng
        magnitude = magnitude or MAGNITUDE[ty.elem]
        if gran is None:
            gran = 1 if is_float(ty.elem) and self.chance(0.25) else 0
        scale = 2 ** gran
        values = [rng.randint(-magnitude * scale, magnitude * scale) / scale
                  for _ in range(ty.numel)]
        if not is_float(ty.elem):
            values = [int(v) for v in values]
        bound = max(abs(v) for v in values)
        return values, bound, gran

    def constant(self, ty, values):
        name = self.fresh()
        if ty.shape is None:
            self.emit("%s = arith.constant %s : %s" %
                      (name, literal(ty.elem, values[0]), ty))
        else:
            self.emit("%s = arith.constant %s : %s" %
                      (name, dense(ty, values), ty))
        return name

    def index_constant(self, value):
        name = self.fresh()
        self.emit("%s = arith.constant %d : index" % (name, value))
        return name

    def pick(self, pool, pred=lambda v: True):
        choices = [v for v in pool if pred(v)]
        if not choices:
            return None
        # Prefer recent values: longer dependent chains.
        weights = [1 + i for i in range(len(choices))]
        return self.rng.choices(choices, weights)[0]

    def pick_kind(self, vals, n=None):
        """A reduction kind whose result and accumulator stay exact for all
        `vals`; None if there is none."""
        n = n or self.n
        candidates = []
        for kind in KINDS:
            if kind == "mean" and any(not is_float(v.ty.elem) for v in vals):
                continue
            ok = True
            for v in vals:
                (b, g), (ab, ag) = reduce_bounds(kind, v.bound, v.gran, n)
                if not is_exact(v.ty.elem, b, g) or \
                        not is_exact(accumulator(v.ty.elem), ab, ag):
                    ok = False
            if ok:
                candidates.append(kind)
        return self.rng.choice(candidates) if candidates else None

    def reduced(self, v, kind, name, dist):
        (b, g), _ = reduce_bounds(kind, v.bound, v.gran, self.n)
        return Val(name, v.ty, dist, b, g)

    # --- arithmetic shared by both contexts ----------------------------------
    def binop(self, a, b, dist=None):
        """An exact elementwise op on two values of one type, or None."""
        elem = a.ty.elem
        ops = []
        gran = max(a.gran, b.gran)
        for op, bound, g in [("add", a.bound + b.bound, gran),
                             ("sub", a.bound + b.bound, gran),
                             ("mul", a.bound * b.bound, a.gran + b.gran),
                             ("max", max(a.bound, b.bound), gran),
                             ("min", max(a.bound, b.bound), gran)]:
            if is_exact(elem, bound, g):
                ops.append((op, bound, g))
        if not ops:
            return None
        op, bound, g = self.rng.choice(ops)
        if is_float(elem):
            mnemonic = {"add": "addf", "sub": "subf", "mul": "mulf",
                        "max": "maximumf", "min": "minimumf"}[op]
        else:
            mnemonic = {"add": "addi", "sub": "subi", "mul": "muli",
                        "max": "maxsi", "min": "minsi"}[op]
        name = self.fresh()
        self.emit("%s = arith.%s %s, %s : %s" %
                  (name, mnemonic, a.name, b.name, a.ty))
        return Val(name, a.ty, dist, bound, g)

    def convert(self, v):
        """`v` converted exactly to another element type, or None."""
        targets = [e for e in ELEMS if e != v.ty.elem and
                   is_exact(e, v.bound, v.gran)]
        if not targets:
            return None
        elem = self.rng.choice(targets)
        src, ty = v.ty.elem, v.ty.with_elem(elem)
        if is_float(src) and is_float(elem):
            # extf/truncf need a strictly wider/narrower type; f16 <-> bf16
            # goes through f32.
            width = {"f16": 16, "bf16": 16, "f32": 32, "f64": 64}
            if width[src] == width[elem]:
                mid = self.fresh()
                self.emit("%s = arith.extf %s : %s to %s" %
                          (mid, v.name, v.ty, v.ty.with_elem("f32")))
                name = self.fresh()
                self.emit("%s = arith.truncf %s : %s to %s" %
                          (name, mid, v.ty.with_elem("f32"), ty))
                return Val(name, ty, None, v.bound, v.gran)
            op = "extf" if width[elem] > width[src] else "truncf"
        elif is_float(src):
            op = "fptosi"
        elif is_float(elem):
            op = "sitofp"
        else:
            op = "extsi" if elem == "i64" else "trunci"
        name = self.fresh()
        self.emit("%s = arith.%s %s : %s to %s" % (name, op, v.name, v.ty, ty))
        return Val(name, ty, None, v.bound, v.gran)

    def splat(self, scalar, ty):
        """The scalar `scalar` (of ty's element type) in the shape of ty."""
        if ty.shape is None:
            return scalar
        name = self.fresh()
        if ty.rank == 0:
            self.emit("%s = tensor.from_elements %s : %s" % (name, scalar, ty))
        else:
            self.emit("%s = tensor.splat %s : %s" % (name, scalar, ty))
        return name

    def id_as(self, elem, id_name):
        """The replica id as a scalar of `elem`."""
        width = "i64" if elem in ("i64", "f64") else "i32"
        cast = self.fresh()
        self.emit("%s = arith.index_cast %s : index to %s" %
                  (cast, id_name, width))
        if not is_float(elem):
            return cast
        name = self.fresh()
        self.emit("%s = arith.sitofp %s : %s to %s" %
                  (name, cast, width, elem))
        return name

    # --- top level: sources --------------------------------------------------
    def source_regroup(self):
        ty = self.rand_ty()
        if self.chance(0.15):
            values, bound, gran = self.rand_values(ty)
            c = self.constant(ty, values)
            # Equal operands: either one SSA value or equal constants.
            ops = [c if self.chance(0.5) else self.constant(ty, values)
                   for _ in range(self.n)]
            name = self.fresh()
            result = Val(name, ty, "mirrored", bound, gran)
            self.emit("%s = replica.regroup %s mirrored : %s -> %s" %
                      (name, ", ".join(ops), ty, result.type_str(self.n)))
        else:
            ops, bound, gran = [], 0, 0
            for _ in range(self.n):
                values, b, g = self.rand_values(ty)
                ops.append(self.constant(ty, values))
                bound, gran = max(bound, b), max(gran, g)
            name = self.fresh()
            result = Val(name, ty, "per_replica", bound, gran)
            self.emit("%s = replica.regroup %s : %s -> %s" %
                      (name, ", ".join(ops), ty, result.type_str(self.n)))
        self.pool.append(result)
        return True

    def source_replicate(self, ty=None):
        """A per-replica value computed from the replica id."""
        ty = ty or self.rand_ty()
        values, bound, gran = self.rand_values(ty)
        name = self.fresh()
        result = Val(name, ty, "per_replica", 0, gran)
        self.emit("%s = replica.replicate<%d> () : () -> (%s) {" %
                  (name, self.n, result.type_str(self.n)))
        self.depth += 1
        base = self.constant(ty, values)
        rid = self.fresh()
        self.emit("%s = replica.replica_id : index" % rid)
        if self.chance(0.3):
            # One replica differs: a select on the id.
            other_values, other_bound, other_gran = self.rand_values(ty)
            other = self.constant(ty, other_values)
            k = self.index_constant(self.rng.randrange(self.n))
            cond = self.fresh()
            self.emit("%s = arith.cmpi eq, %s, %s : index" % (cond, rid, k))
            out = self.fresh()
            self.emit("%s = arith.select %s, %s, %s : %s" %
                      (out, cond, other, base, ty))
            result.bound = max(bound, other_bound)
            result.gran = max(gran, other_gran)
        else:
            scale = self.rng.choice([1, 2, -1, 3])
            scalar = self.id_as(ty.elem, rid)
            factor = self.fresh()
            self.emit("%s = arith.constant %s : %s" %
                      (factor, literal(ty.elem, scale), ty.elem))
            mnemonic = "mulf" if is_float(ty.elem) else "muli"
            scaled = self.fresh()
            self.emit("%s = arith.%s %s, %s : %s" %
                      (scaled, mnemonic, scalar, factor, ty.elem))
            spread = self.splat(scaled, ty)
            out = self.fresh()
            self.emit("%s = arith.%s %s, %s : %s" %
                      (out, "addf" if is_float(ty.elem) else "addi",
                       base, spread, ty))
            result.bound = bound + (self.n - 1) * abs(scale)
        self.emit("replica.yield %s : %s" % (out, ty))
        self.depth -= 1
        self.emit("}")
        self.pool.append(result)
        return True

    def source_nest(self):
        """Per-replica structures regrouped into a structure of distributed
        values; leaves taken back out with tuple_get, and one replica's view
        with select_replica of the whole structure."""
        tys = [self.rand_ty() for _ in range(3)]
        nested = self.chance(0.5)

        def tuple_type(leaves):
            if nested:
                return "tuple<%s, tuple<%s, %s>>" % tuple(leaves)
            return "tuple<%s, %s, %s>" % tuple(leaves)

        local_type = tuple_type([str(t) for t in tys])
        tuples, bounds, grans = [], [0, 0, 0], [0, 0, 0]
        # Leaf 2 is the same SSA value on every replica half the time: it
        # may stay unwrapped (TF's same-id case) but is wrapped here.
        shared = None
        for _ in range(self.n):
            leaves = []
            for j, ty in enumerate(tys):
                if j == 2 and shared is not None:
                    leaves.append(shared)
                    continue
                values, b, g = self.rand_values(ty)
                leaves.append(self.constant(ty, values))
                bounds[j], grans[j] = max(bounds[j], b), max(grans[j], g)
                if j == 2 and self.chance(0.5):
                    shared = leaves[-1]
            if nested:
                inner = self.fresh()
                self.emit("%s = replica.tuple %s, %s : tuple<%s, %s>" %
                          (inner, leaves[1], leaves[2], tys[1], tys[2]))
                t = self.fresh()
                self.emit("%s = replica.tuple %s, %s : %s" %
                          (t, leaves[0], inner, local_type))
            else:
                t = self.fresh()
                self.emit("%s = replica.tuple %s : %s" %
                          (t, ", ".join(leaves), local_type))
            tuples.append(t)
        dists = [Val(None, ty, "per_replica", b, g)
                 for ty, b, g in zip(tys, bounds, grans)]
        dist_type = tuple_type([d.type_str(self.n) for d in dists])
        s = self.fresh()
        self.emit("%s = replica.regroup %s : %s -> %s" %
                  (s, ", ".join(tuples), local_type, dist_type))
        # Leaves back out.
        if nested:
            inner_dist = "tuple<%s, %s>" % (dists[1].type_str(self.n),
                                            dists[2].type_str(self.n))
            inner = self.fresh()
            self.emit("%s = replica.tuple_get %s[1] : %s -> %s" %
                      (inner, s, dist_type, inner_dist))
            paths = [(s, dist_type, 0), (inner, inner_dist, 0),
                     (inner, inner_dist, 1)]
        else:
            paths = [(s, dist_type, j) for j in range(3)]
        for d, (src, src_type, j) in zip(dists, paths):
            if self.chance(0.7):
                d.name = self.fresh()
                self.emit("%s = replica.tuple_get %s[%d] : %s -> %s" %
                          (d.name, src, j, src_type, d.type_str(self.n)))
                self.pool.append(d)
        if self.on("select_replica") and self.chance(0.6):
            # One replica's view of the whole structure.
            k = self.rng.randrange(self.n)
            index = "%d" % k
            if self.on("dynamic_index") and self.chance(0.4):
                index = self.index_constant(k)
            view = self.fresh()
            self.emit("%s = replica.select_replica %s[%s] : %s -> %s" %
                      (view, s, index, dist_type, local_type))
            j = self.rng.randrange(3)
            if nested and j > 0:
                inner = self.fresh()
                inner_type = "tuple<%s, %s>" % (tys[1], tys[2])
                self.emit("%s = replica.tuple_get %s[1] : %s -> %s" %
                          (inner, view, local_type, inner_type))
                src, src_type, pos = inner, inner_type, j - 1
            else:
                src, src_type, pos = view, local_type, j
            leaf = self.fresh()
            self.emit("%s = replica.tuple_get %s[%d] : %s -> %s" %
                      (leaf, src, pos, src_type, tys[j]))
            self.pool.append(Val(leaf, tys[j], None, bounds[j], grans[j]))
        return True

    # --- top level: cross-replica collectives --------------------------------
    def dists(self, pred=lambda v: True):
        return lambda v: v.dist is not None and pred(v)

    def op_all_reduce(self):
        v = self.pick(self.pool, self.dists())
        kind = v and self.pick_kind([v])
        if not kind:
            return False
        name = self.fresh()
        self.emit("%s = replica.all_reduce %s %s : %s" %
                  (name, kind, v.name, v.type_str(self.n)))
        self.pool.append(self.reduced(v, kind, name, "mirrored"))
        return True

    def op_batch_all_reduce(self):
        count = self.rng.randint(2, 4)
        vals = []
        for _ in range(count):
            v = self.pick(self.pool, self.dists())
            if v:
                vals.append(v)
        kind = self.pick_kind(vals) if len(vals) >= 2 else None
        if not kind:
            return False
        name = self.fresh()
        self.emit("%s:%d = replica.batch_all_reduce %s %s : %s" %
                  (name, len(vals), kind, ", ".join(v.name for v in vals),
                   ", ".join(v.type_str(self.n) for v in vals)))
        for i, v in enumerate(vals):
            self.pool.append(self.reduced(v, kind, "%s#%d" % (name, i),
                                          "mirrored"))
        return True

    def op_reduce_to(self):
        v = self.pick(self.pool, self.dists())
        kind = v and self.pick_kind([v])
        if not kind:
            return False
        name = self.fresh()
        self.emit("%s = replica.reduce_to %s %s to %d : %s" %
                  (name, kind, v.name, self.rng.randrange(self.n),
                   v.type_str(self.n)))
        self.pool.append(self.reduced(v, kind, name, None))
        return True

    def op_broadcast(self):
        v = self.pick(self.pool, lambda v: v.dist is None)
        if not v:
            return False
        name = self.fresh()
        result = Val(name, v.ty, "mirrored", v.bound, v.gran)
        self.emit("%s = replica.broadcast %s : %s -> %s" %
                  (name, v.name, v.ty, result.type_str(self.n)))
        self.pool.append(result)
        return True

    def op_all_gather(self):
        v = self.pick(self.pool, self.dists(lambda v: v.ty.rank >= 1))
        if not v:
            return False
        dim = self.rng.randrange(v.ty.rank)
        shape = list(v.ty.shape)
        shape[dim] *= self.n
        name = self.fresh()
        result = Val(name, Ty(v.ty.elem, shape), "mirrored", v.bound, v.gran)
        self.emit("%s = replica.all_gather %s dim %d : %s -> %s" %
                  (name, v.name, dim, v.type_str(self.n),
                   result.type_str(self.n)))
        self.pool.append(result)
        return True

    def select(self, v, k):
        """Replica k's component of the distributed `v`, a local value."""
        index = "%d" % k
        if self.on("dynamic_index") and self.chance(0.3):
            index = self.index_constant(k)
        name = self.fresh()
        self.emit("%s = replica.select_replica %s[%s] : %s -> %s" %
                  (name, v.name, index, v.type_str(self.n), v.ty))
        return Val(name, v.ty, None, v.bound, v.gran)

    def unpack(self, v):
        name = self.fresh()
        self.emit("%s:%d = replica.unpack %s : %s" %
                  (name, self.n, v.name, v.type_str(self.n)))
        return [Val("%s#%d" % (name, k), v.ty, None, v.bound, v.gran)
                for k in range(self.n)]

    def op_select_replica(self):
        v = self.pick(self.pool, self.dists())
        if not v:
            return False
        self.pool.append(self.select(v, self.rng.randrange(self.n)))
        return True

    def op_unpack_regroup(self):
        """Components taken apart (unpack or select_replica) and regrouped
        in another order."""
        v = self.pick(self.pool, self.dists())
        if not v:
            return False
        if self.on("unpack") and self.chance(0.6):
            parts = self.unpack(v)
        else:
            parts = [self.select(v, k) for k in range(self.n)]
        order = list(range(self.n))
        self.rng.shuffle(order)
        if self.chance(0.5):
            self.pool.append(self.rng.choice(parts))
        name = self.fresh()
        result = Val(name, v.ty, "per_replica", v.bound, v.gran)
        self.emit("%s = replica.regroup %s : %s -> %s" %
                  (name, ", ".join(parts[k].name for k in order), v.ty,
                   result.type_str(self.n)))
        self.pool.append(result)
        return True

    def op_arith(self):
        a = self.pick(self.pool, lambda v: v.dist is None)
        if not a:
            return False
        b = self.pick(self.pool, lambda v: v.dist is None and v.ty == a.ty)
        if b is None or self.chance(0.3):
            values, bound, gran = self.rand_values(a.ty)
            b = Val(self.constant(a.ty, values), a.ty, None, bound, gran)
        result = self.binop(a, b)
        if result:
            self.pool.append(result)
        return bool(result)

    def op_convert(self):
        v = self.pick(self.pool, lambda v: v.dist is None)
        result = v and self.convert(v)
        if not result:
            return False
        self.pool.append(result)
        return True

    # --- top level: replicate ------------------------------------------------
    def op_replicate(self):
        """A replicate body over pool values (maybe packed into tuples) with
        in-replica collectives; its yields are per-replica values."""
        operands = []
        for _ in range(self.rng.randint(0, 3)):
            v = self.pick(self.pool)
            if v and v not in operands:
                operands.append(v)
        # Operand groups: a single value or a tuple of values.
        groups = []
        i = 0
        while i < len(operands):
            if self.on("nest") and i + 1 < len(operands) and self.chance(0.35):
                groups.append(operands[i:i + 2])
                i += 2
            else:
                groups.append([operands[i]])
                i += 1
        inputs = []
        for group in groups:
            if len(group) == 1:
                inputs.append((group[0].name, group[0].type_str(self.n)))
                continue
            t = self.fresh()
            t_type = "tuple<%s>" % ", ".join(v.type_str(self.n) for v in group)
            self.emit("%s = replica.tuple %s : %s" %
                      (t, ", ".join(v.name for v in group), t_type))
            inputs.append((t, t_type))
        args = [self.fresh() for _ in groups]
        header_at = len(self.lines)
        self.emit("")  # The header, filled in once the yields are known.
        self.depth += 1
        body = Body(self)
        for arg, group in zip(args, groups):
            if len(group) == 1:
                v = group[0]
                body.pool.append(Val(arg, v.ty, None, v.bound, v.gran))
                continue
            local_type = "tuple<%s>" % ", ".join(str(v.ty) for v in group)
            for j, v in enumerate(group):
                leaf = self.fresh()
                self.emit("%s = replica.tuple_get %s[%d] : %s -> %s" %
                          (leaf, arg, j, local_type, v.ty))
                body.pool.append(Val(leaf, v.ty, None, v.bound, v.gran))
        body.run(self.rng.randint(2, 6))
        yields = body.choose_yields()
        # Yield groups: one value, or two as a tuple.
        yield_groups = []
        i = 0
        while i < len(yields):
            if self.on("nest") and i + 1 < len(yields) and self.chance(0.3):
                yield_groups.append(yields[i:i + 2])
                i += 2
            else:
                yield_groups.append([yields[i]])
                i += 1
        names, types, result_types = [], [], []
        for group in yield_groups:
            if len(group) == 1:
                names.append(group[0].name)
                types.append(str(group[0].ty))
                result_types.append(
                    Val(None, group[0].ty, "per_replica", 0, 0)
                    .type_str(self.n))
                continue
            t = self.fresh()
            t_type = "tuple<%s>" % ", ".join(str(v.ty) for v in group)
            self.emit("%s = replica.tuple %s : %s" %
                      (t, ", ".join(v.name for v in group), t_type))
            names.append(t)
            types.append(t_type)
            result_types.append("tuple<%s>" % ", ".join(
                Val(None, v.ty, "per_replica", 0, 0).type_str(self.n)
                for v in group))
        if names:
            self.emit("replica.yield %s : %s" %
                      (", ".join(names), ", ".join(types)))
        else:
            self.emit("replica.yield")
        self.depth -= 1
        self.emit("}")
        result = self.fresh()
        count = len(yield_groups)
        lhs = "" if count == 0 else \
            ("%s = " % result if count == 1 else "%s:%d = " % (result, count))
        self.lines[header_at] = "  " * self.depth + \
            "%sreplica.replicate<%d> (%s) : (%s) -> (%s) {" % (
                lhs, self.n,
                ", ".join("%s = %s" % (a, name)
                          for a, (name, _) in zip(args, inputs)),
                ", ".join(t for _, t in inputs), ", ".join(result_types))
        for i, (group, rtype) in enumerate(zip(yield_groups, result_types)):
            value = result if count == 1 else "%s#%d" % (result, i)
            if len(group) == 1:
                v = group[0]
                self.pool.append(Val(value, v.ty, "per_replica", v.bound,
                                     v.gran))
                continue
            for j, v in enumerate(group):
                leaf = self.fresh()
                d = Val(leaf, v.ty, "per_replica", v.bound, v.gran)
                self.emit("%s = replica.tuple_get %s[%d] : %s -> %s" %
                          (leaf, value, j, rtype, d.type_str(self.n)))
                self.pool.append(d)
        return True

    # --- top level: loop ----------------------------------------------------
    def loop_carries(self, v):
        """Whether an scf.for may carry `v`."""
        return v.ty.shape is None or self.on("loop_tensor")

    def op_loop(self):
        """scf.for carrying a distributed value through a replicate body and
        a cross-replica collective each iteration."""
        carried = self.dists(self.loop_carries)
        if not self.pick(self.pool, carried):
            self.source_replicate(Ty(self.rng.choice(ELEMS), None))
        v = self.pick(self.pool, carried)
        # Two or three trips: canonicalization replaces a loop of one trip
        # by its body.
        trips = self.rng.randint(2, 3)
        add_id = self.chance(0.5)
        # Bounds after each trip; one kind for the whole loop.
        kinds = [k for k in KINDS if k != "mean" or is_float(v.ty.elem)]
        self.rng.shuffle(kinds)
        chosen = None
        for kind in kinds + ["max"]:
            bound, gran, ok = v.bound, v.gran, True
            for _ in range(trips):
                if add_id:
                    bound += self.n - 1
                (b, g), (ab, ag) = reduce_bounds(kind, bound, gran, self.n)
                if not is_exact(v.ty.elem, b, g) or \
                        not is_exact(accumulator(v.ty.elem), ab, ag):
                    ok = False
                    break
                bound, gran = b, g
            if ok:
                chosen = kind
                break
        if chosen is None:
            return False
        lo, hi, one = (self.index_constant(0), self.index_constant(trips),
                       self.index_constant(1))
        result = self.fresh()
        dist_type = v.type_str(self.n)
        mirrored_type = Val(None, v.ty, "mirrored", 0, 0).type_str(self.n)
        per_replica_type = Val(None, v.ty, "per_replica", 0,
                               0).type_str(self.n)
        iv, acc = self.fresh(), self.fresh()
        self.emit("%s = scf.for %s = %s to %s step %s iter_args(%s = %s) -> "
                  "(%s) {" % (result, iv, lo, hi, one, acc, v.name, dist_type))
        self.depth += 1
        cur = acc
        if add_id or v.dist == "per_replica":
            x = self.fresh()
            body_result = self.fresh()
            self.emit("%s = replica.replicate<%d> (%s = %s) : (%s) -> (%s) {" %
                      (body_result, self.n, x, cur, dist_type,
                       per_replica_type))
            self.depth += 1
            out = x
            if add_id:
                rid = self.fresh()
                self.emit("%s = replica.replica_id : index" % rid)
                spread = self.splat(self.id_as(v.ty.elem, rid), v.ty)
                out = self.fresh()
                self.emit("%s = arith.%s %s, %s : %s" %
                          (out, "addf" if is_float(v.ty.elem) else "addi",
                           x, spread, v.ty))
            if v.dist == "per_replica":
                # The in-replica collective; the cross-replica one follows
                # only for a mirrored carried value.
                reduced = self.fresh()
                self.emit("%s = replica.all_reduce %s %s : %s" %
                          (reduced, chosen, out, v.ty))
                out = reduced
            self.emit("replica.yield %s : %s" % (out, v.ty))
            self.depth -= 1
            self.emit("}")
            cur = body_result
            cur_type = per_replica_type
        else:
            cur_type = dist_type
        if v.dist == "mirrored":
            reduced = self.fresh()
            self.emit("%s = replica.all_reduce %s %s : %s" %
                      (reduced, chosen, cur, cur_type))
            cur = reduced
        self.emit("scf.yield %s : %s" % (cur, dist_type))
        self.depth -= 1
        self.emit("}")
        self.pool.append(Val(result, v.ty, v.dist, bound, gran))
        return True

    # --- outputs ------------------------------------------------------------
    def mirror_check(self, v):
        """Every replica's copy of the mirrored `v`, as per-replica values."""
        name, x = self.fresh(), self.fresh()
        per_replica = Val(name, v.ty, "per_replica", v.bound, v.gran)
        self.emit("%s = replica.replicate<%d> (%s = %s) : (%s) -> (%s) {" %
                  (name, self.n, x, v.name, v.type_str(self.n),
                   per_replica.type_str(self.n)))
        self.emit("  replica.yield %s : %s" % (x, v.ty))
        self.emit("}")
        return self.unpack(per_replica)

    def outputs(self):
        """Local values to print: the newest values first, then others."""
        chosen = []
        newest = list(reversed(self.pool))
        count = min(len(newest), self.rng.randint(3, 6))
        for v in newest[:2]:
            chosen.append(v)
        rest = newest[2:]
        self.rng.shuffle(rest)
        chosen += rest[:max(0, count - 2)]
        printed = []  # (value passed to the print body, local Val)
        for v in chosen:
            if v.dist is None:
                printed.append(v)
            elif v.dist == "mirrored":
                r = self.rng.random()
                if self.on("mirror_check") and r < 0.3:
                    printed += self.mirror_check(v)
                elif r < 0.6:
                    # Passed as is: the body sees the local copy.
                    printed.append(v)
                else:
                    printed.append(self.select(v, self.rng.randrange(self.n)))
            else:
                if self.on("unpack") and self.chance(0.6):
                    printed += self.unpack(v)
                else:
                    ks = sorted(self.rng.sample(range(self.n),
                                                self.rng.randint(1, self.n)))
                    printed += [self.select(v, k) for k in ks]
        return printed

    def print_block(self, printed):
        """Prints the local values `printed` from a replicate body: on
        replica 0 only, or with --all-ranks on every replica."""
        args = [self.fresh() for _ in printed]
        self.emit("replica.replicate<%d> (%s) : (%s) -> () {" % (
            self.n, ", ".join("%s = %s" % (a, v.name)
                              for a, v in zip(args, printed)),
            ", ".join(v.type_str(self.n) for v in printed)))
        self.depth += 1
        if not self.all_ranks:
            rid, zero, cond = self.fresh(), self.fresh(), self.fresh()
            self.emit("%s = replica.replica_id : index" % rid)
            self.emit("%s = arith.constant 0 : index" % zero)
            self.emit("%s = arith.cmpi eq, %s, %s : index" %
                      (cond, rid, zero))
            self.emit("scf.if %s {" % cond)
            self.depth += 1
        index = self.fresh()
        self.emit("%s = arith.constant %d : i64" % (index, self.index))
        for k, (arg, v) in enumerate(zip(args, printed)):
            self.labels.append("p%d.%d" % (self.index, k))
            self.elems.add(v.ty.elem)
            ty, flat, flat_ty = v.ty, arg, v.ty
            if ty.rank == 0:
                scalar = arg
                if ty.shape is not None:
                    scalar = self.fresh()
                    self.emit("%s = tensor.extract %s[] : %s" %
                              (scalar, arg, ty))
                flat, flat_ty = self.fresh(), Ty(ty.elem, [1])
                self.emit("%s = tensor.from_elements %s : %s" %
                          (flat, scalar, flat_ty))
            elif ty.rank > 1:
                flat, flat_ty = self.fresh(), Ty(ty.elem, [ty.numel])
                self.emit("%s = tensor.collapse_shape %s [[%s]] : %s into %s" %
                          (flat, arg, ", ".join(str(i) for i in
                                                range(ty.rank)),
                           ty, flat_ty))
            dynamic, label = self.fresh(), self.fresh()
            self.emit("%s = tensor.cast %s : %s to tensor<?x%s>" %
                      (dynamic, flat, flat_ty, ty.elem))
            self.emit("%s = arith.constant %d : i64" % (label, k))
            self.emit("func.call @print_%s(%s, %s, %s) : "
                      "(i64, i64, tensor<?x%s>) -> ()" %
                      (ty.elem, index, label, dynamic, ty.elem))
        if not self.all_ranks:
            self.depth -= 1
            self.emit("}")
        self.emit("replica.yield")
        self.depth -= 1
        self.emit("}")

    # --- driver -------------------------------------------------------------
    def generate(self):
        rng = self.rng
        sources = [(self.source_regroup, "regroup", 3),
                   (self.source_replicate, "replicate", 3),
                   (self.source_nest, "nest", 1)]
        ops = [(self.op_all_reduce, "all_reduce", 4),
               (self.op_batch_all_reduce, "batch_all_reduce", 3),
               (self.op_reduce_to, "reduce_to", 2),
               (self.op_broadcast, "broadcast", 1),
               (self.op_all_gather, "all_gather", 2),
               (self.op_select_replica, "select_replica", 2),
               (self.op_unpack_regroup, "regroup", 2),
               (self.op_arith, "arith", 2),
               (self.op_convert, "convert", 1),
               (self.op_replicate, "replicate", 5),
               (self.op_loop, "loop", 2)]
        sources = [s for s in sources if self.on(s[1])] or \
            [(self.source_regroup, "regroup", 1)]
        ops = [o for o in ops if self.on(o[1])]
        for _ in range(rng.randint(1, 3)):
            fn = rng.choices([s[0] for s in sources],
                             [s[2] for s in sources])[0]
            fn()
        steps = rng.randint(3, 8)
        done = attempts = 0
        while done < steps and attempts < 4 * steps and ops:
            attempts += 1
            fn = rng.choices([o[0] for o in ops], [o[2] for o in ops])[0]
            if fn():
                done += 1
        printed = self.outputs()
        self.print_block(printed)
        return "func.func @p%d() {\n%s\n  return\n}\n" % (
            self.index, "\n".join(self.lines))


class Body:
    """The in-replica ops of one replicate body."""

    def __init__(self, program):
        self.p = program
        self.pool = []
        self.rid = None

    def replica_id(self):
        if self.rid is None:
            self.rid = self.p.fresh()
            self.p.emit("%s = replica.replica_id : index" % self.rid)
        return self.rid

    def add(self, v):
        self.pool.append(v)
        return True

    def source(self):
        p = self.p
        ty = p.rand_ty()
        values, bound, gran = p.rand_values(ty)
        return self.add(Val(p.constant(ty, values), ty, None, bound, gran))

    def id_mix(self):
        """x + id * scale, or replica k's x replaced: replica-dependent."""
        p = self.p
        x = p.pick(self.pool)
        if not x:
            return False
        rid = self.replica_id()
        if p.chance(0.3):
            values, bound, gran = p.rand_values(x.ty)
            other = p.constant(x.ty, values)
            k = p.index_constant(p.rng.randrange(p.n))
            cond = p.fresh()
            p.emit("%s = arith.cmpi eq, %s, %s : index" % (cond, rid, k))
            name = p.fresh()
            p.emit("%s = arith.select %s, %s, %s : %s" %
                   (name, cond, other, x.name, x.ty))
            return self.add(Val(name, x.ty, None, max(x.bound, bound),
                                max(x.gran, gran)))
        bound = x.bound + (p.n - 1)
        if not is_exact(x.ty.elem, bound, x.gran):
            return False
        spread = p.splat(p.id_as(x.ty.elem, rid), x.ty)
        name = p.fresh()
        p.emit("%s = arith.%s %s, %s : %s" %
               (name, "addf" if is_float(x.ty.elem) else "addi", x.name,
                spread, x.ty))
        return self.add(Val(name, x.ty, None, bound, x.gran))

    def all_reduce(self):
        p = self.p
        x = p.pick(self.pool)
        kind = x and p.pick_kind([x])
        if not kind:
            return False
        name = p.fresh()
        p.emit("%s = replica.all_reduce %s %s : %s" %
               (name, kind, x.name, x.ty))
        return self.add(p.reduced(x, kind, name, None))

    def batch_all_reduce(self):
        p = self.p
        vals = [v for v in (p.pick(self.pool)
                            for _ in range(p.rng.randint(2, 3))) if v]
        kind = p.pick_kind(vals) if len(vals) >= 2 else None
        if not kind:
            return False
        name = p.fresh()
        p.emit("%s:%d = replica.batch_all_reduce %s %s : %s" %
               (name, len(vals), kind, ", ".join(v.name for v in vals),
                ", ".join(str(v.ty) for v in vals)))
        for i, v in enumerate(vals):
            self.add(p.reduced(v, kind, "%s#%d" % (name, i), None))
        return True

    def broadcast(self):
        p = self.p
        x = p.pick(self.pool)
        if not x:
            return False
        name = p.fresh()
        p.emit("%s = replica.broadcast %s from %d : %s" %
               (name, x.name, p.rng.randrange(p.n), x.ty))
        return self.add(Val(name, x.ty, None, x.bound, x.gran))

    def all_gather(self):
        p = self.p
        x = p.pick(self.pool, lambda v: v.ty.rank >= 1)
        if not x:
            return False
        dim = p.rng.randrange(x.ty.rank)
        shape = list(x.ty.shape)
        shape[dim] *= p.n
        ty = Ty(x.ty.elem, shape)
        name = p.fresh()
        p.emit("%s = replica.all_gather %s dim %d : %s -> %s" %
               (name, x.name, dim, x.ty, ty))
        return self.add(Val(name, ty, None, x.bound, x.gran))

    def reduce_to(self):
        """reduce_to K: replica K gets the reduction, the others their own
        operand; or that spelled out with a select on the replica id."""
        p = self.p
        x = p.pick(self.pool)
        kind = x and p.pick_kind([x])
        if not kind:
            return False
        k = p.rng.randrange(p.n)
        reduced = p.fresh()
        p.emit("%s = replica.reduce_to %s %s to %d : %s" %
               (reduced, kind, x.name, k, x.ty))
        r = p.reduced(x, kind, reduced, None)
        bound, gran = max(r.bound, x.bound), max(r.gran, x.gran)
        if p.chance(0.5):
            return self.add(Val(reduced, x.ty, None, bound, gran))
        kk = p.index_constant(k)
        cond = p.fresh()
        p.emit("%s = arith.cmpi eq, %s, %s : index" %
               (cond, self.replica_id(), kk))
        name = p.fresh()
        p.emit("%s = arith.select %s, %s, %s : %s" %
               (name, cond, reduced, x.name, x.ty))
        return self.add(Val(name, x.ty, None, bound, gran))

    def arith(self):
        p = self.p
        a = p.pick(self.pool)
        if not a:
            return False
        b = p.pick(self.pool, lambda v: v.ty == a.ty)
        if b is None or p.chance(0.3):
            values, bound, gran = p.rand_values(a.ty)
            b = Val(p.constant(a.ty, values), a.ty, None, bound, gran)
        result = p.binop(a, b)
        return bool(result) and self.add(result)

    def convert(self):
        p = self.p
        x = p.pick(self.pool)
        result = x and p.convert(x)
        return bool(result) and self.add(result)

    def loop(self):
        """scf.for whose carried value goes through an in-replica
        collective (and maybe the replica id) every trip."""
        p = self.p
        x = p.pick(self.pool)
        if not x:
            return False
        if not p.loop_carries(x):
            # Carry one element.
            scalar = p.fresh()
            p.emit("%s = tensor.extract %s[%s] : %s" % (
                scalar, x.name,
                ", ".join([p.index_constant(0)] * x.ty.rank), x.ty))
            x = Val(scalar, Ty(x.ty.elem, None), None, x.bound, x.gran)
            self.add(x)
        trips = p.rng.randint(2, 3)
        add_id = p.chance(0.5)
        kinds = [k for k in KINDS if k != "mean" or is_float(x.ty.elem)]
        p.rng.shuffle(kinds)
        for kind in kinds:
            bound, gran, ok = x.bound, x.gran, True
            for _ in range(trips):
                (b, g), (ab, ag) = reduce_bounds(kind, bound, gran, p.n)
                if add_id:
                    b += p.n - 1
                if not is_exact(x.ty.elem, b, g) or \
                        not is_exact(accumulator(x.ty.elem), ab, ag):
                    ok = False
                    break
                bound, gran = b, g
            if ok:
                break
        else:
            return False
        rid = self.replica_id() if add_id else None
        lo, hi, one = (p.index_constant(0), p.index_constant(trips),
                       p.index_constant(1))
        name, iv, acc = p.fresh(), p.fresh(), p.fresh()
        p.emit("%s = scf.for %s = %s to %s step %s iter_args(%s = %s) -> "
               "(%s) {" % (name, iv, lo, hi, one, acc, x.name, x.ty))
        p.depth += 1
        reduced = p.fresh()
        p.emit("%s = replica.all_reduce %s %s : %s" %
               (reduced, kind, acc, x.ty))
        out = reduced
        if add_id:
            spread = p.splat(p.id_as(x.ty.elem, rid), x.ty)
            out = p.fresh()
            p.emit("%s = arith.%s %s, %s : %s" %
                   (out, "addf" if is_float(x.ty.elem) else "addi",
                    reduced, spread, x.ty))
        p.emit("scf.yield %s : %s" % (out, x.ty))
        p.depth -= 1
        p.emit("}")
        return self.add(Val(name, x.ty, None, bound, gran))

    def run(self, steps):
        p = self.p
        if not self.pool or p.chance(0.3):
            self.source()
        ops = [(self.id_mix, "replicate", 4),
               (self.all_reduce, "all_reduce", 4),
               (self.batch_all_reduce, "batch_all_reduce", 2),
               (self.broadcast, "broadcast", 2),
               (self.all_gather, "all_gather", 2),
               (self.reduce_to, "in_replica_reduce_to", 1),
               (self.arith, "arith", 2),
               (self.convert, "convert", 1),
               (self.loop, "loop", 2)]
        ops = [o for o in ops if p.on(o[1])]
        done = attempts = 0
        while done < steps and attempts < 4 * steps and ops:
            attempts += 1
            fn = p.rng.choices([o[0] for o in ops], [o[2] for o in ops])[0]
            if fn():
                done += 1

    def choose_yields(self):
        p = self.p
        newest = list(reversed(self.pool))
        count = min(len(newest), p.rng.randint(1, 3))
        chosen = newest[:1]
        rest = newest[1:]
        p.rng.shuffle(rest)
        return chosen + rest[:count - 1]


PRINT_HELPER = """\
func.func private @print_{elem}(%p: i64, %k: i64, %t: tensor<?x{elem}>) {{
  vector.print str "p"
  vector.print %p : i64 punctuation <no_punctuation>
  vector.print str "."
  vector.print %k : i64 punctuation <no_punctuation>
  vector.print str " {elem} "
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = tensor.dim %t, %c0 : tensor<?x{elem}>
  scf.for %i = %c0 to %n step %c1 {{
    %e = tensor.extract %t[%i] : tensor<?x{elem}>
{body}
  }}
  vector.print punctuation <newline>
  return
}}
"""


def print_helper(elem):
    """@print_<elem>(I, K, values): the line `p<I>.<K> <elem> <bits>, ...`.
    One call prints a whole line, so the lock-step copies of an unrolled
    print body (--all-ranks) print whole lines."""
    bits = BITS_TYPE[elem]
    if is_float(elem):
        body = ("    %%b = arith.bitcast %%e : %s to %s\n"
                "    vector.print %%b : %s punctuation <comma>" %
                (elem, bits, bits))
    else:
        body = "    vector.print %%e : %s punctuation <comma>" % elem
    return PRINT_HELPER.format(elem=elem, body=body)


def module_text(seed, programs):
    """One module: print helpers, the programs and a @main calling each."""
    elems = set()
    for program in programs:
        elems |= program.elems
    parts = ["// Generated by gen_programs.py --seed %s; programs %s.\n" %
             (seed, ", ".join(str(p.index) for p in programs))]
    parts += [print_helper(e) for e in ELEMS if e in elems]
    parts += [p.text for p in programs]
    parts.append("func.func @main() {\n%s  return\n}\n" % "".join(
        "  func.call @p%d() : () -> ()\n" % p.index for p in programs))
    return "\n".join(parts)


def generate(seed, index, disabled=(), all_ranks=False):
    program = Program(seed, index, disabled, all_ranks)
    program.text = program.generate()
    return program


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", default="1",
                        help="seed; program I uses Random('<seed>-<I>')")
    parser.add_argument("--count", type=int, default=200,
                        help="number of programs")
    parser.add_argument("--first", type=int, default=0,
                        help="index of the first program")
    parser.add_argument("--per-file", type=int, default=16,
                        help="programs per module")
    parser.add_argument("--only", type=int, action="append", default=[],
                        help="write just program I in a module of its own "
                             "(prog_<I>.mlir); repeatable")
    parser.add_argument("--disable", action="append", default=[],
                        choices=FEATURES, help="feature not to generate")
    parser.add_argument("--all-ranks", action="store_true",
                        help="every replica prints (each line N times), "
                        "not replica 0 alone")
    parser.add_argument("--out", required=True, help="output directory")
    args = parser.parse_args(argv)

    args.disable = sorted(set(args.disable))
    os.makedirs(args.out, exist_ok=True)
    manifest = {"seed": args.seed, "disabled": args.disable,
                "all_ranks": args.all_ranks, "modules": []}
    if args.only:
        for index in args.only:
            program = generate(args.seed, index, args.disable, args.all_ranks)
            path = os.path.join(args.out, "prog_%d.mlir" % index)
            with open(path, "w") as f:
                f.write(module_text(args.seed, [program]))
            manifest["modules"].append({
                "path": path, "n": program.n,
                "programs": [{"index": index, "labels": program.labels}]})
    else:
        by_n = {}
        for index in range(args.first, args.first + args.count):
            program = generate(args.seed, index, args.disable, args.all_ranks)
            by_n.setdefault(program.n, []).append(program)
        for n in sorted(by_n):
            programs = by_n[n]
            for k in range(0, len(programs), args.per_file):
                batch = programs[k:k + args.per_file]
                path = os.path.join(args.out, "batch_n%d_%d.mlir" %
                                    (n, k // args.per_file))
                with open(path, "w") as f:
                    f.write(module_text(args.seed, batch))
                manifest["modules"].append({
                    "path": path, "n": n,
                    "programs": [{"index": p.index, "labels": p.labels}
                                 for p in batch]})
    with open(os.path.join(args.out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    return manifest


if __name__ == "__main__":
    main()
    sys.exit(0)
