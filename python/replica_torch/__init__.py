"""replica_torch: imports a PyTorch model's training step as a replica program.

    from replica_torch import import_training_step
    text = import_training_step(model, inputs, targets, loss="cross_entropy",
                                replicas=2, steps=5, lr=0.1, momentum=0.0)

The joint forward and backward pass of one replica's shard is traced with
make_fx (PyTorch's own decompositions bring composite ops down to a small
set) and lowered to linalg / tensor / arith / math on tensors. The program's
`@main` holds the model's parameters as mirrored values and the global batch
split row-wise into per-replica shards; inside a `replica.replicate` body an
`scf.for` runs the steps: forward and backward, one `replica.all_reduce mean`
per gradient and for the loss, and the SGD update. Replica 0 prints
`loss <step> <value>` for each step (steps count from 0).
"""

import contextlib

import torch
import torch._decomp
import torch.fx.traceback as fx_traceback
from torch.fx.experimental.proxy_tensor import make_fx
from torch.fx.passes.shape_prop import ShapeProp
from torch.nn.utils.stateless import functional_call

from . import aten as _aten
from .lowering import Emitter, Value

__all__ = ["LOSSES", "import_training_step", "pytorch_training"]

def _cross_entropy(output, targets):
    # Per-position targets ([batch, positions]) against flattened logits
    # ([batch * positions, classes]), as language models compute it.
    if output.dim() == 2 and targets.dim() > 1:
        targets = targets.reshape(-1)
    return torch.nn.functional.cross_entropy(output, targets)


LOSSES = {
    "cross_entropy": _cross_entropy,
    "mse": torch.nn.functional.mse_loss,
}


_OUTSIDE_MODULES = "the loss or the backward pass"


@contextlib.contextmanager
def _module_locations(model):
    """Makes each op the trace records carry the path of the submodule that
    ran it (as the node's stack_trace, innermost first)."""
    stack = []
    handles = []

    def enter(label):
        def hook(module, inputs):
            stack.append(label)
            fx_traceback.set_stack_trace(list(stack))
        return hook

    def leave(module, inputs, outputs):
        stack.pop()
        fx_traceback.set_stack_trace(list(stack) or [_OUTSIDE_MODULES])

    for name, module in model.named_modules():
        label = f"{name or 'the model'} ({type(module).__name__})"
        handles.append(module.register_forward_pre_hook(enter(label)))
        handles.append(module.register_forward_hook(leave))
    try:
        with fx_traceback.override_stack_trace():
            yield
    finally:
        for handle in handles:
            handle.remove()


def _trace(model, names, shard_inputs, shard_targets, loss_fn):
    def step(*args):
        params = args[:len(names)]
        inputs, targets = args[len(names):]
        output = functional_call(model, dict(zip(names, params)), (inputs,))
        loss = loss_fn(output, targets)
        return (loss, *torch.autograd.grad(loss, params))

    table = torch._decomp.get_decompositions(_aten.DECOMPOSITIONS)
    params = [p.detach().clone().requires_grad_() for p in model.parameters()]
    with _module_locations(model):
        traced = make_fx(step, decomposition_table=table)(*params, shard_inputs, shard_targets)
    # Shapes and types of every node, including those decompositions made.
    ShapeProp(traced).propagate(*[p.detach() for p in params], shard_inputs, shard_targets)
    return traced


def _location(node):
    """Where in the model the op comes from: its innermost submodule."""
    trace = (getattr(node, "stack_trace", None) or "").splitlines()
    if not trace or trace[0] == _OUTSIDE_MODULES:
        return "in " + _OUTSIDE_MODULES
    return "in module " + trace[0]


# Ops per outlined function of the step. LLVM's loop passes grow faster than
# linearly with the loops in one function: one function per chunk of the
# graph keeps compiling a deep model's step linear in its depth.
OPS_PER_FUNCTION = 48


def _lower_node(em, node, env):
    target = str(node.target)
    if _is_getitem(node):
        env[node] = env[node.args[0]][node.args[1]]
        return
    lower = _aten.LOWERINGS.get(target)
    if lower is None:
        raise NotImplementedError(
            f"replica_torch: {target} is not supported ({_location(node)})")
    args = [_lookup(env, a) for a in node.args]
    kwargs = {k: _lookup(env, v) for k, v in node.kwargs.items()}
    try:
        env[node] = lower(em, args, kwargs, _aten.meta_of(node))
    except NotImplementedError as error:
        raise NotImplementedError(
            f"replica_torch: {target}: {error} ({_location(node)})") from None


