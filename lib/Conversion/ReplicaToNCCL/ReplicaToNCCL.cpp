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

/// The runtime gathers the N blocks replica-major.
struct AllGatherToNCCL : OpConversionPattern<AllGatherOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(AllGatherOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    replaceAllGather(op, adaptor.getInput(), rewriter, kPrefix,
                     [&](RuntimeCall &call, Value in, Value out) {
                       call.call(
                           "all_gather", getElementTypeOrSelf(in.getType()),
                           {in, out, getStream(call, rewriter.getContext())});
                     });
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
  if (failed(checkRuntimeCollectives(module, "NCCL")))
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
