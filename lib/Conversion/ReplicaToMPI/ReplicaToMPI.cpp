//===- ReplicaToMPI.cpp - SPMD collectives to MPI
//---------------------------===//

#include "replica/Conversion/Passes.h"

#include "replica/Dialect/Replica/IR/ReplicaOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/DLTI/DLTI.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MPI/IR/MPI.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Transforms/DialectConversion.h"

namespace mlir::replica {
#define GEN_PASS_DEF_CONVERTREPLICATOMPIPASS
#include "replica/Conversion/Passes.h.inc"
} // namespace mlir::replica

using namespace mlir;
using namespace mlir::replica;

/// The runtime's name for an element type; empty when it has none.
static StringRef getRuntimeTypeName(Type element) {
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

namespace {
/// Calls of the runtime on the buffers of tensors.
class RuntimeCall {
public:
  RuntimeCall(ConversionPatternRewriter &rewriter, Operation *op)
      : rewriter(rewriter), op(op), loc(op->getLoc()) {}

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

  /// A fresh buffer of `type` with the dynamic sizes of `sizesOf`.
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

  /// Calls `replica_mpi_<name>()`, declaring it if needed.
  void call(StringRef name) {
    std::string symbol = ("replica_mpi_" + name).str();
    declare(symbol, {});
    func::CallOp::create(rewriter, loc, symbol, TypeRange(), ValueRange());
  }

  /// Calls `replica_mpi_<name>_<type>(operands...)`, declaring it if needed.
  void call(StringRef name, Type element, ValueRange operands) {
    std::string symbol =
        ("replica_mpi_" + name + "_" + getRuntimeTypeName(element)).str();
    declare(symbol, operands);
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
  void declare(StringRef symbol, ValueRange operands) {
    auto module = op->getParentOfType<ModuleOp>();
    if (SymbolTable::lookupSymbolIn(module, symbol))
      return;
    OpBuilder::InsertionGuard guard(rewriter);
    rewriter.setInsertionPointToStart(module.getBody());
    auto declaration =
        func::FuncOp::create(rewriter, loc, symbol,
                             rewriter.getFunctionType(TypeRange(operands), {}));
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
  Value result;
};

/// Starts the reduction of `value` to every process (`root` < 0) or to
/// `root`; `call.resultTensor()` is the result once it completes.
void startReduce(RuntimeCall &call, ReductionKind kind, Value value,
                 int64_t root) {
  Value input = call.toTensor(value);
  auto type = cast<RankedTensorType>(input.getType());
  Value in = call.readBuffer(input);
  Value out = call.allocate(type, call.dynamicSizes(input));
  SmallVector<Value> operands{in, out,
                              call.constant(static_cast<int64_t>(kind))};
  if (root >= 0)
    operands.push_back(call.constant(root));
  call.call(root >= 0 ? "reduce" : "all_reduce", type.getElementType(),
            operands);
}

/// One reduction of `value` to every process (`root` < 0) or to `root`.
Value reduce(ConversionPatternRewriter &rewriter, Operation *op,
             ReductionKind kind, Value value, int64_t root) {
  RuntimeCall call(rewriter, op);
  startReduce(call, kind, value, root);
  return call.fromTensor(call.resultTensor(), value.getType());
}

struct AllReduceToMPI : OpConversionPattern<AllReduceOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(AllReduceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(
        op, reduce(rewriter, op, op.getKind(), adaptor.getInput(), -1));
    return success();
  }
};

struct BatchAllReduceToMPI : OpConversionPattern<BatchAllReduceOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(BatchAllReduceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    // The reductions of one batch are launched together: started inside a
    // runtime group, completed at its end, before any result is read.
    bool grouped = adaptor.getInputs().size() > 1;
    RuntimeCall group(rewriter, op);
    if (grouped)
      group.call("group_start");
    std::vector<RuntimeCall> calls;
    for (Value input : adaptor.getInputs()) {
      calls.emplace_back(rewriter, op);
      startReduce(calls.back(), op.getKind(), input, -1);
    }
    if (grouped)
      group.call("group_end");
    SmallVector<Value> results;
    for (auto [call, input] : llvm::zip_equal(calls, adaptor.getInputs()))
      results.push_back(call.fromTensor(call.resultTensor(), input.getType()));
    rewriter.replaceOp(op, results);
    return success();
  }
};

struct ReduceToToMPI : OpConversionPattern<ReduceToOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ReduceToOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, reduce(rewriter, op, op.getKind(),
                                  adaptor.getInput(), op.getDestination()));
    return success();
  }
};

