"""Lowers a traced aten graph (torch.fx, from make_fx) to MLIR on tensors.

Each aten op becomes linalg / tensor / arith / math ops on ranked tensors with
static shapes: elementwise ops and broadcasts are `linalg.generic`s with
broadcasting indexing maps, matmuls are linalg named ops, views are
collapse/expand pairs (values have no strides: every tensor is logically
contiguous), gathers and scatters index with `tensor.extract` in the body.
"""

import math
import struct

import torch

__all__ = ["Emitter", "Value", "element_type", "tensor_type"]

_ELEMENT_TYPES = {
    torch.float32: "f32",
    torch.float64: "f64",
    torch.int64: "i64",
    torch.int32: "i32",
    torch.bool: "i1",
}


def element_type(dtype):
    if dtype not in _ELEMENT_TYPES:
        raise NotImplementedError(f"replica_torch: element type {dtype} is not supported")
    return _ELEMENT_TYPES[dtype]


def tensor_type(shape, elt):
    return "tensor<" + "".join(f"{d}x" for d in shape) + elt + ">"


def is_float(elt):
    return elt in ("f32", "f64")


class Value:
    """An SSA value of ranked tensor type with a static shape."""

    def __init__(self, name, shape, elt):
        self.name = name
        self.shape = tuple(int(d) for d in shape)
        self.elt = elt

    @property
    def type(self):
        return tensor_type(self.shape, self.elt)

    @property
    def rank(self):
        return len(self.shape)


def float_literal(value, elt):
    """An MLIR float literal that denotes exactly the value PyTorch uses."""
    value = float(value)
    if math.isfinite(value):
        text = repr(value)
        mantissa, e, exponent = text.partition("e")
        if "." not in mantissa:
            mantissa += ".0"
        return mantissa + e + exponent
    if elt == "f64":
        return "0x%016X" % struct.unpack("<Q", struct.pack("<d", value))[0]
    return "0x%08X" % struct.unpack("<I", struct.pack("<f", value))[0]


def scalar_literal(value, elt):
    if is_float(elt):
        return float_literal(value, elt)
    if elt == "i1":
        return "true" if value else "false"
    return str(int(value))


def dense_hex(tensor, elt):
    """A `dense<"0x...">` attribute holding the tensor's exact bits."""
    data = tensor.detach().contiguous().cpu()
    if elt == "i1":
        data = data.to(torch.int8)
    return 'dense<"0x' + data.numpy().tobytes().hex().upper() + '">'


def _affine_map(num_dims, results):
    dims = ", ".join(f"d{i}" for i in range(num_dims))
    return f"affine_map<({dims}) -> ({', '.join(results)})>"


def _broadcast_map(in_shape, out_shape):
    """Indexing map of an input broadcast numpy-style to `out_shape`."""
    offset = len(out_shape) - len(in_shape)
    results = []
    for i, d in enumerate(in_shape):
        if d == 1 and out_shape[offset + i] != 1:
            results.append("0")
        else:
            results.append(f"d{offset + i}")
    return _affine_map(len(out_shape), results)


