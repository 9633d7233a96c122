//===- ReplicaOps.td - replica dialect operations ----------*- tablegen -*-===//

#ifndef REPLICA_DIALECT_REPLICA_IR_REPLICAOPS_TD
#define REPLICA_DIALECT_REPLICA_IR_REPLICAOPS_TD

include "replica/Dialect/Replica/IR/ReplicaBase.td"
include "replica/Dialect/Replica/IR/ReplicaTypes.td"
include "mlir/Dialect/Bufferization/IR/BufferizableOpInterface.td"
include "mlir/IR/BuiltinTypes.td"
include "mlir/Interfaces/ControlFlowInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

class Replica_Op<string mnemonic, list<Trait> traits = []>
    : Op<Replica_Dialect, mnemonic, traits>;

def Replica_AnyDistributed : Type<
    CPred<"::llvm::isa<::mlir::replica::DistributedType>($_self)">,
    "per_replica or mirrored type", "::mlir::replica::DistributedType">;

//===----------------------------------------------------------------------===//
// Structure ops
//===----------------------------------------------------------------------===//

def Replica_TupleOp : Replica_Op<"tuple", [Pure]> {
  let summary = "build a structure from its elements";
  let description = [{
    Builds a value of builtin `tuple` type from its elements, as a front end
    builds a nest (list, tuple, namedtuple, dict with sorted keys).

    ```mlir
    %t = replica.tuple %a, %b : tuple<tensor<4xf32>, i32>
    ```
  }];
  let arguments = (ins Variadic<AnyType>:$elements);
  let results = (outs Builtin_Tuple:$result);
  let assemblyFormat = [{
    $elements attr-dict `:` custom<TupleType>(type($elements), type($result))
  }];
  let hasVerifier = 1;
}

