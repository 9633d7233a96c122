"""One lowering per aten (and prims) op that make_fx leaves after the
decompositions in `DECOMPOSITIONS`.

A lowering takes the emitter, the node's arguments (graph values as `Value`s,
everything else as traced) and the node's output metadata, and returns the
`Value` (or tuple of them) that the node defines.
"""

import math

import torch

from .lowering import Value, element_type, is_float

aten = torch.ops.aten

# Composite ops brought down to the ops lowered below. Each is PyTorch's own
# decomposition (torch._decomp), so the arithmetic is the one PyTorch defines.
DECOMPOSITIONS = [
    aten._log_softmax, aten._log_softmax_backward_data,
    aten._softmax, aten._softmax_backward_data,
    aten.nll_loss_forward, aten.nll_loss_backward,
    aten.mse_loss, aten.mse_loss_backward,
    aten.native_layer_norm, aten.native_layer_norm_backward,
    aten.gelu, aten.gelu_backward,
    aten.native_dropout_backward,
    aten.split.Tensor, aten.slice_backward, aten.select_backward,
    aten.t, aten.transpose.int, aten.addmm, aten._unsafe_view,
    aten.detach,
]

LOWERINGS = {}


def lowering(*names):
    def register(fn):
        for name in names:
            LOWERINGS[name] = fn
        return fn
    return register


class Meta:
    """Shape and element type of a node's (single) tensor result."""

    def __init__(self, shape, elt):
        self.shape = tuple(int(d) for d in shape)
        self.elt = elt


def _compute_type(operands):
    elts = [o.elt for o in operands if isinstance(o, Value)]
    if any(is_float(e) for e in elts):
        return "f64" if "f64" in elts else "f32"
    if any(isinstance(o, float) for o in operands):
        return "f32"
    return "i64" if any(e == "i64" for e in elts) or not elts else elts[0]


def _pointwise(em, meta, operands, fn, compute=None):
    """Elementwise `fn(b, scalars, elt)` over tensor and Python operands,
    computed in `compute` (default: the result type)."""
    compute = compute or meta.elt
    tensors = [o for o in operands if isinstance(o, Value)]

    def body(b, args):
        it = iter(args)
        scalars = []
        for o in operands:
            if isinstance(o, Value):
                scalars.append(b.cast(next(it), o.elt, compute))
            else:
                scalars.append(b.const(o, compute))
        return b.cast(fn(b, scalars, compute), _fn_type(fn, compute), meta.elt)

    return em.elementwise(meta.shape, meta.elt, tensors, body)


def _fn_type(fn, compute):
    return getattr(fn, "result_type", compute)


def _predicate(name):
    def fn(b, s, elt):
        return b.cmp(name, s[0], s[1], elt)
    fn.result_type = "i1"
    return fn


def _math(op):
    return lambda b, s, elt: b.op(f"math.{op} {s[0]}", elt)


def _alpha(args, i):
    return args[i] if len(args) > i else 1


@lowering("aten.add.Tensor", "aten.add.Scalar")
def _add(em, args, kwargs, meta):
    alpha = kwargs.get("alpha", _alpha(args, 2))
    if alpha == 1:
        return _pointwise(em, meta, args[:2], lambda b, s, e: b.add(s[0], s[1], e))
    return _pointwise(em, meta, [args[0], args[1], alpha],
                      lambda b, s, e: b.add(s[0], b.mul(s[2], s[1], e), e))


@lowering("aten.sub.Tensor", "aten.sub.Scalar")
def _sub(em, args, kwargs, meta):
    alpha = kwargs.get("alpha", _alpha(args, 2))
    if alpha == 1:
        return _pointwise(em, meta, args[:2], lambda b, s, e: b.sub(s[0], s[1], e))
    return _pointwise(em, meta, [args[0], args[1], alpha],
                      lambda b, s, e: b.sub(s[0], b.mul(s[2], s[1], e), e))


@lowering("aten.rsub.Scalar", "aten.rsub.Tensor")
def _rsub(em, args, kwargs, meta):
    alpha = kwargs.get("alpha", _alpha(args, 2))
    return _pointwise(em, meta, [args[1], args[0], alpha],
                      lambda b, s, e: b.sub(s[0], b.mul(s[2], s[1], e), e))


@lowering("aten.mul.Tensor", "aten.mul.Scalar")
def _mul(em, args, kwargs, meta):
    return _pointwise(em, meta, args[:2], lambda b, s, e: b.mul(s[0], s[1], e))


