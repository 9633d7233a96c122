//===- RuntimeCall.h - calls of a collective runtime ------------*- C++ -*-===//
//
// Shared by the conversions that lower collectives to calls of a C runtime
// (convert-replica-to-mpi, convert-replica-to-nccl): the operands' buffers,
// the result buffer, and the calls themselves, each in an alloca scope.
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
#include "mlir/IR/TypeUtilities.h"
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
/// buffers of tensors. Buffers travel as unranked memrefs.
class RuntimeCall {
public:
  RuntimeCall(ConversionPatternRewriter &rewriter, Operation *op,
              StringRef prefix)
      : rewriter(rewriter), op(op), loc(op->getLoc()), prefix(prefix) {}

  /// The operand as a ranked tensor (a scalar becomes tensor<1xT>).
  Value toTensor(Value value) {
    if (isa<RankedTensorType>(value.getType()))
      return value;
    return tensor::FromElementsOp::create(
        rewriter, loc, RankedTensorType::get({1}, value.getType()), value);
  }

  /// A buffer that reads `tensor` in place, as an unranked memref.
  Value readBuffer(Value tensor) {
    auto type = cast<RankedTensorType>(tensor.getType());
    auto memref = MemRefType::get(type.getShape(), type.getElementType());
    Value buffer = bufferization::ToBufferOp::create(rewriter, loc, memref,
                                                     tensor, /*readOnly=*/true);
    return unranked(buffer);
  }

  /// A fresh buffer of `type` with `dynamicSizes`, as an unranked memref.
  Value allocate(RankedTensorType type, ValueRange dynamicSizes) {
    auto memref = MemRefType::get(type.getShape(), type.getElementType());
    result = memref::AllocOp::create(rewriter, loc, memref, dynamicSizes);
    return unranked(result);
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
    // The unranked descriptors the call takes live on the stack: scope them
    // so that a call in a loop does not grow the stack every iteration.
    auto scope = memref::AllocaScopeOp::create(rewriter, loc, TypeRange());
    Block *body = rewriter.createBlock(&scope.getBodyRegion());
    for (Value operand : operands)
      if (auto cast = operand.getDefiningOp<memref::CastOp>())
        rewriter.moveOpBefore(cast, body, body->end());
    rewriter.setInsertionPointToEnd(body);
    func::CallOp::create(rewriter, loc, symbol, TypeRange(), operands);
    memref::AllocaScopeReturnOp::create(rewriter, loc, ValueRange());
    rewriter.setInsertionPointAfter(scope);
  }

  Value constant(int64_t value) {
    return arith::ConstantIntOp::create(rewriter, loc, value, 32);
  }

  /// `tensor` back in the form of `like` (a scalar when `like` is one).
  Value fromTensor(Value tensor, Type like) {
    if (isa<RankedTensorType>(like))
      return tensor;
    Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
    return tensor::ExtractOp::create(rewriter, loc, tensor, zero);
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

  Value unranked(Value buffer) {
    auto type = cast<MemRefType>(buffer.getType());
    return memref::CastOp::create(
        rewriter, loc, UnrankedMemRefType::get(type.getElementType(), 0),
        buffer);
  }

  ConversionPatternRewriter &rewriter;
  Operation *op;
  Location loc;
  StringRef prefix;
  Value result;
};

/// Checks that `module` is SPMD (no `replicate`, no distributed value) and
/// that every collective's element type is one the runtimes have; emits the
/// error, naming `backend`, otherwise.
inline LogicalResult checkRuntimeCollectives(ModuleOp module,
                                             StringRef backend) {
  WalkResult unsupported = module.walk([&](Operation *op) {
    if (isa<ReplicateOp>(op) ||
        llvm::any_of(op->getResultTypes(), containsDistributedType) ||
        llvm::any_of(op->getOperandTypes(), containsDistributedType)) {
      op->emitOpError("must be made SPMD first (replica-to-spmd)");
      return WalkResult::interrupt();
    }
    if (!isCollective(op))
      return WalkResult::advance();
    for (Type type : op->getOperandTypes()) {
      Type element = getElementTypeOrSelf(type);
      if (getRuntimeTypeName(element).empty()) {
        op->emitOpError("element type ")
            << element << " is not supported by the " << backend
            << " backend (f32, f64, i32, i64, f16, bf16)";
        return WalkResult::interrupt();
      }
    }
    return WalkResult::advance();
  });
  return failure(unsupported.wasInterrupted());
}

/// Replaces `op` (on the converted `input`) by a runtime call that gathers
/// the N blocks replica-major into one buffer, emitted by
/// `emitCall(call, in, out)`: that buffer is the result for dim 0; along
/// another dimension its blocks are concatenated there.
inline void
replaceAllGather(AllGatherOp op, Value input,
                 ConversionPatternRewriter &rewriter, StringRef prefix,
                 function_ref<void(RuntimeCall &, Value, Value)> emitCall) {
  Location loc = op.getLoc();
  RuntimeCall call(rewriter, op, prefix);
  auto inputType = cast<RankedTensorType>(input.getType());
  auto resultType = cast<RankedTensorType>(op.getType());
  int64_t n = *getInReplicaContext(op);
  int64_t dim = op.getDim();
  SmallVector<Value> sizes = call.dynamicSizes(input);
  SmallVector<int64_t> blocksShape{n};
  llvm::append_range(blocksShape, inputType.getShape());
  auto blocksType =
      dim == 0 ? resultType
               : RankedTensorType::get(blocksShape, inputType.getElementType());
  if (dim == 0 && inputType.isDynamicDim(0))
    sizes.front() =
        arith::MulIOp::create(rewriter, loc, sizes.front(),
                              arith::ConstantIndexOp::create(rewriter, loc, n));
  Value in = call.readBuffer(input);
  Value out = call.allocate(blocksType, sizes);
  emitCall(call, in, out);
  Value blocks = call.resultTensor();
  if (dim == 0) {
    rewriter.replaceOp(op, blocks);
    return;
  }
  SmallVector<Value> parts;
  SmallVector<OpFoldResult> inputSizes =
      tensor::getMixedSizes(rewriter, loc, input);
  for (int64_t k = 0; k < n; ++k) {
    SmallVector<OpFoldResult> offsets(blocksShape.size(),
                                      rewriter.getIndexAttr(0));
    offsets.front() = rewriter.getIndexAttr(k);
    SmallVector<OpFoldResult> blockSizes{rewriter.getIndexAttr(1)};
    llvm::append_range(blockSizes, inputSizes);
    SmallVector<OpFoldResult> strides(blocksShape.size(),
                                      rewriter.getIndexAttr(1));
    parts.push_back(tensor::ExtractSliceOp::create(
        rewriter, loc, inputType, blocks, offsets, blockSizes, strides));
  }
  rewriter.replaceOpWithNewOp<tensor::ConcatOp>(op, dim, parts);
}

} // namespace mlir::replica

#endif // REPLICA_CONVERSION_RUNTIMECALL_H
