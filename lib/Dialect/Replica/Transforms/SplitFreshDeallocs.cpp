//===- SplitFreshDeallocs.cpp - distinct allocations freed one by one -----===//

#include "replica/Dialect/Replica/Transforms/Passes.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/WalkPatternRewriteDriver.h"
#include "llvm/ADT/DenseSet.h"

namespace mlir::replica {
#define GEN_PASS_DEF_REPLICASPLITFRESHDEALLOCSPASS
#include "replica/Dialect/Replica/Transforms/Passes.h.inc"
} // namespace mlir::replica

using namespace mlir;
using namespace mlir::replica;

namespace {
struct SplitFreshDealloc : OpRewritePattern<bufferization::DeallocOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(bufferization::DeallocOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.getRetained().empty() || op.getMemrefs().size() < 2)
      return rewriter.notifyMatchFailure(op, "retains or frees one buffer");
    llvm::SmallDenseSet<Value, 16> seen;
    for (Value memref : op.getMemrefs())
      if (!memref.getDefiningOp<memref::AllocOp>() ||
          !seen.insert(memref).second)
        return rewriter.notifyMatchFailure(op, "not distinct allocations");
    for (auto [memref, condition] :
         llvm::zip_equal(op.getMemrefs(), op.getConditions()))
      bufferization::DeallocOp::create(rewriter, op.getLoc(), memref,
                                       condition, ValueRange());
    rewriter.eraseOp(op);
    return success();
  }
};

struct ReplicaSplitFreshDeallocsPass
    : replica::impl::ReplicaSplitFreshDeallocsPassBase<
          ReplicaSplitFreshDeallocsPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<SplitFreshDealloc>(&getContext());
    // One visit per dealloc is enough (the deallocs it creates free one
    // buffer each); the greedy driver would fold and simplify the whole
    // module once more on top.
    walkAndApplyPatterns(getOperation(), std::move(patterns));
  }
};
} // namespace