def _is_getitem(node):
    return str(node.target) == "<built-in function getitem>"


def _chunks(nodes):
    """Consecutive runs of about OPS_PER_FUNCTION ops; the getitems that
    take a multi-result op apart go with it."""
    getitems = {}
    for node in nodes:
        if _is_getitem(node):
            getitems.setdefault(node.args[0], []).append(node)
    chunk = []
    for node in nodes:
        if _is_getitem(node):
            continue
        if len(chunk) >= OPS_PER_FUNCTION:
            yield chunk
            chunk = []
        chunk.append(node)
        chunk.extend(getitems.get(node, []))
    if chunk:
        yield chunk


def _lower_graph(em, graph_module, env, functions):
    """Emits the graph as calls of outlined functions (appended to
    `functions` as text); `env` maps placeholders to Values. Returns the
    Values of the graph's outputs."""
    for node in graph_module.graph.nodes:
        if node.op not in ("placeholder", "call_function", "output"):
            raise NotImplementedError(f"replica_torch: graph node {node.op} {node.target}")
    nodes = [n for n in graph_module.graph.nodes if n.op == "call_function"]
    output = next(n for n in graph_module.graph.nodes if n.op == "output")
    chunks = list(_chunks(nodes))
    position = {n: i for i, chunk in enumerate(chunks) for n in chunk}
    for index, chunk in enumerate(chunks):
        members = set(chunk)
        inputs = []
        for node in chunk:
            for used in node.all_input_nodes:
                if used not in members and used not in inputs:
                    inputs.append(used)
        body = Emitter(indent=2)
        local = {}
        arguments = []
        for used in inputs:
            argument = Value(body.fresh("in"), env[used].shape, env[used].elt)
            local[used] = argument
            arguments.append(argument)
        for node in chunk:
            _lower_node(body, node, local)
        # Results: the tensors of this chunk that later chunks or the graph's
        # output use.
        outputs = [n for n in chunk if isinstance(local[n], Value)
                   and any(user is output or position[user] > index for user in n.users)]
        # Each result is written into a destination the caller allocates:
        # after bufferization the call returns nothing and the caller's
        # buffers are plain allocations, which deallocation handles cheaply.
        destinations = [Value(body.fresh("out"), local[n].shape, local[n].elt) for n in outputs]
        results = []
        for node, dest in zip(outputs, destinations):
            value = local[node]
            results.append(body.define(
                f"bufferization.materialize_in_destination {value.name} in {dest.name} : "
                f"({value.type}, {dest.type}) -> {dest.type}", dest.shape, dest.elt))
        name = f"@step_{index}"
        result_types = ", ".join(r.type for r in results)
        functions.append(
            f"func.func private {name}("
            + ", ".join(f"{a.name}: {a.type}" for a in arguments + destinations)
            + f") -> ({result_types})"
            # Kept out of line by LLVM's inliner too, for the reason above.
            + ' attributes {passthrough = ["noinline"]} {\n'
            + "\n".join(body.lines)
            + "\n  return" + (" " + ", ".join(r.name for r in results) + " : " + result_types
                               if results else "") + "\n}\n")
        outs = [em.empty(r.shape, r.elt) for r in results]
        call = em.fresh("part")
        args = ", ".join(v.name for v in [env[n] for n in inputs] + outs)
        types = ", ".join(v.type for v in [env[n] for n in inputs] + outs)
        em.line((f"{call}:{len(results)} = " if results else "")
                + f"func.call {name}({args}) : ({types}) -> ({result_types})")
        for i, (node, result) in enumerate(zip(outputs, results)):
            env[node] = Value(f"{call}#{i}", result.shape, result.elt)
    return [_lookup(env, a) for a in output.args[0]]


def _lookup(env, arg):
    if isinstance(arg, torch.fx.Node):
        return env[arg]
    if isinstance(arg, (list, tuple)):
        return type(arg)(_lookup(env, a) for a in arg)
    return arg


def _distributed(kind, replicas, value_type):
    return f"!replica.{kind}<{replicas} x {value_type}>"


def _print_loss(em, step, loss):
    value = em.fresh()
    em.line(f"{value} = tensor.extract {loss.name}[] : {loss.type}")
    step64 = em.fresh()
    em.line(f"{step64} = arith.index_cast {step} : index to i64")
    em.line('vector.print str "loss "')
    em.line(f"vector.print {step64} : i64 punctuation <no_punctuation>")
    em.line('vector.print str " "')
    em.line(f"vector.print {value} : {loss.elt}")


