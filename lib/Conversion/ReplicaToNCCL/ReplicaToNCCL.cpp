//===- ReplicaToNCCL.cpp - SPMD collectives to NCCL -----------------------===//

#include "replica/Conversion/Passes.h"
#include "replica/Conversion/RuntimeCall.h"

#include "replica/Dialect/Replica/IR/ReplicaOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Transforms/DialectConversion.h"
#include "mlir/Transforms/WalkPatternRewriteDriver.h"

namespace mlir::replica {
#define GEN_PASS_DEF_CONVERTREPLICATONCCLPASS
#include "replica/Conversion/Passes.h.inc"
} // namespace mlir::replica

using namespace mlir;
using namespace mlir::replica;

/// The NCCL runtime's entry points: replica_nccl_<collective>[_<type>].
static constexpr StringLiteral kPrefix = "replica_nccl_";

/// NCCL's ncclRedOp_t for a reduction kind (nccl.h); `mean` is NCCL's own
/// average, so no scaling is left to do.
static int64_t getNCCLRedOp(ReductionKind kind) {
  switch (kind) {
  case ReductionKind::Sum:
    return 0; // ncclSum
  case ReductionKind::Prod:
    return 1; // ncclProd
  case ReductionKind::Max:
    return 2; // ncclMax
  case ReductionKind::Min:
    return 3; // ncclMin
  case ReductionKind::Mean:
    return 4; // ncclAvg
  }
  llvm_unreachable("unknown reduction kind");
}

namespace {
/// The stream of this replica that the runtime enqueues NCCL work on.
Value getStream(RuntimeCall &call, MLIRContext *context) {
  return call.call("stream", LLVM::LLVMPointerType::get(context)).front();
}

/// Enqueues the reduction of `value` to every replica (`root` < 0) or to
/// `root` on `stream`; `call.resultTensor()` is the result once the stream
/// has run it.
void enqueueReduce(RuntimeCall &call, ReductionKind kind, Value value,
                   int64_t root, Value stream) {
  Value input = call.toTensor(value);
  auto type = cast<RankedTensorType>(input.getType());
  Value in = call.readBuffer(input);
  Value out = call.allocate(type, call.dynamicSizes(input));
  SmallVector<Value> operands{in, out, call.constant(getNCCLRedOp(kind))};
  if (root >= 0)
    operands.push_back(call.constant(root));
  operands.push_back(stream);
  call.call(root >= 0 ? "reduce" : "all_reduce", type.getElementType(),
            operands);
}

/// One reduction of `value` to every replica (`root` < 0) or to `root`.
Value reduce(ConversionPatternRewriter &rewriter, Operation *op,
             ReductionKind kind, Value value, int64_t root) {
  RuntimeCall call(rewriter, op, kPrefix);
  enqueueReduce(call, kind, value, root,
                getStream(call, rewriter.getContext()));
  return call.fromTensor(call.resultTensor(), value.getType());
}

struct AllReduceToNCCL : OpConversionPattern<AllReduceOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(AllReduceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(
        op, reduce(rewriter, op, op.getKind(), adaptor.getInput(), -1));
    return success();
  }
};

/// A batch (the packs of one readiness group) is one NCCL group: every
/// ncclAllReduce is enqueued between ncclGroupStart and ncclGroupEnd, which
/// launches them together; the results are read after the group's end has
/// waited for the stream. A batch of one needs no group.
struct BatchAllReduceToNCCL : OpConversionPattern<BatchAllReduceOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(BatchAllReduceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    bool grouped = adaptor.getInputs().size() > 1;
    RuntimeCall group(rewriter, op, kPrefix);
    Value stream = getStream(group, rewriter.getContext());
    if (grouped)
      group.call("group_start");
    std::vector<RuntimeCall> calls;
    for (Value input : adaptor.getInputs()) {
      calls.emplace_back(rewriter, op, kPrefix);
      enqueueReduce(calls.back(), op.getKind(), input, -1, stream);
    }
    if (grouped)
      group.call("group_end", TypeRange(), stream);
    SmallVector<Value> results;
    for (auto [call, input] : llvm::zip_equal(calls, adaptor.getInputs()))
      results.push_back(call.fromTensor(call.resultTensor(), input.getType()));
    rewriter.replaceOp(op, results);
    return success();
  }
};

