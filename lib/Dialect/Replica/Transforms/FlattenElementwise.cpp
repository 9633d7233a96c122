//===- FlattenElementwise.cpp - elementwise ops on buffers in 1-D ---------===//

#include "replica/Dialect/Replica/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/WalkPatternRewriteDriver.h"
#include "llvm/ADT/Sequence.h"

namespace mlir::replica {
#define GEN_PASS_DEF_REPLICAFLATTENELEMENTWISEPASS
#include "replica/Dialect/Replica/Transforms/Passes.h.inc"
} // namespace mlir::replica

using namespace mlir;
using namespace mlir::replica;

namespace {
/// A fill, or an all-parallel generic with identity maps, on contiguous
/// buffers of one rank of two or more, rewritten over their 1-D views.
struct FlattenElementwise : OpInterfaceRewritePattern<linalg::LinalgOp> {
  using OpInterfaceRewritePattern::OpInterfaceRewritePattern;

  LogicalResult matchAndRewrite(linalg::LinalgOp op,
                                PatternRewriter &rewriter) const override {
    auto fill = dyn_cast<linalg::FillOp>(op.getOperation());
    auto generic = dyn_cast<linalg::GenericOp>(op.getOperation());
    if (!fill && !generic)
      return rewriter.notifyMatchFailure(op, "neither fill nor generic");
    if (!op.hasPureBufferSemantics() || op.getNumLoops() < 2)
      return rewriter.notifyMatchFailure(op, "not on buffers of rank 2+");
    if (generic &&
        (op.getNumLoops() != op.getNumParallelLoops() ||
         !llvm::all_of(op.getIndexingMapsArray(),
                       [](AffineMap map) { return map.isIdentity(); })))
      return rewriter.notifyMatchFailure(op, "not elementwise");
    // With identity maps every buffer has the loops' rank.
    ReassociationIndices all =
        llvm::to_vector(llvm::seq<int64_t>(0, op.getNumLoops()));
    for (Value operand : op->getOperands())
      if (auto memref = dyn_cast<MemRefType>(operand.getType());
          memref &&
          !memref::CollapseShapeOp::isGuaranteedCollapsible(memref, {all}))
        return rewriter.notifyMatchFailure(op, "not contiguous buffers");
    if (generic) {
      if (failed(linalg::collapseOpIterationDims(op, {all}, rewriter)))
        return rewriter.notifyMatchFailure(op, "cannot collapse");
      rewriter.eraseOp(op);
      return success();
    }
    Value flat = memref::CollapseShapeOp::create(
        rewriter, op.getLoc(), fill.getOutputs().front(), {all});
    rewriter.replaceOpWithNewOp<linalg::FillOp>(fill, fill.getInputs(),
                                                ValueRange{flat});
    return success();
  }
};

struct ReplicaFlattenElementwisePass
    : replica::impl::ReplicaFlattenElementwisePassBase<
          ReplicaFlattenElementwisePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FlattenElementwise>(&getContext());
    // What the patterns create is one-dimensional: one visit per op.
    walkAndApplyPatterns(getOperation(), std::move(patterns));
  }
};
} // namespace