@lowering("aten.div.Tensor", "aten.div.Scalar", "prims.div.default")
def _div(em, args, kwargs, meta):
    if kwargs.get("rounding_mode") is not None:
        raise NotImplementedError(f"div with rounding_mode={kwargs['rounding_mode']}")
    return _pointwise(em, meta, args[:2], lambda b, s, e: b.div(s[0], s[1], e))


@lowering("aten.neg.default")
def _neg(em, args, kwargs, meta):
    if is_float(meta.elt):
        return _pointwise(em, meta, args[:1], lambda b, s, e: b.op(f"arith.negf {s[0]}", e))
    return _pointwise(em, meta, [0, args[0]], lambda b, s, e: b.sub(s[0], s[1], e))


for _name, _op in [("exp", "exp"), ("log", "log"), ("sqrt", "sqrt"), ("rsqrt", "rsqrt"),
                   ("erf", "erf"), ("tanh", "tanh"), ("abs", "absf")]:
    LOWERINGS[f"aten.{_name}.default"] = (
        lambda op: lambda em, args, kwargs, meta: _pointwise(em, meta, args[:1], _math(op)))(_op)


@lowering("aten.reciprocal.default")
def _reciprocal(em, args, kwargs, meta):
    return _pointwise(em, meta, [1.0, args[0]], lambda b, s, e: b.div(s[0], s[1], e))


@lowering("aten.sigmoid.default")
def _sigmoid(em, args, kwargs, meta):
    def fn(b, s, e):
        one = b.const(1.0, e)
        neg = b.op(f"arith.negf {s[0]}", e)
        return b.div(one, b.add(one, b.op(f"math.exp {neg}", e), e), e)
    return _pointwise(em, meta, args[:1], fn)


@lowering("aten.relu.default")
def _relu(em, args, kwargs, meta):
    # PyTorch's relu keeps NaN; arith.maximumf propagates it too.
    return _pointwise(em, meta, [args[0], 0.0],
                      lambda b, s, e: b.op(f"arith.maximumf {s[0]}, {s[1]}", e))


@lowering("aten.maximum.default")
def _maximum(em, args, kwargs, meta):
    return _pointwise(em, meta, args[:2],
                      lambda b, s, e: b.op(f"arith.maximumf {s[0]}, {s[1]}", e))


@lowering("aten.minimum.default")
def _minimum(em, args, kwargs, meta):
    return _pointwise(em, meta, args[:2],
                      lambda b, s, e: b.op(f"arith.minimumf {s[0]}, {s[1]}", e))


@lowering("aten.pow.Tensor_Scalar")
def _pow(em, args, kwargs, meta):
    x, exponent = args[0], args[1]
    if exponent == 2:
        return _pointwise(em, meta, [x], lambda b, s, e: b.mul(s[0], s[0], e))
    if exponent == 1:
        return _pointwise(em, meta, [x], lambda b, s, e: s[0])
    if exponent == 0.5:
        return _pointwise(em, meta, [x], _math("sqrt"))
    return _pointwise(em, meta, [x, float(exponent)],
                      lambda b, s, e: b.op(f"math.powf {s[0]}, {s[1]}", e))


@lowering("aten.threshold_backward.default")
def _threshold_backward(em, args, kwargs, meta):
    grad, x, threshold = args[:3]

    def fn(b, s, e):
        return b.select(b.cmp("le", s[1], s[2], e), b.const(0.0, e), s[0], e)
    return _pointwise(em, meta, [grad, x, threshold], fn)


@lowering("aten.tanh_backward.default")
def _tanh_backward(em, args, kwargs, meta):
    def fn(b, s, e):
        one = b.const(1.0, e)
        return b.mul(s[0], b.sub(one, b.mul(s[1], s[1], e), e), e)
    return _pointwise(em, meta, args[:2], fn)


@lowering("aten.sigmoid_backward.default")
def _sigmoid_backward(em, args, kwargs, meta):
    def fn(b, s, e):
        one = b.const(1.0, e)
        return b.mul(s[0], b.mul(b.sub(one, s[1], e), s[1], e), e)
    return _pointwise(em, meta, args[:2], fn)


@lowering("aten.where.self")
def _where(em, args, kwargs, meta):
    cond, a, b_ = args[:3]
    compute = _compute_type([a, b_])

    def fn(b, s, e):
        return b.select(s[0], s[1], s[2], e)
    tensors = [o for o in (cond, a, b_) if isinstance(o, Value)]

    def body(b, vals):
        it = iter(vals)
        scalars = []
        for o, elt in ((cond, "i1"), (a, compute), (b_, compute)):
            if isinstance(o, Value):
                scalars.append(b.cast(next(it), o.elt, elt))
            else:
                scalars.append(b.const(o, elt))
        return b.cast(fn(b, scalars, compute), compute, meta.elt)
    return em.elementwise(meta.shape, meta.elt, tensors, body)


