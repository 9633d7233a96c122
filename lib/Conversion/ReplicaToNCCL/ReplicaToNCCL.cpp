//===- ReplicaToNCCL.cpp - SPMD collectives to NCCL -----------------------===//

#include "replica/Conversion/Passes.h"
#include "replica/Conversion/RuntimeCall.h"

#include "replica/Dialect/Replica/IR/ReplicaOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Transforms/DialectConversion.h"
#include "mlir/Transforms/WalkPatternRewriteDriver.h"

namespace mlir::replica {
#define GEN_PASS_DEF_CONVERTREPLICATONCCLPASS
#include "replica/Conversion/Passes.h.inc"
} // namespace mlir::replica

using namespace mlir;
using namespace mlir::replica;

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

/// The NCCL runtime: entry points replica_nccl_<collective>[_<type>], NCCL's
/// operation codes, every collective enqueued on the replica's stream.
static const CollectiveRuntime kNCCLRuntime{
    "NCCL", "replica_nccl_", getNCCLRedOp,
    [](RuntimeCall &call, MLIRContext *context) {
      return call.call("stream", LLVM::LLVMPointerType::get(context)).front();
    }};

namespace {
struct ReplicaIdToNCCLRank : OpConversionPattern<ReplicaIdOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ReplicaIdOp op, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RuntimeCall call(rewriter, op, kNCCLRuntime.prefix);
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
  if (failed(checkRuntimeCollectives(module, kNCCLRuntime)))
    return signalPassFailure();

  ConversionTarget target(*context);
  target.addIllegalDialect<ReplicaDialect>();
  // Packs are plain tensor ops that bufferize themselves.
  target.addLegalOp<PackOp, SplitPackOp>();
  target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
  RewritePatternSet patterns(context);
  populateCollectivesToRuntimeCallsPatterns(patterns, kNCCLRuntime);
  patterns.add<ReplicaIdToNCCLRank>(context);
  if (failed(applyPartialConversion(module, target, std::move(patterns))))
    return signalPassFailure();

  RewritePatternSet staging(context);
  staging.add<StageTensorConstant>(context);
  walkAndApplyPatterns(module, std::move(staging));
}
