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

/// A member's slice of a pack: a unit-stride 1-D subview (or its expanded
/// shape) at a static offset of a 1-D identity-layout buffer.
struct Slice {
  Value buffer;
  int64_t offset;
};

std::optional<Slice> getSlice(Value value) {
  if (auto expand = value.getDefiningOp<memref::ExpandShapeOp>())
    value = expand.getSrc();
  auto subview = value.getDefiningOp<memref::SubViewOp>();
  if (!subview || subview.getType().getRank() != 1)
    return std::nullopt;
  auto bufferType = dyn_cast<MemRefType>(subview.getSource().getType());
  if (!bufferType || bufferType.getRank() != 1 ||
      !bufferType.getLayout().isIdentity())
    return std::nullopt;
  int64_t offset = subview.getStaticOffsets().front();
  if (ShapedType::isDynamic(offset) || subview.getStaticStrides().front() != 1)
    return std::nullopt;
  return Slice{subview.getSource(), offset};
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

/// The pack side of `copy` in `direction`.
Value getPackSide(memref::CopyOp copy, Direction direction) {
  return direction == Direction::Into ? copy.getTarget() : copy.getSource();
}

/// The member side of `copy` in `direction`.
Value getMemberSide(memref::CopyOp copy, Direction direction) {
  return direction == Direction::Into ? copy.getSource() : copy.getTarget();
}

/// Whether `copy` can join a run on `buffer` in `direction`.
bool isBatchable(memref::CopyOp copy, Direction direction, Value buffer) {
  std::optional<Slice> slice = getSlice(getPackSide(copy, direction));
  Value member = getMemberSide(copy, direction);
  return slice && slice->buffer == buffer && hasFlatForm(member) &&
         !viewsGlobal(member) && !viewsGlobal(buffer);
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

/// A copy between buffers a kernel can address (not reading a global) as
/// one `scf.parallel` over its elements: on the GPU a kernel on the stream
/// rather than a copy by the host, which would wait for the stream.
struct CopyAsParallelLoop : OpRewritePattern<memref::CopyOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(memref::CopyOp copy,
                                PatternRewriter &rewriter) const override {
    auto type = cast<MemRefType>(copy.getSource().getType());
    if (type.getRank() == 0 || viewsGlobal(copy.getSource()))
      return rewriter.notifyMatchFailure(copy, "scalar or global source");
    Location loc = copy.getLoc();
    Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
    Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
    SmallVector<Value> lower(type.getRank(), zero), steps(type.getRank(), one);
    SmallVector<Value> upper;
    for (int64_t d = 0; d < type.getRank(); ++d)
      upper.push_back(memref::DimOp::create(rewriter, loc, copy.getSource(), d));
    scf::ParallelOp::create(
        rewriter, loc, lower, upper, steps,
        [&](OpBuilder &builder, Location loc, ValueRange indices) {
          Value element =
              memref::LoadOp::create(builder, loc, copy.getSource(), indices);
          memref::StoreOp::create(builder, loc, element, copy.getTarget(),
                                  indices);
        });
    rewriter.eraseOp(copy);
    return success();
  }
};

struct BatchPackCopies : OpRewritePattern<memref::CopyOp> {
  BatchPackCopies(MLIRContext *context, int64_t maxCopiesPerLoop)
      : OpRewritePattern(context), maxCopiesPerLoop(maxCopiesPerLoop) {}

  LogicalResult matchAndRewrite(memref::CopyOp first,
                                PatternRewriter &rewriter) const override {
    Direction direction = Direction::Into;
    std::optional<Slice> slice = getSlice(first.getTarget());
    if (!slice || !isBatchable(first, direction, slice->buffer)) {
      direction = Direction::OutOf;
      slice = getSlice(first.getSource());
      if (!slice || !isBatchable(first, direction, slice->buffer))
        return rewriter.notifyMatchFailure(first, "not a pack member's copy");
    }
    Value buffer = slice->buffer;
    // A run is rewritten from its first copy. The ops between its copies
    // stay where they are.
    if (getNeighbour(first, direction, buffer, /*after=*/false))
      return rewriter.notifyMatchFailure(first, "not the first of its run");
    SmallVector<memref::CopyOp> run{first};
    while (memref::CopyOp next =
               getNeighbour(run.back(), direction, buffer, /*after=*/true))
      run.push_back(next);

    // Each member's descriptor is a kernel parameter: long runs are split.
    for (size_t begin = 0; begin < run.size(); begin += maxCopiesPerLoop)
      batch(rewriter, direction, buffer,
            MutableArrayRef(run).slice(
                begin, std::min<size_t>(maxCopiesPerLoop, run.size() - begin)));
    return success();
  }

  /// One parallel loop for `copies`, in place of the last of them; the
  /// pack side is addressed through `buffer` at each slice's offset.
  void batch(PatternRewriter &rewriter, Direction direction, Value buffer,
             MutableArrayRef<memref::CopyOp> copies) const {
    Location loc = copies.front().getLoc();
    rewriter.setInsertionPoint(copies.back());
    SmallVector<Value> members;
    SmallVector<int64_t> offsets, lengths;
    for (memref::CopyOp copy : copies) {
      members.push_back(
          getFlatForm(rewriter, loc, getMemberSide(copy, direction)));
      offsets.push_back(getSlice(getPackSide(copy, direction))->offset);
      lengths.push_back(
          cast<MemRefType>(members.back().getType()).getNumElements());
    }
    int64_t longest = *llvm::max_element(lengths);
    Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
    Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
    Value upper = arith::ConstantIndexOp::create(rewriter, loc, longest);
    Value count = arith::ConstantIndexOp::create(rewriter, loc, copies.size());

    auto copyElement = [&](OpBuilder &b, Location l, size_t index,
                           Value element) {
      Value packIndex = arith::AddIOp::create(
          b, l, element, arith::ConstantIndexOp::create(b, l, offsets[index]));
      if (direction == Direction::Into) {
        Value v = memref::LoadOp::create(b, l, members[index], element);
        memref::StoreOp::create(b, l, v, buffer, packIndex);
      } else {
        Value v = memref::LoadOp::create(b, l, buffer, packIndex);
        memref::StoreOp::create(b, l, v, members[index], element);
      }
    };
    // Elements first: the GPU mapping tiles the first dimension into
    // threads, the members become blocks.
    scf::ParallelOp::create(
        rewriter, loc, ValueRange{zero, zero}, ValueRange{upper, count},
        ValueRange{one, one},
        [&](OpBuilder &builder, Location loc, ValueRange ivs) {
          Value element = ivs[0], member = ivs[1];
          if (copies.size() == 1) {
            copyElement(builder, loc, 0, element);
            return;
          }
          SmallVector<int64_t> cases =
              llvm::to_vector(llvm::seq<int64_t>(0, copies.size()));
          auto dispatch = scf::IndexSwitchOp::create(
              builder, loc, TypeRange(), member, cases, cases.size());
          builder.createBlock(&dispatch.getDefaultRegion());
          scf::YieldOp::create(builder, loc);
          for (auto [caseIndex, region] :
               llvm::enumerate(dispatch.getCaseRegions())) {
            size_t index = caseIndex;
            builder.createBlock(&region);
            if (lengths[index] == longest) {
              copyElement(builder, loc, index, element);
            } else {
              Value length =
                  arith::ConstantIndexOp::create(builder, loc, lengths[index]);
              Value inside = arith::CmpIOp::create(
                  builder, loc, arith::CmpIPredicate::ult, element, length);
              scf::IfOp::create(builder, loc, inside,
                                [&](OpBuilder &b, Location l) {
                                  copyElement(b, l, index, element);
                                  scf::YieldOp::create(b, l);
                                });
            }
            scf::YieldOp::create(builder, loc);
          }
          builder.setInsertionPointAfter(dispatch);
        });
    for (memref::CopyOp copy : copies)
      rewriter.eraseOp(copy);
  }

  int64_t maxCopiesPerLoop;
};

struct ReplicaBatchPackCopiesPass
    : replica::impl::ReplicaBatchPackCopiesPassBase<
          ReplicaBatchPackCopiesPass> {
  using Base::Base;
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<BatchPackCopies>(&getContext(),
                                  std::max<int64_t>(1, maxCopiesPerLoop));
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
    // Then the copies left, one loop each.
    RewritePatternSet single(&getContext());
    single.add<CopyAsParallelLoop>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(single))))
      signalPassFailure();
  }
};
} // namespace