class Body:
    """Builds the scalar body of a linalg.generic."""

    def __init__(self, emitter, indent):
        self.emitter = emitter
        self.indent = indent

    def op(self, text, elt):
        name = self.emitter.fresh()
        self.emitter.line(f"{name} = {text} : {elt}", self.indent)
        return name

    def const(self, value, elt):
        name = self.emitter.fresh()
        self.emitter.line(
            f"{name} = arith.constant {scalar_literal(value, elt)} : {elt}",
            self.indent)
        return name

    def raw(self, text):
        name = self.emitter.fresh()
        self.emitter.line(f"{name} = {text}", self.indent)
        return name

    def index(self, dim):
        return self.raw(f"linalg.index {dim} : index")

    # Arithmetic on scalars of element type `elt`.
    def add(self, a, b, elt):
        return self.op(f"arith.add{'f' if is_float(elt) else 'i'} {a}, {b}", elt)

    def sub(self, a, b, elt):
        return self.op(f"arith.sub{'f' if is_float(elt) else 'i'} {a}, {b}", elt)

    def mul(self, a, b, elt):
        return self.op(f"arith.mul{'f' if is_float(elt) else 'i'} {a}, {b}", elt)

    def div(self, a, b, elt):
        return self.op(f"arith.div{'f' if is_float(elt) else 'si'} {a}, {b}", elt)

    def cmp(self, predicate, a, b, elt):
        if is_float(elt):
            text = {"eq": "oeq", "ne": "une", "lt": "olt", "le": "ole",
                    "gt": "ogt", "ge": "oge"}[predicate]
            return self.op(f"arith.cmpf {text}, {a}, {b}", elt)
        text = {"eq": "eq", "ne": "ne", "lt": "slt", "le": "sle",
                "gt": "sgt", "ge": "sge"}[predicate]
        return self.op(f"arith.cmpi {text}, {a}, {b}", elt)

    def select(self, c, a, b, elt):
        return self.op(f"arith.select {c}, {a}, {b}", elt)

    def cast(self, x, src, dst):
        if src == dst:
            return x
        if is_float(src) and is_float(dst):
            kind = "extf" if dst == "f64" else "truncf"
        elif is_float(src):
            kind = "fptosi"
        elif is_float(dst):
            kind = "uitofp" if src == "i1" else "sitofp"
        else:
            width = {"i1": 1, "i32": 32, "i64": 64}
            if width[dst] > width[src]:
                kind = "extui" if src == "i1" else "extsi"
            else:
                kind = "trunci"
        return self.raw(f"arith.{kind} {x} : {src} to {dst}")