struct ReduceToToNCCL : OpConversionPattern<ReduceToOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ReduceToOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, reduce(rewriter, op, op.getKind(),
                                  adaptor.getInput(), op.getDestination()));
    return success();
  }
};

struct BroadcastToNCCL : OpConversionPattern<BroadcastOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(BroadcastOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RuntimeCall call(rewriter, op, kPrefix);
    Value input = call.toTensor(adaptor.getInput());
    auto type = cast<RankedTensorType>(input.getType());
    Value in = call.readBuffer(input);
    Value out = call.allocate(type, call.dynamicSizes(input));
    Value stream = getStream(call, rewriter.getContext());
    call.call("broadcast", type.getElementType(),
              {in, out, call.constant(*op.getRoot()), stream});
    rewriter.replaceOp(op, call.fromTensor(call.resultTensor(), op.getType()));
    return success();
  }
};

/// ncclAllGather writes the N blocks replica-major, which is the result for
/// dim 0; along another dimension the blocks are concatenated there.
struct AllGatherToNCCL : OpConversionPattern<AllGatherOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(AllGatherOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RuntimeCall call(rewriter, op, kPrefix);
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
    Value stream = getStream(call, rewriter.getContext());
    call.call("all_gather", inputType.getElementType(), {in, out, stream});
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

struct ReplicaIdToNCCLRank : OpConversionPattern<ReplicaIdOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ReplicaIdOp op, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RuntimeCall call(rewriter, op, kPrefix);
    Value rank = call.call("rank", rewriter.getI32Type()).front();
    rewriter.replaceOpWithNewOp<arith::IndexCastOp>(op, rewriter.getIndexType(),
                                                    rank);
    return success();
  }
};

/// Kernels cannot read the host globals that tensor constants bufferize to:
/// a constant is used through a copy into an allocated buffer (memory the
/// NCCL runtime makes visible to every device).
struct StageTensorConstant : OpRewritePattern<arith::ConstantOp> {
  using OpRewritePattern::OpRewritePattern;

  static bool isStaging(OpOperand &use) {
    auto alloc = dyn_cast<bufferization::AllocTensorOp>(use.getOwner());
    return alloc && alloc.getCopy() == use.get();
  }

  LogicalResult matchAndRewrite(arith::ConstantOp op,
                                PatternRewriter &rewriter) const override {
    auto type = dyn_cast<RankedTensorType>(op.getType());
    if (!type || llvm::all_of(op->getUses(), isStaging))
      return failure();
    rewriter.setInsertionPointAfter(op);
    Value staged = bufferization::AllocTensorOp::create(
        rewriter, op.getLoc(), type, ValueRange(), op.getResult());
    rewriter.replaceUsesWithIf(op.getResult(), staged,
                               [](OpOperand &use) { return !isStaging(use); });
    return success();
  }
};

struct ConvertReplicaToNCCLPass
    : replica::impl::ConvertReplicaToNCCLPassBase<ConvertReplicaToNCCLPass> {
  using Base::Base;
  void runOnOperation() override;
};
} // namespace

void ConvertReplicaToNCCLPass::runOnOperation() {
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
            << element << " is not supported by the NCCL backend "
            << "(f32, f64, i32, i64, f16, bf16)";
        return WalkResult::interrupt();
      }
    }
    return WalkResult::advance();
  });
  if (unsupported.wasInterrupted())
    return signalPassFailure();

  ConversionTarget target(*context);
  target.addIllegalDialect<ReplicaDialect>();
  target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
  RewritePatternSet patterns(context);
  patterns.add<AllReduceToNCCL, BatchAllReduceToNCCL, ReduceToToNCCL,
               BroadcastToNCCL, AllGatherToNCCL, ReplicaIdToNCCLRank>(context);
  if (failed(applyPartialConversion(module, target, std::move(patterns))))
    return signalPassFailure();

  RewritePatternSet staging(context);
  staging.add<StageTensorConstant>(context);
  walkAndApplyPatterns(module, std::move(staging));
}
