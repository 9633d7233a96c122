//===- ReplicaOps.h - replica dialect operations ----------------*- C++ -*-===//

#ifndef REPLICA_DIALECT_REPLICA_IR_REPLICAOPS_H
#define REPLICA_DIALECT_REPLICA_IR_REPLICAOPS_H

#include "replica/Dialect/Replica/IR/ReplicaDialect.h"
#include "replica/Dialect/Replica/IR/ReplicaTypes.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/Dialect/Bufferization/IR/BufferizableOpInterface.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "replica/Dialect/Replica/IR/ReplicaEnums.h.inc"

namespace mlir::replica {
/// The communication that asynchronous collectives have in flight.
struct CollectiveResource
    : public SideEffects::Resource::Base<CollectiveResource> {
  StringRef getName() final { return "replica::collective"; }
};
} // namespace mlir::replica

#define GET_ATTRDEF_CLASSES
#include "replica/Dialect/Replica/IR/ReplicaAttrs.h.inc"

#define GET_OP_CLASSES
#include "replica/Dialect/Replica/IR/ReplicaOps.h.inc"

namespace mlir::replica {

/// Verifies that no collective inside `op`'s body is reached under control
/// flow whose condition depends on `replica.replica_id`.
LogicalResult verifyNoDivergentCollectives(ReplicateOp op);

/// The number of replicas of the in-replica context `op` is in: the
/// enclosing replicate body's, or, in a program made SPMD by
/// replica-to-spmd, the `replica.num_replicas` of the module. None outside
/// both.
std::optional<int64_t> getInReplicaContext(Operation *op);

/// True for the ops that communicate between replicas.
bool isCollective(Operation *op);

/// Replaces the pair of `start` and its done by the blocking collective
/// (`all_reduce` for one operand, else `batch_all_reduce`) at the start:
/// the same results, computed where the operands were read.
void replaceByBlockingCollective(AllReduceStartOp start);

/// replaceByBlockingCollective for every start under `root`.
void replaceAsyncByBlockingCollectives(Operation *root);

/// `value` as a ranked tensor: a scalar becomes a `tensor<1xT>` (how packs
/// and the runtimes take scalars), a ranked tensor stays as it is.
Value wrapScalar(OpBuilder &builder, Location loc, Value value);

/// The inverse of `wrapScalar`: `tensor` in the form of `like` (its single
/// element when `like` is a scalar type).
Value unwrapScalar(OpBuilder &builder, Location loc, Value tensor, Type like);

/// The reassociation that flattens all `rank` dimensions into one (none for
/// rank 0).
SmallVector<ReassociationIndices> getFlatReassociation(int64_t rank);

} // namespace mlir::replica

#endif // REPLICA_DIALECT_REPLICA_IR_REPLICAOPS_H