for _pred in ("eq", "ne", "lt", "le", "gt", "ge"):
    LOWERINGS[f"aten.{_pred}.Scalar"] = LOWERINGS[f"aten.{_pred}.Tensor"] = (
        lambda p: lambda em, args, kwargs, meta: _pointwise(
            em, meta, args[:2], _predicate(p), compute=_compute_type(args[:2])))(_pred)


@lowering("prims.convert_element_type.default", "aten._to_copy.default")
def _convert(em, args, kwargs, meta):
    return em.cast(args[0], meta.elt)


@lowering("aten.clone.default", "aten.alias.default", "aten.lift_fresh_copy.default",
          "aten.detach.default", "aten.contiguous.default")
def _identity(em, args, kwargs, meta):
    return args[0]


@lowering("aten.native_dropout.default")
def _native_dropout(em, args, kwargs, meta):
    x, p, train = args[:3]
    if train and p != 0:
        raise NotImplementedError("aten.native_dropout with p > 0 (random masks differ "
                                  "from PyTorch's generator); use p=0 or eval mode")
    return x, em.splat(True, x.shape, "i1")


# Constants: the value each fills its result with.
_FILL_VALUES = {
    "aten.full.default": lambda args: args[1],
    "aten.full_like.default": lambda args: args[1],
    "aten.new_full.default": lambda args: args[2],
    "aten.scalar_tensor.default": lambda args: args[0],
    "aten.zeros.default": lambda args: 0,
    "aten.zeros_like.default": lambda args: 0,
    "aten.new_zeros.default": lambda args: 0,
    "aten.ones.default": lambda args: 1,
    "aten.ones_like.default": lambda args: 1,
    "aten.new_ones.default": lambda args: 1,
}
for _name, _value in _FILL_VALUES.items():
    LOWERINGS[_name] = (lambda value: lambda em, args, kwargs, meta: em.splat(
        value(args), meta.shape, meta.elt))(_value)


# Reductions.
def _dims(x, dims):
    if dims is None or dims == []:
        return list(range(x.rank))
    return [d % x.rank for d in dims]


def _keep(em, reduced, x, dims, keepdim):
    if not keepdim:
        return reduced
    return em.reshape(reduced, tuple(1 if i in dims else s for i, s in enumerate(x.shape)))


@lowering("aten.sum.dim_IntList", "aten.sum.default", "prims.sum.default")
def _sum(em, args, kwargs, meta):
    x = args[0]
    dims = _dims(x, args[1] if len(args) > 1 else kwargs.get("dim"))
    keepdim = args[2] if len(args) > 2 else kwargs.get("keepdim", False)
    if kwargs.get("dtype") not in (None, torch.float32) or x.elt != meta.elt:
        x = em.cast(x, meta.elt)
    return _keep(em, em.reduce(x, dims, "sum"), x, dims, keepdim)


@lowering("aten.mean.dim", "aten.mean.default")
def _mean(em, args, kwargs, meta):
    x = args[0]
    dims = _dims(x, args[1] if len(args) > 1 else kwargs.get("dim"))
    keepdim = args[2] if len(args) > 2 else kwargs.get("keepdim", False)
    count = math.prod(x.shape[d] for d in dims)
    total = _keep(em, em.reduce(x, dims, "sum"), x, dims, keepdim)
    return _pointwise(em, meta, [total, float(count)], lambda b, s, e: b.div(s[0], s[1], e))


@lowering("aten.amax.default")
def _amax(em, args, kwargs, meta):
    x = args[0]
    dims = _dims(x, args[1] if len(args) > 1 else kwargs.get("dim"))
    keepdim = args[2] if len(args) > 2 else kwargs.get("keepdim", False)
    return _keep(em, em.reduce(x, dims, "max"), x, dims, keepdim)


