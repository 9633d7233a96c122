//===- RuntimeCall.h - calls of a collective runtime ------------*- C++ -*-===//
//
// Shared by the conversions that lower collectives to calls of a C runtime
// (convert-replica-to-mpi, convert-replica-to-nccl): the operands' buffers,
// the result buffer, and the calls themselves.
//
//===----------------------------------------------------------------------===//

#ifndef REPLICA_CONVERSION_RUNTIMECALL_H
#define REPLICA_CONVERSION_RUNTIMECALL_H

#include "replica/Dialect/Replica/IR/ReplicaOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Transforms/DialectConversion.h"

namespace mlir::replica {

/// The runtimes' name for an element type (f32, f64, f16, bf16, i32, i64);
/// empty when they have none.
inline StringRef getRuntimeTypeName(Type element) {
  if (element.isF32())
    return "f32";
  if (element.isF64())
    return "f64";
  if (element.isF16())
    return "f16";
  if (element.isBF16())
    return "bf16";
  if (element.isInteger(32))
    return "i32";
  if (element.isInteger(64))
    return "i64";
  return {};
}

/// Calls of the runtime whose entry points start with `prefix`, on the
/// buffers of tensors. Buffers travel as `memref<?xT>`: contiguous, so any
/// shape flattens to one dimension, and in the default calling convention
/// a 1-D memref is five scalar arguments (an unranked one would be a
/// descriptor on the stack, which a call in a loop must scope).
class RuntimeCall {
public:
  RuntimeCall(ConversionPatternRewriter &rewriter, Operation *op,
              StringRef prefix)
      : rewriter(rewriter), op(op), loc(op->getLoc()), prefix(prefix) {}

  /// The operand as a ranked tensor (a scalar becomes tensor<1xT>).
  Value toTensor(Value value) { return wrapScalar(rewriter, loc, value); }

  /// A buffer that reads `tensor` in place, flattened.
  Value readBuffer(Value tensor) {
    auto type = cast<RankedTensorType>(tensor.getType());
    auto memref = MemRefType::get(type.getShape(), type.getElementType());
    Value buffer = bufferization::ToBufferOp::create(rewriter, loc, memref,
                                                     tensor, /*readOnly=*/true);
    return flat(buffer);
  }

  /// A fresh buffer of `type` with `dynamicSizes`, flattened.
  Value allocate(RankedTensorType type, ValueRange dynamicSizes) {
    auto memref = MemRefType::get(type.getShape(), type.getElementType());
    result = memref::AllocOp::create(rewriter, loc, memref, dynamicSizes);
    return flat(result);
  }

  /// The tensor the runtime wrote into the buffer of `allocate`.
  Value resultTensor() {
    auto memref = cast<MemRefType>(result.getType());
    return bufferization::ToTensorOp::create(
        rewriter, loc,
        RankedTensorType::get(memref.getShape(), memref.getElementType()),
        result, /*restrict=*/true, /*writable=*/true);
  }

  /// Calls `<prefix><name>(operands...)` with `results`, declaring it if
  /// needed.
  ValueRange call(StringRef name, TypeRange results = {},
                  ValueRange operands = {}) {
    std::string symbol = (prefix + name).str();
    declare(symbol, results, operands);
    return func::CallOp::create(rewriter, loc, symbol, results, operands)
        .getResults();
  }

  /// Calls `<prefix><name>_<type>(operands...)`, declaring it if needed.
  void call(StringRef name, Type element, ValueRange operands) {
    std::string symbol =
        (prefix + name + "_" + getRuntimeTypeName(element)).str();
    declare(symbol, {}, operands);
    func::CallOp::create(rewriter, loc, symbol, TypeRange(), operands);
  }

  Value constant(int64_t value) {
    return arith::ConstantIntOp::create(rewriter, loc, value, 32);
  }

  /// `tensor` back in the form of `like` (a scalar when `like` is one).
  Value fromTensor(Value tensor, Type like) {
    return unwrapScalar(rewriter, loc, tensor, like);
  }

  /// Dynamic sizes of a ranked tensor.
  SmallVector<Value> dynamicSizes(Value tensor) {
    SmallVector<Value> sizes;
    auto type = cast<RankedTensorType>(tensor.getType());
    for (int64_t d = 0; d < type.getRank(); ++d)
      if (type.isDynamicDim(d))
        sizes.push_back(tensor::DimOp::create(rewriter, loc, tensor, d));
    return sizes;
  }

private:
  void declare(StringRef symbol, TypeRange results, ValueRange operands) {
    auto module = op->getParentOfType<ModuleOp>();
    if (SymbolTable::lookupSymbolIn(module, symbol))
      return;
    OpBuilder::InsertionGuard guard(rewriter);
    rewriter.setInsertionPointToStart(module.getBody());
    auto declaration = func::FuncOp::create(
        rewriter, loc, symbol,
        rewriter.getFunctionType(TypeRange(operands), results));
    declaration.setPrivate();
  }

  /// An identity-layout `buffer` as `memref<?xT>`.
  Value flat(Value buffer) {
    auto type = cast<MemRefType>(buffer.getType());
    int64_t rank = type.getRank();
    if (rank == 0) {
      buffer = memref::ExpandShapeOp::create(rewriter, loc,
                                             ArrayRef<int64_t>{1}, buffer,
                                             ArrayRef<ReassociationIndices>{});
    } else if (rank > 1) {
      buffer = memref::CollapseShapeOp::create(rewriter, loc, buffer,
                                               getFlatReassociation(rank));
    }
    auto flatType =
        MemRefType::get({ShapedType::kDynamic}, type.getElementType());
    if (buffer.getType() == flatType)
      return buffer;
    return memref::CastOp::create(rewriter, loc, flatType, buffer);
  }

  ConversionPatternRewriter &rewriter;
  Operation *op;
  Location loc;
  StringRef prefix;
  Value result;
};

/// How a runtime's collectives are called: entry points
/// `<prefix><collective>[_<type>]`, the reduction kind as the runtime's
/// operation code, and, for a runtime that enqueues its collectives on a
/// stream, the stream as every call's last operand (and group_end's).
struct CollectiveRuntime {
  /// The runtime's name in diagnostics ("MPI").
  StringRef name;
  StringRef prefix;
  int64_t (*getReductionCode)(ReductionKind);
  /// Emits the stream of the calls about to be made; null without streams.
  Value (*getStream)(RuntimeCall &call, MLIRContext *context);
};

/// Checks that `module` is SPMD (no `replicate`, no distributed value) and
/// that every collective's element type is one the runtimes have; emits the
/// error, naming the runtime, otherwise.
LogicalResult checkRuntimeCollectives(ModuleOp module,
                                      const CollectiveRuntime &runtime);

/// Patterns lowering `all_reduce`, `batch_all_reduce` (a batch of more than
/// one inside the runtime's group_start/group_end), `reduce_to`, `broadcast`
/// and `all_gather` (the runtime writes the N blocks replica-major) to calls
/// of `runtime`. Each call reads its operand's buffer in place and writes a
/// fresh result buffer; scalars travel as one-element tensors.
void populateCollectivesToRuntimeCallsPatterns(
    RewritePatternSet &patterns, const CollectiveRuntime &runtime);

} // namespace mlir::replica

#endif // REPLICA_CONVERSION_RUNTIMECALL_H
