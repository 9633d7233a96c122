//===- ReplicaBase.td - replica dialect, enums and interfaces -*- tablegen -*-===//
//
// The replica dialect: typed per-replica and mirrored values for data-parallel
// programs, replicate regions and collectives.
//
//===----------------------------------------------------------------------===//

#ifndef REPLICA_DIALECT_REPLICA_IR_REPLICABASE_TD
#define REPLICA_DIALECT_REPLICA_IR_REPLICABASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

def Replica_Dialect : Dialect {
  let name = "replica";
  let cppNamespace = "::mlir::replica";
  let summary = "Typed per-replica and mirrored values for data-parallel programs";
  let description = [{
    The `replica` dialect gives a compiler the values of data-parallel training
    programs as typed SSA IR: `!replica.per_replica<N x T>` holds one value per
    replica, `!replica.mirrored<N x T>` holds N copies that are equal. Structures
    (nests) are builtin `tuple` types whose leaves may be distributed.
    `replica.regroup` and `replica.select_replica` move between replica-major
    structures and structures of distributed values; `replica.replicate` runs a
    body once per replica; collectives reduce, broadcast and gather across
    replicas, in a cross-replica form (on distributed values, outside
    `replicate`) and an in-replica form (on local values, inside `replicate`).
  }];
  let useDefaultTypePrinterParser = 1;
  let useDefaultAttributePrinterParser = 1;
  let hasOperationAttrVerify = 1;
  let extraClassDeclaration = [{
    /// On a module: the program is SPMD (one process per replica) over this
    /// many replicas; in-replica ops are valid anywhere in it.
    static ::llvm::StringRef getNumReplicasAttrName() {
      return "replica.num_replicas";
    }
    /// On a module lowered for MPI: the bytes per rank of the MPI runtime's
    /// window in which `replica-place-mpi-buffers` placed all-reduce
    /// buffers, so that a runner can reserve it at start-up.
    static ::llvm::StringRef getMPIWindowBytesAttrName() {
      return "replica.mpi_window_bytes";
    }
    /// Likewise, the bytes of all-reduce results that every rank of a node
    /// reads from one shared copy.
    static ::llvm::StringRef getMPISharedWindowBytesAttrName() {
      return "replica.mpi_shared_window_bytes";
    }
    /// On a `replica.all_reduce` or `replica.batch_all_reduce` (unit): keep
    /// its reductions out of packs (`replica-fuse-reductions`).
    static ::llvm::StringRef getNoFusionAttrName() {
      return "replica.no_fusion";
    }
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def Replica_ReductionKind : I32Enum<"ReductionKind", "reduction kind", [
    I32EnumCase<"Sum", 0, "sum">,
    I32EnumCase<"Mean", 1, "mean">,
    I32EnumCase<"Max", 2, "max">,
    I32EnumCase<"Min", 3, "min">,
    I32EnumCase<"Prod", 4, "prod">]> {
  let cppNamespace = "::mlir::replica";
}

def Replica_ReductionKindAttr
    : EnumAttr<Replica_Dialect, Replica_ReductionKind, "reduction"> {
  let assemblyFormat = "$value";
}

def Replica_DistributedTypeInterface : TypeInterface<"DistributedType"> {
  let cppNamespace = "::mlir::replica";
  let description = [{
    A value distributed over replicas: `!replica.per_replica` or
    `!replica.mirrored`. Its element type is the local type of one component.
  }];
  let methods = [
    InterfaceMethod<"number of replicas", "int64_t", "getNumReplicas">,
    InterfaceMethod<"type of one component", "::mlir::Type", "getElementType">,
  ];
}

#endif // REPLICA_DIALECT_REPLICA_IR_REPLICABASE_TD
