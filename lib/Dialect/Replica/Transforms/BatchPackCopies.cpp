//===- BatchPackCopies.cpp - one parallel loop per pack's copies ----------===//

#include "replica/Dialect/Replica/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::replica {
#define GEN_PASS_DEF_REPLICABATCHPACKCOPIESPASS
#include "replica/Dialect/Replica/Transforms/Passes.h.inc"
} // namespace mlir::replica

using namespace mlir;
using namespace mlir::replica;

namespace {
/// Whether the copies of a run fill a buffer or empty it.
enum class Direction { Into, OutOf };

/// The buffer a 1-D subview `value` (or its expanded shape) is taken from;
/// null otherwise.
Value getPackBuffer(Value value) {
  if (auto expand = value.getDefiningOp<memref::ExpandShapeOp>())
    value = expand.getSrc();
  auto subview = value.getDefiningOp<memref::SubViewOp>();
  if (!subview || subview.getType().getRank() != 1)
    return {};
  return subview.getSource();
}

/// Whether `value` views a global (host memory a kernel cannot read).
bool viewsGlobal(Value value) {
  while (Operation *def = value.getDefiningOp()) {
    if (isa<memref::GetGlobalOp>(def))
      return true;
    auto view = dyn_cast<ViewLikeOpInterface>(def);
    if (!view)
      return false;
    value = view.getViewSource();
  }
  return false;
}

/// A static, contiguous member with a rank-1 form: itself, the rank-1
/// buffer it expands, or an identity-layout buffer to collapse.
bool hasFlatForm(Value value) {
  auto type = dyn_cast<MemRefType>(value.getType());
  if (!type || !type.hasStaticShape())
    return false;
  if (type.getRank() == 1)
    return true;
  if (auto expand = value.getDefiningOp<memref::ExpandShapeOp>())
    return expand.getSrcType().getRank() == 1;
  return type.getLayout().isIdentity();
}

Value getFlatForm(PatternRewriter &rewriter, Location loc, Value value) {
  auto type = cast<MemRefType>(value.getType());
  if (type.getRank() == 1)
    return value;
  if (auto expand = value.getDefiningOp<memref::ExpandShapeOp>())
    return expand.getSrc();
  SmallVector<ReassociationIndices> all(1);
  for (int64_t d = 0; d < type.getRank(); ++d)
    all.front().push_back(d);
  return memref::CollapseShapeOp::create(rewriter, loc, value, all);
}

/// Whether `copy` can join a run on `buffer` in `direction`.
bool isBatchable(memref::CopyOp copy, Direction direction, Value buffer) {
  Value packSide =
      direction == Direction::Into ? copy.getTarget() : copy.getSource();
  return getPackBuffer(packSide) == buffer && hasFlatForm(copy.getSource()) &&
         hasFlatForm(copy.getTarget()) && !viewsGlobal(copy.getSource()) &&
         !viewsGlobal(copy.getTarget());
}

/// Ops a run may span: no side effect but allocating their results
/// (subviews, reshapes, constants, the buffers copied out into).
bool isTransparent(Operation *op) {
  if (isMemoryEffectFree(op))
    return true;
  auto effects = dyn_cast<MemoryEffectOpInterface>(op);
  if (!effects || op->getNumRegions() != 0)
    return false;
  SmallVector<MemoryEffects::EffectInstance> instances;
  effects.getEffects(instances);
  return llvm::all_of(instances, [](MemoryEffects::EffectInstance &effect) {
    return isa<MemoryEffects::Allocate>(effect.getEffect());
  });
}

/// The copy of the run on `buffer` in `direction` next to `copy` (after it,
/// or before it), past transparent ops; null at the run's end.
memref::CopyOp getNeighbour(memref::CopyOp copy, Direction direction,
                            Value buffer, bool after) {
  for (Operation *op = after ? copy->getNextNode() : copy->getPrevNode(); op;
       op = after ? op->getNextNode() : op->getPrevNode()) {
    if (auto next = dyn_cast<memref::CopyOp>(op))
      return isBatchable(next, direction, buffer) ? next : memref::CopyOp();
    if (!isTransparent(op))
      return {};
  }
  return {};
}

struct BatchPackCopies : OpRewritePattern<memref::CopyOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(memref::CopyOp first,
                                PatternRewriter &rewriter) const override {
    Direction direction = Direction::Into;
    Value buffer = getPackBuffer(first.getTarget());
    if (!buffer || !isBatchable(first, direction, buffer)) {
      direction = Direction::OutOf;
      buffer = getPackBuffer(first.getSource());
      if (!buffer || !isBatchable(first, direction, buffer))
        return rewriter.notifyMatchFailure(first, "not a pack member's copy");
    }
    // A run is rewritten from its first copy. The ops between its copies
    // stay where they are.
    if (getNeighbour(first, direction, buffer, /*after=*/false))
      return rewriter.notifyMatchFailure(first, "not the first of its run");
    SmallVector<memref::CopyOp> run{first};
    while (memref::CopyOp next =
               getNeighbour(run.back(), direction, buffer, /*after=*/true))
      run.push_back(next);

    Location loc = first.getLoc();
    rewriter.setInsertionPoint(run.back());
    SmallVector<std::pair<Value, Value>> members;
    SmallVector<int64_t> lengths;
    for (memref::CopyOp copy : run) {
      members.emplace_back(getFlatForm(rewriter, loc, copy.getSource()),
                           getFlatForm(rewriter, loc, copy.getTarget()));
      lengths.push_back(
          cast<MemRefType>(members.back().first.getType()).getNumElements());
    }
    int64_t longest = *llvm::max_element(lengths);
    Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
    Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
    Value upper = arith::ConstantIndexOp::create(rewriter, loc, longest);
    Value count = arith::ConstantIndexOp::create(rewriter, loc, run.size());
    // Elements first: the GPU mapping tiles the first dimension into
    // threads, the members become blocks.
    scf::ParallelOp::create(
        rewriter, loc, ValueRange{zero, zero}, ValueRange{upper, count},
        ValueRange{one, one},
        [&](OpBuilder &builder, Location loc, ValueRange ivs) {
          Value element = ivs[0], member = ivs[1];
          if (run.size() == 1) {
            Value v = memref::LoadOp::create(builder, loc,
                                             members.front().first, element);
            memref::StoreOp::create(builder, loc, v, members.front().second,
                                    element);
            return;
          }
          SmallVector<int64_t> cases =
              llvm::to_vector(llvm::seq<int64_t>(0, run.size()));
          auto dispatch = scf::IndexSwitchOp::create(
              builder, loc, TypeRange(), member, cases, cases.size());
          builder.createBlock(&dispatch.getDefaultRegion());
          scf::YieldOp::create(builder, loc);
          for (auto [index, region] :
               llvm::enumerate(dispatch.getCaseRegions())) {
            builder.createBlock(&region);
            auto [source, target] = members[index];
            auto copyElement = [&, source = source,
                                target = target](OpBuilder &b, Location l) {
              Value v = memref::LoadOp::create(b, l, source, element);
              memref::StoreOp::create(b, l, v, target, element);
            };
            if (lengths[index] == longest) {
              copyElement(builder, loc);
            } else {
              Value length =
                  arith::ConstantIndexOp::create(builder, loc, lengths[index]);
              Value inside = arith::CmpIOp::create(
                  builder, loc, arith::CmpIPredicate::ult, element, length);
              scf::IfOp::create(builder, loc, inside,
                                [&](OpBuilder &b, Location l) {
                                  copyElement(b, l);
                                  scf::YieldOp::create(b, l);
                                });
            }
            scf::YieldOp::create(builder, loc);
          }
          builder.setInsertionPointAfter(dispatch);
        });
    for (memref::CopyOp copy : run)
      rewriter.eraseOp(copy);
    return success();
  }
};

struct ReplicaBatchPackCopiesPass
    : replica::impl::ReplicaBatchPackCopiesPassBase<
          ReplicaBatchPackCopiesPass> {
  using Base::Base;
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<BatchPackCopies>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
