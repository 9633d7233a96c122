//===- ReplicaTypes.h - per_replica and mirrored types ----------*- C++ -*-===//

#ifndef REPLICA_DIALECT_REPLICA_IR_REPLICATYPES_H
#define REPLICA_DIALECT_REPLICA_IR_REPLICATYPES_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Types.h"

#include "replica/Dialect/Replica/IR/ReplicaTypeInterfaces.h.inc"

#define GET_TYPEDEF_CLASSES
#include "replica/Dialect/Replica/IR/ReplicaTypes.h.inc"

namespace mlir::replica {

/// True for `per_replica`/`mirrored` types and tuples with such a leaf.
bool containsDistributedType(Type type);

/// The local type: the element type of a distributed type, else `type`.
Type getLocalType(Type type);

/// `type` with every distributed leaf replaced by its element type.
Type getLocalStructureType(Type type);

} // namespace mlir::replica

#endif // REPLICA_DIALECT_REPLICA_IR_REPLICATYPES_H