def Replica_TupleGetOp : Replica_Op<"tuple_get", [Pure]> {
  let summary = "extract one element of a structure";
  let description = [{
    ```mlir
    %b = replica.tuple_get %t[1] : tuple<tensor<4xf32>, i32> -> i32
    ```
  }];
  let arguments = (ins Builtin_Tuple:$tuple, I64Attr:$index);
  let results = (outs AnyType:$result);
  let assemblyFormat = [{
    $tuple `[` $index `]` attr-dict `:` type($tuple) `->` type($result)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Replica_UnpackOp : Replica_Op<"unpack", [Pure, InferTypeOpAdaptor]> {
  let summary = "the N components of a distributed value";
  let description = [{
    Yields the N components of a `per_replica` or `mirrored` value, each of the
    local type, in replica order.

    ```mlir
    %v:4 = replica.unpack %d : !replica.per_replica<4 x tensor<16xf32>>
    ```
  }];
  let arguments = (ins Replica_AnyDistributed:$input);
  let results = (outs Variadic<AnyType>:$components);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// regroup / select_replica
//===----------------------------------------------------------------------===//

def Replica_RegroupOp : Replica_Op<"regroup", [Pure]> {
  let summary = "N replica-major structures to one structure of distributed values";
  let description = [{
    TF's `regroup`. All operands have one type `T`; N is the operand count.
    The result is `T` with every leaf `L` replaced by `per_replica<N x L>`
    (`mirrored<N x L>` with `mirrored`, which is the caller's promise that the
    components are equal). With N = 1 and no `always_wrap` the result type is
    `T` and the op folds to its operand. A leaf whose N operand leaves are
    provably the same SSA value (looking through `replica.tuple`) may stay
    unwrapped (TF's "same id" case); `always_wrap` wraps every leaf.

    ```mlir
    %d = replica.regroup %a0, %a1, %a2, %a3 : tensor<16xf32> -> !replica.per_replica<4 x tensor<16xf32>>
    %m = replica.regroup %a0, %a1 mirrored : tensor<16xf32> -> !replica.mirrored<2 x tensor<16xf32>>
    %w = replica.regroup %f always_wrap : f32 -> !replica.per_replica<1 x f32>
    %s = replica.regroup %t0, %t1 : tuple<tensor<4xf32>, i32>
           -> tuple<!replica.per_replica<2 x tensor<4xf32>>, !replica.per_replica<2 x i32>>
    ```
  }];
  let arguments = (ins Variadic<AnyType>:$inputs, UnitAttr:$mirrored,
                       UnitAttr:$always_wrap);
  let results = (outs AnyType:$result);
  let assemblyFormat = [{
    $inputs (`mirrored` $mirrored^)? (`always_wrap` $always_wrap^)? attr-dict
    `:` custom<SameTypes>(ref($inputs), type($inputs)) `->` type($result)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Replica_SelectReplicaOp : Replica_Op<"select_replica", [Pure]> {
  let summary = "replica i's view of a structure";
  let description = [{
    TF's `select_replica`. Distributed leaves give their i-th component; other
    leaves pass through. A static index must lie in `[0, N)`; a dynamic index
    (an `index` value) out of range is undefined behaviour.

    ```mlir
    %x = replica.select_replica %d[2] : !replica.per_replica<4 x tensor<16xf32>> -> tensor<16xf32>
    %y = replica.select_replica %s[%i] : tuple<!replica.per_replica<2 x tensor<4xf32>>, f32> -> tuple<tensor<4xf32>, f32>
    ```
  }];
  let arguments = (ins AnyType:$input, Optional<Index>:$index,
                       OptionalAttr<I64Attr>:$static_index);
  let results = (outs AnyType:$result);
  let assemblyFormat = [{
    $input `[` custom<ReplicaIndex>($index, $static_index) `]` attr-dict
    `:` type($input) `->` type($result)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// replicate / yield / replica_id
//===----------------------------------------------------------------------===//

def Replica_ReplicateOp : Replica_Op<"replicate", [
    SingleBlockImplicitTerminator<"YieldOp">, RecursiveMemoryEffects]> {
  let summary = "run a body once per replica (call_for_each_replica)";
  let description = [{
    TF's `call_for_each_replica`. The body runs once per replica. Its block
    arguments have the local types of the operands: each is the
    `select_replica` of its operand by the replica's id. The results are the
    regroup of the yielded values, `per_replica<N x T>` for a yielded `T`
    (every leaf of a yielded tuple wrapped). All distributed operands have the
    op's N. Inside the body, collectives take their in-replica form and every
    replica must reach the same collectives in the same order.

    ```mlir
    %r:2 = replica.replicate<4> (%x = %d, %w = %c)
        : (!replica.per_replica<4 x tensor<16xf32>>, tensor<16xf32>)
        -> (!replica.per_replica<4 x tensor<16xf32>>, !replica.per_replica<4 x f32>) {
      %id = replica.replica_id : index
      %s = replica.all_reduce sum %x : tensor<16xf32>
      %f = arith.constant 1.0 : f32
      replica.yield %s, %f : tensor<16xf32>, f32
    }
    ```
  }];
  let arguments = (ins Variadic<AnyType>:$inputs, I64Attr:$num_replicas);
  let results = (outs Variadic<AnyType>:$results);
  let regions = (region SizedRegion<1>:$body);
  let hasCustomAssemblyFormat = 1;
  let hasVerifier = 1;
  let hasRegionVerifier = 1;
  let extraClassDeclaration = [{
    /// The yield that ends the body.
    YieldOp getYield();
  }];
}

def Replica_YieldOp : Replica_Op<"yield", [
    Pure, ReturnLike, Terminator, HasParent<"ReplicateOp">]> {
  let summary = "the values one replica returns from a replicate body";
  let description = [{
    ```mlir
    replica.yield %u, %v : tensor<16xf32>, f32
    ```
  }];
  let arguments = (ins Variadic<AnyType>:$values);
  let builders = [OpBuilder<(ins), [{ /* nothing to yield */ }]>];
  let assemblyFormat = "attr-dict ($values^ `:` type($values))?";
}

def Replica_ReplicaIdOp : Replica_Op<"replica_id", [Pure]> {
  let summary = "the id of the replica running the enclosing replicate body";
  let description = [{
    Only valid inside a `replica.replicate` body (at any depth of nesting).

    ```mlir
    %id = replica.replica_id : index
    ```
  }];
  let results = (outs Index:$result);
  let assemblyFormat = "attr-dict `:` type($result)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Collectives
//===----------------------------------------------------------------------===//

class Replica_CollectiveOp<string mnemonic, list<Trait> traits = []>
    : Replica_Op<mnemonic, traits # [Pure]> {
  let hasVerifier = 1;
}

def Replica_AllReduceOp : Replica_CollectiveOp<"all_reduce", [InferTypeOpAdaptor]> {
  let summary = "reduce across replicas, every replica gets the result";
  let description = [{
    Cross-replica form (outside `replicate`): a `per_replica` or `mirrored`
    operand and a `mirrored` result. In-replica form (inside `replicate`): a
    local operand and a result of the same type. The operand is a ranked
    tensor or a scalar of integer or float type; `mean` (sum divided by the
    number of replicas) is rejected on integers.

    ```mlir
    %m = replica.all_reduce sum %d : !replica.per_replica<4 x tensor<16xf32>>
    %s = replica.all_reduce max %x : tensor<16xf32>
    ```
  }];
  let arguments = (ins Replica_ReductionKindAttr:$kind, AnyType:$input);
  let results = (outs AnyType:$result);
  let assemblyFormat = "custom<ReductionKind>($kind) $input attr-dict `:` type($input)";
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}

def Replica_BatchAllReduceOp
    : Replica_CollectiveOp<"batch_all_reduce", [InferTypeOpAdaptor]> {
  let summary = "all-reduce of several values, TF's batch_reduce";
  let description = [{
    One all-reduce per operand, as `replica.all_reduce` does, in one op. In the
    cross-replica form all operands share N; shapes and element types may
    differ.

    ```mlir
    %ms:3 = replica.batch_all_reduce mean %a, %b, %c
        : !replica.per_replica<4 x tensor<16xf32>>, !replica.per_replica<4 x tensor<3x3xf32>>, !replica.per_replica<4 x f32>
    %s2:2 = replica.batch_all_reduce sum %x, %y : tensor<16xf32>, f32
    ```
  }];
  let arguments = (ins Replica_ReductionKindAttr:$kind, Variadic<AnyType>:$inputs);
  let results = (outs Variadic<AnyType>:$results);
  let assemblyFormat = "custom<ReductionKind>($kind) $inputs attr-dict `:` type($inputs)";
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}

def Replica_ReduceToOp : Replica_CollectiveOp<"reduce_to", [InferTypeOpAdaptor]> {
  let summary = "reduce across replicas to one destination replica";
  let description = [{
    TF's `reduce` to one destination. The cross-replica form takes a
    distributed operand and gives the local-type result that lives on replica
    `K`. The in-replica form gives the result on replica `K`; the other
    replicas get their own operand back (as `MPI_Reduce` leaves them).

    ```mlir
    %r = replica.reduce_to sum %d to 0 : !replica.per_replica<4 x tensor<16xf32>>
    %q = replica.reduce_to max %x to 1 : tensor<16xf32>
    ```
  }];
  let arguments = (ins Replica_ReductionKindAttr:$kind, AnyType:$input,
                       I64Attr:$destination);
  let results = (outs AnyType:$result);
  let assemblyFormat = [{
    custom<ReductionKind>($kind) $input `to` $destination attr-dict `:` type($input)
  }];
}

def Replica_BroadcastOp : Replica_CollectiveOp<"broadcast"> {
  let summary = "one value to every replica";
  let description = [{
    Cross-replica form: a local value becomes `mirrored<N x T>`. In-replica
    form: every replica receives replica `from`'s value.

    ```mlir
    %b = replica.broadcast %v : tensor<16xf32> -> !replica.mirrored<4 x tensor<16xf32>>
    %h = replica.broadcast %x from 0 : tensor<16xf32>
    ```
  }];
  let arguments = (ins AnyType:$input, OptionalAttr<I64Attr>:$root);
  let results = (outs AnyType:$result);
  let assemblyFormat = [{
    $input (`from` $root^)? attr-dict `:`
    custom<OptionalResultType>(type($input), type($result))
  }];
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}

def Replica_AllGatherOp : Replica_CollectiveOp<"all_gather"> {
  let summary = "concatenate the N components along a dimension";
  let description = [{
    Every replica receives the concatenation of the N components along `dim`
    (TF's path for `IndexedSlices`). The result's size along `dim` is N times
    the operand's; the other dimensions are equal.

    ```mlir
    %g = replica.all_gather %d dim 0 : !replica.per_replica<4 x tensor<8x16xf32>> -> !replica.mirrored<4 x tensor<32x16xf32>>
    %gg = replica.all_gather %x dim 0 : tensor<8x16xf32> -> tensor<32x16xf32>
    ```
  }];
  let arguments = (ins AnyType:$input, I64Attr:$dim);
  let results = (outs AnyType:$result);
  let assemblyFormat = [{
    $input `dim` $dim attr-dict `:` type($input) `->` type($result)
  }];
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}

//===----------------------------------------------------------------------===//
// Asynchronous collectives
//===----------------------------------------------------------------------===//

/// What start and done ops act on: the communication in flight. The effect
/// keeps them from being merged, dropped or reordered with each other.
def Replica_CollectiveResource
    : Resource<"::mlir::replica::CollectiveResource">;

def Replica_AllReduceStartOp : Replica_Op<"all_reduce_start", [
    InferTypeOpAdaptor, MemoryEffects<[MemWrite<Replica_CollectiveResource>]>]> {
  let summary = "start the all-reduce of one or more values";
  let description = [{
    Starts what `replica.batch_all_reduce` with the same operands computes
    (a single operand: `replica.all_reduce`), in the cross-replica or the
    in-replica form, and returns a future for its results. The operands are
    read when the collective starts: the computation between the start and
    its `replica.all_reduce_done` may overlap the communication (XLA's
    `all-reduce-start`/`-done`, DDP's bucket work handles).

    The future has exactly one use, a `replica.all_reduce_done` in the same
    block: on every path each start is completed exactly once, and its
    results exist only after the done. As every collective, a start must not
    be under replica-dependent control flow; every replica starts the same
    collectives in the same order.

    ```mlir
    %f = replica.all_reduce_start sum %a, %b : tensor<16xf32>, f32
    %r:2 = replica.all_reduce_done %f : !replica.future<tensor<16xf32>, f32>
    ```
  }];
  let arguments = (ins Replica_ReductionKindAttr:$kind, Variadic<AnyType>:$inputs);
  let results = (outs Replica_FutureType:$future);
  let assemblyFormat = "custom<ReductionKind>($kind) $inputs attr-dict `:` type($inputs)";
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The done op that completes this start (verified to exist).
    AllReduceDoneOp getDone();
  }];
}

def Replica_AllReduceDoneOp : Replica_Op<"all_reduce_done", [
    InferTypeOpAdaptor, MemoryEffects<[MemWrite<Replica_CollectiveResource>]>]> {
  let summary = "wait for a started all-reduce and take its results";
  let description = [{
    Completes the collective of a `replica.all_reduce_start`: its results
    are the reduced values, of the types the future names.

    ```mlir
    %r = replica.all_reduce_done %f : !replica.future<tensor<16xf32>>
    ```
  }];
  let arguments = (ins Replica_FutureType:$future);
  let results = (outs Variadic<AnyType>:$results);
  let assemblyFormat = "$future attr-dict `:` qualified(type($future))";
  let hasVerifier = 1;
  let hasCanonicalizer = 1;
  let extraClassDeclaration = [{
    /// The start op this completes (verified to exist).
    AllReduceStartOp getStart();
  }];
}

//===----------------------------------------------------------------------===//
// Packs
//===----------------------------------------------------------------------===//

def Replica_PackOp : Replica_Op<"pack", [Pure,
    DeclareOpInterfaceMethods<BufferizableOpInterface, [
      "bufferizesToAllocation", "bufferizesToMemoryRead",
      "bufferizesToMemoryWrite", "getAliasingValues", "bufferize",
      "getBufferType"]>]> {
  let summary = "lay out tensors in one flat buffer";
  let description = [{
    The buffer `replica-fuse-reductions` reduces in one all-reduce: each
    member, flattened in row-major order, at its element offset; the
    elements between members are undefined. Offsets increase and members do
    not overlap. All members are statically shaped and share the pack's
    element type.

    The op takes every member at once, so bufferizing a pack is one
    allocation and one copy per member, with nothing for one-shot
    bufferization's analysis to relate between members: its cost grows
    linearly with their number. `replica-pack-in-place` then removes the
    copies of members computed in fresh buffers by computing them in their
    slices.

    ```mlir
    %p = replica.pack %a, %b offsets [0, 16] : tensor<4xf32>, tensor<2x2xf32> -> tensor<32xf32>
    ```
  }];
  let arguments = (ins Variadic<AnyStaticShapeTensor>:$members,
                       DenseI64ArrayAttr:$offsets);
  let results = (outs 1DTensorOf<[AnyType]>:$result);
  let assemblyFormat = [{
    $members `offsets` $offsets attr-dict `:` type($members) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Replica_SplitPackOp : Replica_Op<"split_pack", [Pure,
    DeclareOpInterfaceMethods<BufferizableOpInterface, [
      "bufferizesToMemoryRead", "bufferizesToMemoryWrite",
      "getAliasingValues", "bufferize", "getBufferType"]>]> {
  let summary = "the members of a flat buffer";
  let description = [{
    The inverse of `replica.pack`: each result is the member of its type at
    its element offset. Results bufferize to views of the pack's buffer, so
    reduced members are read where the all-reduce wrote them.

    ```mlir
    %a, %b = replica.split_pack %r offsets [0, 16] : tensor<32xf32> -> tensor<4xf32>, tensor<2x2xf32>
    ```
  }];
  let arguments = (ins 1DTensorOf<[AnyType]>:$pack, DenseI64ArrayAttr:$offsets);
  let results = (outs Variadic<AnyStaticShapeTensor>:$members);
  let assemblyFormat = [{
    $pack `offsets` $offsets attr-dict `:` type($pack) `->` type($members)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

#endif // REPLICA_DIALECT_REPLICA_IR_REPLICAOPS_TD