@lowering("aten.var_mean.correction")
def _var_mean(em, args, kwargs, meta):
    x = args[0]
    dims = _dims(x, args[1] if len(args) > 1 else kwargs.get("dim"))
    correction = kwargs.get("correction", 1)
    correction = 1 if correction is None else correction
    keepdim = kwargs.get("keepdim", False)
    count = math.prod(x.shape[d] for d in dims)
    kept = tuple(1 if i in dims else s for i, s in enumerate(x.shape))
    mean_kept = em.reshape(em.reduce(x, dims, "sum"), kept)
    mean_kept = _pointwise(em, Meta(kept, x.elt), [mean_kept, float(count)],
                           lambda b, s, e: b.div(s[0], s[1], e))
    squares = _pointwise(em, Meta(x.shape, x.elt), [x, mean_kept],
                         lambda b, s, e: b.mul(b.sub(s[0], s[1], e), b.sub(s[0], s[1], e), e))
    var = _pointwise(em, Meta(kept, x.elt), [em.reshape(em.reduce(squares, dims, "sum"), kept),
                                              float(max(count - correction, 0))],
                     lambda b, s, e: b.div(s[0], s[1], e))
    out = tuple(s for i, s in enumerate(x.shape) if i not in dims)
    if keepdim:
        return var, mean_kept
    return em.reshape(var, out), em.reshape(mean_kept, out)


# Linear algebra.
@lowering("aten.mm.default")
def _mm(em, args, kwargs, meta):
    return em.matmul(args[0], args[1])


@lowering("aten.bmm.default")
def _bmm(em, args, kwargs, meta):
    return em.matmul(args[0], args[1], batched=True)


# Views and layout: values have no strides, so views are reshapes.
@lowering("aten.view.default", "aten._reshape_alias.default", "aten.reshape.default",
          "aten.squeeze.dim", "aten.squeeze.default", "aten.squeeze.dims",
          "aten.unsqueeze.default", "aten.flatten.using_ints")
def _view(em, args, kwargs, meta):
    return em.reshape(args[0], meta.shape)


@lowering("aten.permute.default")
def _permute(em, args, kwargs, meta):
    return em.transpose(args[0], list(args[1]))


@lowering("aten.expand.default")
def _expand(em, args, kwargs, meta):
    x = args[0]
    if x.shape == meta.shape:
        return x
    return em.elementwise(meta.shape, meta.elt, [x], lambda b, s: s[0])


@lowering("prims.broadcast_in_dim.default")
def _broadcast_in_dim(em, args, kwargs, meta):
    x, shape, dims = args[:3]
    kept = [1] * len(shape)
    for i, d in enumerate(dims):
        kept[d] = x.shape[i]
    return em.elementwise(meta.shape, meta.elt, [em.reshape(x, kept)], lambda b, s: s[0])


@lowering("aten.split_with_sizes.default")
def _split_with_sizes(em, args, kwargs, meta):
    x, sizes = args[:2]
    dim = (args[2] if len(args) > 2 else kwargs.get("dim", 0)) % x.rank
    parts, start = [], 0
    for size in sizes:
        offsets = [start if i == dim else 0 for i in range(x.rank)]
        shape = [size if i == dim else s for i, s in enumerate(x.shape)]
        parts.append(em.extract_slice(x, offsets, shape, [1] * x.rank))
        start += size
    return tuple(parts)


@lowering("aten.slice.Tensor")
def _slice(em, args, kwargs, meta):
    x = args[0]
    dim = (args[1] if len(args) > 1 else 0) % x.rank
    start = args[2] if len(args) > 2 and args[2] is not None else 0
    step = args[4] if len(args) > 4 else 1
    start = start + x.shape[dim] if start < 0 else min(start, x.shape[dim])
    offsets = [start if i == dim else 0 for i in range(x.rank)]
    strides = [step if i == dim else 1 for i in range(x.rank)]
    return em.extract_slice(x, offsets, meta.shape, strides)


@lowering("aten.slice_scatter.default")
def _slice_scatter(em, args, kwargs, meta):
    x, src = args[:2]
    dim = (args[2] if len(args) > 2 else kwargs.get("dim", 0)) % x.rank
    start = args[3] if len(args) > 3 and args[3] is not None else kwargs.get("start") or 0
    step = args[5] if len(args) > 5 else kwargs.get("step", 1)
    start = start + x.shape[dim] if start < 0 else min(start, x.shape[dim])
    offsets = [start if i == dim else 0 for i in range(x.rank)]
    strides = [step if i == dim else 1 for i in range(x.rank)]
    return em.insert_slice(src, x, offsets, strides)


@lowering("aten.select.int")
def _select(em, args, kwargs, meta):
    x, dim, index = args[:3]
    dim %= x.rank
    index %= x.shape[dim]
    offsets = [index if i == dim else 0 for i in range(x.rank)]
    sizes = [1 if i == dim else s for i, s in enumerate(x.shape)]
    return em.reshape(em.extract_slice(x, offsets, sizes, [1] * x.rank), meta.shape)