def _print_parameter(em, index, name, param):
    """`param <index> <name>: v v v ...` with every element, flattened."""
    flat = em.reshape(param, (int(torch.Size(param.shape).numel()),))
    c0, c1, count = em.fresh(), em.fresh(), em.fresh()
    em.line(f"{c0} = arith.constant 0 : index")
    em.line(f"{c1} = arith.constant 1 : index")
    em.line(f"{count} = arith.constant {flat.shape[0]} : index")
    em.line(f'vector.print str "param {index} {name}:"')
    i = em.fresh("i")
    em.line(f"scf.for {i} = {c0} to {count} step {c1} {{")
    element = em.fresh()
    em.line(f"  {element} = tensor.extract {flat.name}[{i}] : {flat.type}")
    em.line('  vector.print str " "')
    em.line(f"  vector.print {element} : {flat.elt} punctuation <no_punctuation>")
    em.line("}")
    em.line("vector.print punctuation <newline>")


def pytorch_training(model, inputs, targets, loss, steps, lr=0.1, momentum=0.0):
    """PyTorch's own training of `model` (in place) on the global batch, as
    the imported program does it: (loss of every step, final parameters)."""
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        value = LOSSES[loss](model(inputs), targets)
        value.backward()
        optimizer.step()
        losses.append(value.item())
    return losses, [p.detach().clone() for p in model.parameters()]


