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

/// All dimensions of `type` as one group, where `type` is a buffer of rank
/// two or more that collapses to one dimension without a copy.
static std::optional<ReassociationIndices> collapsibleToOneDim(Type type) {
  auto memref = dyn_cast<MemRefType>(type);
  if (!memref || memref.getRank() < 2)
    return std::nullopt;
  ReassociationIndices all =
      llvm::to_vector(llvm::seq<int64_t>(0, memref.getRank()));
  if (!memref::CollapseShapeOp::isGuaranteedCollapsible(memref, {all}))
    return std::nullopt;
  return all;
}

namespace {
struct FlattenFill : OpRewritePattern<linalg::FillOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::FillOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.hasPureBufferSemantics())
      return rewriter.notifyMatchFailure(op, "not on buffers");
    Value buffer = op.getOutputs().front();
    std::optional<ReassociationIndices> all =
        collapsibleToOneDim(buffer.getType());
    if (!all)
      return rewriter.notifyMatchFailure(op, "not a contiguous buffer");
    Value flat =
        memref::CollapseShapeOp::create(rewriter, op.getLoc(), buffer, {*all});
    rewriter.replaceOpWithNewOp<linalg::FillOp>(op, op.getInputs(),
                                                ValueRange{flat});
    return success();
  }
};

struct FlattenElementwiseGeneric : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::GenericOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.hasPureBufferSemantics())
      return rewriter.notifyMatchFailure(op, "not on buffers");
    if (op.getNumLoops() != op.getNumParallelLoops())
      return rewriter.notifyMatchFailure(op, "not all loops parallel");
    if (!llvm::all_of(op.getIndexingMapsArray(),
                      [](AffineMap map) { return map.isIdentity(); }))
      return rewriter.notifyMatchFailure(op, "not all maps identities");
    std::optional<ReassociationIndices> all;
    for (Value operand : op->getOperands())
      if (!(all = collapsibleToOneDim(operand.getType())))
        return rewriter.notifyMatchFailure(op, "not contiguous buffers");
    if (failed(linalg::collapseOpIterationDims(op, {*all}, rewriter)))
      return rewriter.notifyMatchFailure(op, "cannot collapse");
    rewriter.eraseOp(op);
    return success();
  }
};

struct ReplicaFlattenElementwisePass
    : replica::impl::ReplicaFlattenElementwisePassBase<
          ReplicaFlattenElementwisePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FlattenFill, FlattenElementwiseGeneric>(&getContext());
    // What the patterns create is one-dimensional: one visit per op.
    walkAndApplyPatterns(getOperation(), std::move(patterns));
  }
};
} // namespace