class Emitter:
    """Appends MLIR lines; every helper returns the Value it defines."""

    def __init__(self, indent=2):
        self.lines = []
        self.counter = 0
        self.indent = indent

    def fresh(self, hint="v"):
        self.counter += 1
        return f"%{hint}{self.counter}"

    def line(self, text, indent=None):
        self.lines.append(" " * (self.indent if indent is None else indent) + text)

    def define(self, text, shape, elt, hint="v"):
        name = self.fresh(hint)
        self.line(f"{name} = {text}")
        return Value(name, shape, elt)

    # Tensors.
    def splat(self, value, shape, elt):
        return self.define(
            f"arith.constant dense<{scalar_literal(value, elt)}> : {tensor_type(shape, elt)}",
            shape, elt)

    def constant(self, tensor):
        elt = element_type(tensor.dtype)
        shape = tuple(tensor.shape)
        return self.define(f"arith.constant {dense_hex(tensor, elt)} : {tensor_type(shape, elt)}",
                           shape, elt, "cst")

    def empty(self, shape, elt):
        return self.define(f"tensor.empty() : {tensor_type(shape, elt)}", shape, elt)

    def filled(self, value, shape, elt):
        init = self.empty(shape, elt)
        scalar = self.fresh()
        self.line(f"{scalar} = arith.constant {scalar_literal(value, elt)} : {elt}")
        return self.define(
            f"linalg.fill ins({scalar} : {elt}) outs({init.name} : {init.type}) -> {init.type}",
            shape, elt)

    def generic(self, out_shape, out_elt, inputs, maps, iterators, body, init=None):
        """A linalg.generic over `inputs` with explicit maps (the output's map
        last); `body(b, args, out)` returns the yielded scalar."""
        if init is None:
            init = self.empty(out_shape, out_elt)
        name = self.fresh()
        ins = ""
        if inputs:
            ins = (" ins(" + ", ".join(v.name for v in inputs) + " : "
                   + ", ".join(v.type for v in inputs) + ")")
        iters = ", ".join(f'"{it}"' for it in iterators)
        self.line(f"{name} = linalg.generic {{indexing_maps = [{', '.join(maps)}], "
                  f"iterator_types = [{iters}]}}{ins} outs({init.name} : {init.type}) {{")
        args = [self.fresh("a") for _ in inputs]
        out = self.fresh("o")
        block_args = ", ".join(f"{a}: {v.elt}" for a, v in zip(args, inputs))
        block_args = (block_args + ", " if block_args else "") + f"{out}: {out_elt}"
        self.line(f"^bb0({block_args}):")
        result = body(Body(self, self.indent + 2), args, out)
        self.line(f"  linalg.yield {result} : {out_elt}")
        self.line(f"}} -> {init.type}")
        return Value(name, out_shape, out_elt)

    def elementwise(self, out_shape, out_elt, inputs, body):
        """Elementwise over tensors broadcast numpy-style to `out_shape`."""
        maps = [_broadcast_map(v.shape, out_shape) for v in inputs]
        maps.append(_affine_map(len(out_shape), [f"d{i}" for i in range(len(out_shape))]))
        return self.generic(out_shape, out_elt, inputs, maps,
                            ["parallel"] * len(out_shape),
                            lambda b, args, out: body(b, args))

    def reduce(self, x, dims, kind):
        """Reduces `dims` of x away (sum or max), accumulating in x's type."""
        dims = sorted({d % x.rank for d in dims}) if x.rank else []
        out_shape = tuple(s for i, s in enumerate(x.shape) if i not in dims)
        identity = 0 if kind == "sum" else -math.inf
        init = self.filled(identity, out_shape, x.elt)
        maps = [_affine_map(x.rank, [f"d{i}" for i in range(x.rank)]),
                _affine_map(x.rank, [f"d{i}" for i in range(x.rank) if i not in dims])]
        iterators = ["reduction" if i in dims else "parallel" for i in range(x.rank)]

        def body(b, args, out):
            if kind == "sum":
                return b.add(out, args[0], x.elt)
            return b.op(f"arith.maximumf {out}, {args[0]}", x.elt)

        return self.generic(out_shape, x.elt, [x], maps, iterators, body, init=init)

    def reshape(self, x, shape):
        shape = tuple(int(d) for d in shape)
        if shape == x.shape:
            return x
        flat = x
        if x.rank != 1:
            groups = "[]" if x.rank == 0 else "[[" + ", ".join(str(i) for i in range(x.rank)) + "]]"
            numel = math.prod(x.shape)
            flat_shape = () if x.rank == 0 else (numel,)
            if x.rank != 0:
                flat = self.define(
                    f"tensor.collapse_shape {x.name} {groups} : {x.type} into "
                    f"{tensor_type(flat_shape, x.elt)}", flat_shape, x.elt)
        if len(shape) == 1 and flat.rank == 1:
            return flat
        if len(shape) == 0:
            return self.define(f"tensor.collapse_shape {flat.name} [] : {flat.type} into "
                               f"{tensor_type(shape, x.elt)}", shape, x.elt)
        groups = "[]" if flat.rank == 0 else "[[" + ", ".join(str(i) for i in range(len(shape))) + "]]"
        return self.define(
            f"tensor.expand_shape {flat.name} {groups} output_shape "
            f"[{', '.join(str(d) for d in shape)}] : {flat.type} into {tensor_type(shape, x.elt)}",
            shape, x.elt)

    def transpose(self, x, permutation):
        permutation = [p % x.rank for p in permutation]
        if permutation == list(range(x.rank)):
            return x
        shape = tuple(x.shape[p] for p in permutation)
        init = self.empty(shape, x.elt)
        return self.define(
            f"linalg.transpose ins({x.name} : {x.type}) outs({init.name} : {init.type}) "
            f"permutation = [{', '.join(str(p) for p in permutation)}]", shape, x.elt)

    def matmul(self, a, b, batched=False):
        shape = (a.shape[0], a.shape[1], b.shape[2]) if batched else (a.shape[0], b.shape[1])
        init = self.filled(0, shape, a.elt)
        op = "linalg.batch_matmul" if batched else "linalg.matmul"
        return self.define(
            f"{op} ins({a.name}, {b.name} : {a.type}, {b.type}) outs({init.name} : {init.type}) "
            f"-> {init.type}", shape, a.elt)

    def extract_slice(self, x, offsets, sizes, strides):
        shape = tuple(sizes)
        return self.define(
            f"tensor.extract_slice {x.name}[{', '.join(map(str, offsets))}] "
            f"[{', '.join(map(str, sizes))}] [{', '.join(map(str, strides))}] : "
            f"{x.type} to {tensor_type(shape, x.elt)}", shape, x.elt)

    def insert_slice(self, src, dest, offsets, strides):
        return self.define(
            f"tensor.insert_slice {src.name} into {dest.name}[{', '.join(map(str, offsets))}] "
            f"[{', '.join(map(str, src.shape))}] [{', '.join(map(str, strides))}] : "
            f"{src.type} into {dest.type}", dest.shape, dest.elt)

    def cast(self, x, elt):
        if x.elt == elt:
            return x
        return self.elementwise(x.shape, elt, [x], lambda b, a: b.cast(a[0], x.elt, elt))
