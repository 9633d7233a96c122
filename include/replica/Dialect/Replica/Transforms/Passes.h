//===- Passes.h - replica dialect passes ------------------------*- C++ -*-===//

#ifndef REPLICA_DIALECT_REPLICA_TRANSFORMS_PASSES_H
#define REPLICA_DIALECT_REPLICA_TRANSFORMS_PASSES_H

#include "replica/Dialect/Replica/IR/ReplicaDialect.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"

namespace mlir::replica {

/// The order replica-fuse-reductions takes candidates in.
enum class FusionOrder { Reverse, Program };

#define GEN_PASS_DECL
#include "replica/Dialect/Replica/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "replica/Dialect/Replica/Transforms/Passes.h.inc"

} // namespace mlir::replica

#endif // REPLICA_DIALECT_REPLICA_TRANSFORMS_PASSES_H
