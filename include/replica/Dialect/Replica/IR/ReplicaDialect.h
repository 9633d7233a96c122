//===- ReplicaDialect.h - replica dialect -----------------------*- C++ -*-===//

#ifndef REPLICA_DIALECT_REPLICA_IR_REPLICADIALECT_H
#define REPLICA_DIALECT_REPLICA_IR_REPLICADIALECT_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Dialect.h"

#include "replica/Dialect/Replica/IR/ReplicaDialect.h.inc"

#endif // REPLICA_DIALECT_REPLICA_IR_REPLICADIALECT_H