@lowering("aten.cat.default")
def _cat(em, args, kwargs, meta):
    tensors = [t for t in args[0] if math.prod(t.shape) > 0 or t.rank == len(meta.shape)]
    dim = (args[1] if len(args) > 1 else kwargs.get("dim", 0)) % len(meta.shape)
    result = em.empty(meta.shape, meta.elt)
    start = 0
    for t in tensors:
        if t.rank != len(meta.shape):
            continue
        offsets = [start if i == dim else 0 for i in range(t.rank)]
        result = em.insert_slice(t, result, offsets, [1] * t.rank)
        start += t.shape[dim]
    return result


# Indexing.
def _extract(b, tensor_value, indices):
    return b.raw(f"tensor.extract {tensor_value.name}[{', '.join(indices)}] : {tensor_value.type}")


@lowering("aten.gather.default")
def _gather(em, args, kwargs, meta):
    x, dim, index = args[:3]
    dim %= x.rank

    def body(b, vals):
        i = b.raw(f"arith.index_cast {vals[0]} : {index.elt} to index")
        indices = [i if d == dim else b.index(d) for d in range(x.rank)]
        return _extract(b, x, indices)
    return em.elementwise(meta.shape, meta.elt, [index], body)


@lowering("aten.scatter.value")
def _scatter_value(em, args, kwargs, meta):
    x, dim, index, value = args[:4]
    dim %= x.rank
    if index.shape[dim] != 1 or any(index.shape[d] != x.shape[d]
                                    for d in range(x.rank) if d != dim):
        raise NotImplementedError("aten.scatter.value with more than one index per row")

    def body(b, vals):
        indices = [b.raw("arith.constant 0 : index") if d == dim else b.index(d)
                   for d in range(x.rank)]
        target = b.raw(f"arith.index_cast {_extract(b, index, indices)} : {index.elt} to index")
        hit = b.raw(f"arith.cmpi eq, {target}, {b.index(dim)} : index")
        return b.select(hit, b.const(value, x.elt), vals[0], x.elt)
    return em.elementwise(meta.shape, meta.elt, [x], body)


@lowering("aten.embedding.default")
def _embedding(em, args, kwargs, meta):
    weight, ids = args[:2]
    maps_in = "affine_map<(" + ", ".join(f"d{i}" for i in range(len(meta.shape))) + ") -> (" + \
        ", ".join(f"d{i}" for i in range(ids.rank)) + ")>"
    identity = "affine_map<(" + ", ".join(f"d{i}" for i in range(len(meta.shape))) + ") -> (" + \
        ", ".join(f"d{i}" for i in range(len(meta.shape))) + ")>"

    def body(b, vals, out):
        row = b.raw(f"arith.index_cast {vals[0]} : {ids.elt} to index")
        return _extract(b, weight, [row, b.index(len(meta.shape) - 1)])
    return em.generic(meta.shape, meta.elt, [ids], [maps_in, identity],
                      ["parallel"] * len(meta.shape), body)


@lowering("aten.embedding_dense_backward.default")
def _embedding_dense_backward(em, args, kwargs, meta):
    grad, ids, num_weights, padding_idx, scale_grad_by_freq = args[:5]
    if scale_grad_by_freq:
        raise NotImplementedError("aten.embedding_dense_backward with scale_grad_by_freq")
    count = math.prod(ids.shape)
    width = meta.shape[1]
    flat_ids = em.reshape(ids, (count,))
    flat_grad = em.reshape(grad, (count, width))
    init = em.filled(0.0, meta.shape, meta.elt)
    maps = ["affine_map<(d0, d1, d2) -> (d1)>", "affine_map<(d0, d1, d2) -> (d1, d2)>",
            "affine_map<(d0, d1, d2) -> (d0, d2)>"]

    def body(b, vals, out):
        row = b.raw(f"arith.index_cast {b.index(0)} : index to {ids.elt}")
        hit = b.raw(f"arith.cmpi eq, {vals[0]}, {row} : {ids.elt}")
        if padding_idx is not None and padding_idx >= 0:
            pad = b.const(padding_idx, ids.elt)
            real = b.raw(f"arith.cmpi ne, {vals[0]}, {pad} : {ids.elt}")
            hit = b.raw(f"arith.andi {hit}, {real} : i1")
        term = b.select(hit, vals[1], b.const(0.0, meta.elt), meta.elt)
        return b.add(out, term, meta.elt)
    return em.generic(meta.shape, meta.elt, [flat_ids, flat_grad], maps,
                      ["parallel", "reduction", "parallel"], body, init=init)


def meta_of(node):
    tm = node.meta.get("tensor_meta")
    if not hasattr(tm, "shape"):
        return None
    return Meta(tm.shape, element_type(tm.dtype))