struct BroadcastToMPI : OpConversionPattern<BroadcastOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(BroadcastOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RuntimeCall call(rewriter, op);
    Value input = call.toTensor(adaptor.getInput());
    auto type = cast<RankedTensorType>(input.getType());
    Value in = call.readBuffer(input);
    Value out = call.allocate(type, call.dynamicSizes(input));
    call.call("broadcast", type.getElementType(),
              {in, out, call.constant(*op.getRoot())});
    rewriter.replaceOp(op, call.fromTensor(call.resultTensor(), op.getType()));
    return success();
  }
};

/// The runtime gathers the N blocks replica-major, which is the result for
/// dim 0; along another dimension the blocks are concatenated there.
struct AllGatherToMPI : OpConversionPattern<AllGatherOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(AllGatherOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RuntimeCall call(rewriter, op);
    Value input = adaptor.getInput();
    auto inputType = cast<RankedTensorType>(input.getType());
    auto resultType = cast<RankedTensorType>(op.getType());
    int64_t n = *getInReplicaContext(op);
    int64_t dim = op.getDim();
    SmallVector<Value> sizes = call.dynamicSizes(input);
    SmallVector<int64_t> blocksShape{n};
    llvm::append_range(blocksShape, inputType.getShape());
    auto blocksType =
        dim == 0
            ? resultType
            : RankedTensorType::get(blocksShape, inputType.getElementType());
    if (dim == 0 && inputType.isDynamicDim(0))
      sizes.front() = arith::MulIOp::create(
          rewriter, loc, sizes.front(),
          arith::ConstantIndexOp::create(rewriter, loc, n));
    Value in = call.readBuffer(input);
    Value out = call.allocate(blocksType, sizes);
    call.call("all_gather", inputType.getElementType(), {in, out});
    Value blocks = call.resultTensor();
    if (dim == 0) {
      rewriter.replaceOp(op, blocks);
      return success();
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
    return success();
  }
};

struct ReplicaIdToRank : OpConversionPattern<ReplicaIdOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ReplicaIdOp op, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value world = mpi::CommWorldOp::create(
        rewriter, loc, mpi::CommType::get(rewriter.getContext()));
    Value rank = mpi::CommRankOp::create(rewriter, loc, /*retval=*/Type(),
                                         rewriter.getI32Type(), world)
                     .getRank();
    rewriter.replaceOpWithNewOp<arith::IndexCastOp>(op, rewriter.getIndexType(),
                                                    rank);
    return success();
  }
};

struct ConvertReplicaToMPIPass
    : replica::impl::ConvertReplicaToMPIPassBase<ConvertReplicaToMPIPass> {
  using Base::Base;
  void runOnOperation() override;
};
} // namespace

void ConvertReplicaToMPIPass::runOnOperation() {
  ModuleOp module = getOperation();
  MLIRContext *context = &getContext();
  WalkResult unsupported = module.walk([](Operation *op) {
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
            << element << " is not supported by the MPI backend "
            << "(f32, f64, i32, i64, f16, bf16)";
        return WalkResult::interrupt();
      }
    }
    return WalkResult::advance();
  });
  if (unsupported.wasInterrupted())
    return signalPassFailure();

  // The mpi dialect's LLVM lowering picks the MPI ABI from this entry.
  module->setAttr(
      "dlti.map",
      MapAttr::get(context, {DataLayoutEntryAttr::get(
                                StringAttr::get(context, "MPI:Implementation"),
                                StringAttr::get(context, "OpenMPI"))}));

  ConversionTarget target(*context);
  target.addIllegalDialect<ReplicaDialect>();
  target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
  RewritePatternSet patterns(context);
  patterns.add<AllReduceToMPI, BatchAllReduceToMPI, ReduceToToMPI,
               BroadcastToMPI, AllGatherToMPI, ReplicaIdToRank>(context);
  if (failed(applyPartialConversion(module, target, std::move(patterns))))
    signalPassFailure();
}