def import_training_step(model, inputs, targets, loss="cross_entropy", replicas=2,
                         steps=5, lr=0.1, momentum=0.0, print_parameters=False,
                         time_steps=False):
    """Returns the MLIR text of a replica program that trains `model` for
    `steps` SGD steps on (inputs, targets) split row-wise over `replicas`.

    With `print_parameters`, replica 0 also prints every parameter after the
    last step (`param <index> <name>: <values>`), for checking against PyTorch;
    with `time_steps`, each step's wall time (`step_seconds <step> <seconds>`,
    rtclock from the MLIR C runner utilities).
    """
    if loss not in LOSSES:
        raise ValueError(f"replica_torch: loss must be one of {sorted(LOSSES)}, not {loss!r}")
    if replicas < 1 or steps < 0:
        raise ValueError("replica_torch: replicas must be >= 1 and steps >= 0")
    batch = inputs.shape[0]
    if targets.shape[0] != batch or batch % replicas:
        raise ValueError(f"replica_torch: the batch of {batch} rows does not split into "
                         f"{replicas} equal shards (targets have {targets.shape[0]} rows)")
    shard = batch // replicas
    names = [name for name, _ in model.named_parameters()]
    params = [p.detach() for p in model.parameters()]
    traced = _trace(model, names, inputs[:shard], targets[:shard], LOSSES[loss])

    em = Emitter(indent=2)
    header = [f"// Imported by replica_torch: {type(model).__name__}, {loss} loss, "
              f"{replicas} replicas of {shard} rows, {steps} steps of SGD "
              f"(lr {lr}, momentum {momentum}).",
              "func.func @main() {"]
    # Parameters: mirrored; the batch: per-replica shards of the global batch.
    mirrored, shards = [], []
    # One replica still gets distributed values (N = 1 would fold them away).
    wrap = " always_wrap" if replicas == 1 else ""
    for p in params:
        value = em.constant(p)
        m = em.define(f"replica.regroup {', '.join([value.name] * replicas)} mirrored{wrap} : "
                      f"{value.type} -> {_distributed('mirrored', replicas, value.type)}",
                      value.shape, value.elt, "param")
        mirrored.append(m)
    for data in (inputs, targets):
        whole = em.constant(data)
        parts = []
        for r in range(replicas):
            offsets = [r * shard] + [0] * (whole.rank - 1)
            sizes = [shard] + list(whole.shape[1:])
            parts.append(em.extract_slice(whole, offsets, sizes, [1] * whole.rank))
        shards.append(em.define(
            f"replica.regroup {', '.join(p.name for p in parts)}{wrap} : {parts[0].type} -> "
            f"{_distributed('per_replica', replicas, parts[0].type)}",
            parts[0].shape, parts[0].elt, "shard"))

    operands = mirrored + shards
    block_args = [Value(em.fresh("arg"), v.shape, v.elt) for v in operands]
    kinds = ["mirrored"] * len(mirrored) + ["per_replica"] * len(shards)
    em.line(f"replica.replicate<{replicas}> ("
            + ", ".join(f"{a.name} = {v.name}" for a, v in zip(block_args, operands))
            + ") : (" + ", ".join(_distributed(k, replicas, v.type)
                                  for k, v in zip(kinds, operands)) + ") -> () {")
    em.indent += 2
    param_args, (x, y) = block_args[:len(params)], block_args[len(params):]
    c0, c1, csteps, rid, first = (em.fresh() for _ in range(5))
    em.line(f"{c0} = arith.constant 0 : index")
    em.line(f"{c1} = arith.constant 1 : index")
    em.line(f"{csteps} = arith.constant {steps} : index")
    em.line(f"{rid} = replica.replica_id : index")
    em.line(f"{first} = arith.cmpi eq, {rid}, {c0} : index")
    buffers = [em.splat(0.0, p.shape, p.elt) for p in param_args] if momentum else []

    carried = param_args + buffers
    iter_values = [Value(em.fresh("p"), v.shape, v.elt) for v in carried]
    step = em.fresh("step")
    results = em.fresh("trained")
    result_types = ", ".join(v.type for v in carried)
    em.line(f"{results}:{len(carried)} = scf.for {step} = {c0} to {csteps} step {c1} iter_args("
            + ", ".join(f"{a.name} = {v.name}" for a, v in zip(iter_values, carried))
            + f") -> ({result_types}) {{")
    em.indent += 2
    if time_steps:
        start = em.fresh("t")
        em.line(f"{start} = func.call @rtclock() : () -> f64")
    current = iter_values[:len(params)]
    velocity = iter_values[len(params):]
    placeholders = [n for n in traced.graph.nodes if n.op == "placeholder"]
    env = dict(zip(placeholders, current + [x, y]))
    functions = []
    outputs = _lower_graph(em, traced, env, functions)
    shard_loss, grads = outputs[0], outputs[1:]
    loss_value = em.define(f"replica.all_reduce mean {shard_loss.name} : {shard_loss.type}",
                           shard_loss.shape, shard_loss.elt, "loss")
    reduced = [em.define(f"replica.all_reduce mean {g.name} : {g.type}", g.shape, g.elt, "grad")
               for g in grads]
    em.line(f"scf.if {first} {{")
    em.indent += 2
    _print_loss(em, step, loss_value)
    em.indent -= 2
    em.line("}")
    # torch.optim.SGD: v <- momentum * v + g (v = g on the first step, as from
    # v = 0), p <- p - lr * v.
    meta = _aten.Meta
    new_params, new_velocity = [], []
    for i, (p, g) in enumerate(zip(current, reduced)):
        direction = g
        if momentum:
            direction = _aten._pointwise(em, meta(p.shape, p.elt), [velocity[i], g, float(momentum)],
                                         lambda b, s, e: b.add(b.mul(s[2], s[0], e), s[1], e))
            new_velocity.append(direction)
        new_params.append(_aten._pointwise(em, meta(p.shape, p.elt), [p, direction, float(lr)],
                                           lambda b, s, e: b.sub(s[0], b.mul(s[2], s[1], e), e)))
    if time_steps:
        # After the update: the step's time includes its all-reduces' waits.
        end, seconds, step64 = em.fresh("t"), em.fresh(), em.fresh()
        em.line(f"{end} = func.call @rtclock() : () -> f64")
        em.line(f"scf.if {first} {{")
        em.line(f"  {seconds} = arith.subf {end}, {start} : f64")
        em.line(f"  {step64} = arith.index_cast {step} : index to i64")
        em.line('  vector.print str "step_seconds "')
        em.line(f"  vector.print {step64} : i64 punctuation <no_punctuation>")
        em.line('  vector.print str " "')
        em.line(f"  vector.print {seconds} : f64")
        em.line("}")
    em.line("scf.yield " + ", ".join(v.name for v in new_params + new_velocity)
            + f" : {result_types}")
    em.indent -= 2
    em.line("}")
    if print_parameters:
        em.line(f"scf.if {first} {{")
        em.indent += 2
        for i, (name, p) in enumerate(zip(names, param_args)):
            _print_parameter(em, i, name, Value(f"{results}#{i}", p.shape, p.elt))
        em.indent -= 2
        em.line("}")
    em.line("replica.yield")
    em.indent -= 2
    em.line("}")
    em.line("return")
    if time_steps:
        functions.append("func.func private @rtclock() -> f64\n")
    return "\n".join(header + em.lines + ["}", ""] + functions)
