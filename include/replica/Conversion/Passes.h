//===- Passes.h - replica conversion passes ---------------------*- C++ -*-===//

#ifndef REPLICA_CONVERSION_PASSES_H
#define REPLICA_CONVERSION_PASSES_H

#include "replica/Dialect/Replica/IR/ReplicaDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/DLTI/DLTI.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MPI/IR/MPI.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"

namespace mlir::replica {

#define GEN_PASS_DECL
#include "replica/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "replica/Conversion/Passes.h.inc"

} // namespace mlir::replica

#endif // REPLICA_CONVERSION_PASSES_H
