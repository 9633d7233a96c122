//===- ReplicaTypes.td - per_replica and mirrored types ----*- tablegen -*-===//

#ifndef REPLICA_DIALECT_REPLICA_IR_REPLICATYPES_TD
#define REPLICA_DIALECT_REPLICA_IR_REPLICATYPES_TD

include "replica/Dialect/Replica/IR/ReplicaBase.td"

class Replica_Type<string name, string typeMnemonic, list<Trait> traits = []>
    : TypeDef<Replica_Dialect, name, traits # [Replica_DistributedTypeInterface]> {
  let mnemonic = typeMnemonic;
  let parameters = (ins "int64_t":$numReplicas, "::mlir::Type":$elementType);
  let assemblyFormat = "`<` $numReplicas `x` $elementType `>`";
  let genVerifyDecl = 1;
}

def Replica_PerReplicaType : Replica_Type<"PerReplica", "per_replica"> {
  let summary = "one value per replica, values may differ";
  let description = [{
    `!replica.per_replica<N x T>` holds N values of the local type `T`, one per
    replica (TF's `PerReplica`). `N >= 1`; `T` is a leaf type that is not
    itself distributed (tensor, memref, scalar, `index`). Structures of
    distributed values are tuples of distributed leaves, never a distributed
    tuple.

    ```mlir
    !replica.per_replica<4 x tensor<16xf32>>
    ```
  }];
}

def Replica_MirroredType : Replica_Type<"Mirrored", "mirrored"> {
  let summary = "N copies of a value, guaranteed equal";
  let description = [{
    `!replica.mirrored<N x T>` holds N copies of a value of the local type `T`
    that are equal on every replica (TF's `Mirrored`). The same restrictions as
    for `!replica.per_replica` apply to `N` and `T`.

    ```mlir
    !replica.mirrored<4 x tensor<16xf32>>
    ```
  }];
}

def Replica_FutureType : TypeDef<Replica_Dialect, "Future"> {
  let mnemonic = "future";
  let summary = "the results of a collective in flight";
  let description = [{
    `!replica.future<T1, ..., Tn>` stands for the results of types `T1` to
    `Tn` of a collective that `replica.all_reduce_start` started and
    `replica.all_reduce_done` completes.

    ```mlir
    !replica.future<tensor<16xf32>, f32>
    ```
  }];
  let parameters = (ins ArrayRefParameter<"::mlir::Type">:$resultTypes);
  let assemblyFormat = "`<` $resultTypes `>`";
}

#endif // REPLICA_DIALECT_REPLICA_IR_REPLICATYPES_TD
