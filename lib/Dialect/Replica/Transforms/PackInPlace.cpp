//===- PackInPlace.cpp - members computed in their pack slices ------------===//
//
// Every pack is analysed before anything is rewritten: positions in a block
// are then answered from one cached order, so the pass stays linear however
// many packs a block holds.
//
//===----------------------------------------------------------------------===//

#include "replica/Dialect/Replica/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "llvm/ADT/DenseSet.h"

namespace mlir::replica {
#define GEN_PASS_DEF_REPLICAPACKINPLACEPASS
#include "replica/Dialect/Replica/Transforms/Passes.h.inc"
} // namespace mlir::replica

using namespace mlir;
using namespace mlir::replica;

namespace {
/// A member buffer copied whole into its slot of a pack.
struct Member {
  memref::CopyOp copy;
  memref::AllocOp buffer;
  /// The slot's element offset and size in the pack.
  int64_t offset;
  int64_t size;
};

/// A pack buffer, the members to allocate in it, and the first of them
/// and the pack in their block, where the pack's bytes are allocated.
struct PackPlan {
  memref::AllocOp pack;
  SmallVector<Member> members;
  Operation *first;
};

/// An op that reaches a buffer, and the value (the buffer or a view of it)
/// through which it does.
struct Access {
  Operation *op;
  Value through;
};
} // namespace

/// A static identity-layout buffer of whole bytes per element, which a
/// `memref.view` of bytes can stand for.
static bool isViewable(MemRefType type) {
  Type element = type.getElementType();
  return type.hasStaticShape() && type.getLayout().isIdentity() &&
         element.isIntOrFloat() && element.getIntOrFloatBitWidth() % 8 == 0;
}

/// Every op using `buffer` other than to view it, with the view it uses.
static SmallVector<Access> getAccesses(Value buffer) {
  SmallVector<Access> accesses;
  SmallVector<Value> worklist{buffer};
  while (!worklist.empty()) {
    Value value = worklist.pop_back_val();
    for (Operation *user : value.getUsers()) {
      auto view = dyn_cast<ViewLikeOpInterface>(user);
      if (view && view.getViewSource() == value)
        llvm::append_range(worklist, user->getResults());
      else
        accesses.push_back({user, value});
    }
  }
  return accesses;
}

/// Whether `op` may have an effect of one of `Effects` on what it reaches
/// through `value`. Ops that do not state their effects may do anything.
template <typename... Effects>
static bool mayHaveEffect(Operation *op, Value value) {
  auto interface = dyn_cast<MemoryEffectOpInterface>(op);
  if (!interface)
    return true;
  SmallVector<MemoryEffects::EffectInstance> effects;
  interface.getEffects(effects);
  return llvm::any_of(effects, [&](MemoryEffects::EffectInstance &effect) {
    return (!effect.getValue() || effect.getValue() == value) &&
           isa<Effects...>(effect.getEffect());
  });
}

/// The slot of the 1-D `pack` that `target` views whole: a unit-stride
/// subview at a static offset, reshaped or not. None for anything else.
static std::optional<std::pair<int64_t, int64_t>> getSlot(Value target,
                                                          Value pack) {
  if (auto expand = target.getDefiningOp<memref::ExpandShapeOp>())
    target = expand.getSrc();
  else if (auto collapse = target.getDefiningOp<memref::CollapseShapeOp>())
    target = collapse.getSrc();
  auto subview = target.getDefiningOp<memref::SubViewOp>();
  if (!subview || subview.getSource() != pack ||
      subview.getType().getRank() != 1)
    return std::nullopt;
  int64_t offset = subview.getStaticOffsets().front();
  int64_t size = subview.getStaticSizes().front();
  if (ShapedType::isDynamic(offset) || ShapedType::isDynamic(size) ||
      subview.getStaticStrides().front() != 1)
    return std::nullopt;
  return std::make_pair(offset, size);
}

/// The allocation `source` is, or reshapes whole (reshapes of an identity
/// layout keep the row-major order of the elements).
static memref::AllocOp getWholeAllocation(Value source) {
  while (Operation *def = source.getDefiningOp()) {
    if (auto alloc = dyn_cast<memref::AllocOp>(def))
      return alloc;
    if (!isa<memref::ExpandShapeOp, memref::CollapseShapeOp>(def))
      return {};
    source = def->getOperand(0);
  }
  return {};
}

/// Whether `member` can be allocated in its slot: nothing writes or frees
/// it after the copy, nothing frees it, and where something still reads it
/// after the copy, nothing writes the pack after the copy either
/// (`lastPackWrite` is the pack's last writing access, if any).
static bool canAllocateInSlot(Member member, Block *block,
                              Operation *lastPackWrite) {
  auto type = member.buffer.getType();
  if (member.buffer->getBlock() != block || !isViewable(type) ||
      type.getNumElements() != member.size)
    return false;
  bool readAfter = false;
  for (Access access : getAccesses(member.buffer)) {
    if (access.op == member.copy)
      continue;
    Operation *ancestor = block->findAncestorOpInBlock(*access.op);
    if (!ancestor)
      return false;
    bool after = member.copy->isBeforeInBlock(ancestor);
    if (mayHaveEffect<MemoryEffects::Free>(access.op, access.through) ||
        (after &&
         mayHaveEffect<MemoryEffects::Write>(access.op, access.through)))
      return false;
    readAfter |= after;
  }
  return !readAfter || !lastPackWrite ||
         lastPackWrite->isBeforeInBlock(member.copy);
}

/// The members of `pack` that can be allocated in it. None when anything
/// but the members' copies writes it while they are copied in.
static std::optional<PackPlan> planPack(memref::AllocOp pack,
                                        DenseSet<Operation *> &taken) {
  if (taken.contains(pack))
    return std::nullopt;
  Block *block = pack->getBlock();
  SmallVector<Member> copies;
  SmallVector<Operation *> otherWrites;
  for (Access access : getAccesses(pack)) {
    auto copy = dyn_cast<memref::CopyOp>(access.op);
    std::optional<std::pair<int64_t, int64_t>> slot;
    if (copy && copy.getTarget() == access.through && copy->getBlock() == block)
      slot = getSlot(copy.getTarget(), pack);
    if (slot) {
      copies.push_back({copy, getWholeAllocation(copy.getSource()), slot->first,
                        slot->second});
      continue;
    }
    if (mayHaveEffect<MemoryEffects::Write, MemoryEffects::Free>(
            access.op, access.through))
      otherWrites.push_back(block->findAncestorOpInBlock(*access.op));
  }
  if (copies.empty())
    return std::nullopt;
  llvm::sort(copies, [](const Member &a, const Member &b) {
    return a.offset < b.offset;
  });
  Operation *lastCopy = copies.front().copy;
  for (auto [previous, next] : llvm::zip(copies, llvm::drop_begin(copies))) {
    if (previous.offset + previous.size > next.offset)
      return std::nullopt;
    if (lastCopy->isBeforeInBlock(next.copy))
      lastCopy = next.copy;
  }
  Operation *lastPackWrite = nullptr;
  for (Operation *write : otherWrites) {
    if (!write || !lastCopy->isBeforeInBlock(write))
      return std::nullopt;
    if (!lastPackWrite || lastPackWrite->isBeforeInBlock(write))
      lastPackWrite = write;
  }
  PackPlan plan{pack, {}, pack};
  for (Member &member : copies) {
    if (!member.buffer || taken.contains(member.buffer) ||
        !canAllocateInSlot(member, block, lastPackWrite))
      continue;
    taken.insert(member.buffer);
    plan.members.push_back(member);
    if (member.buffer->isBeforeInBlock(plan.first))
      plan.first = member.buffer;
  }
  if (plan.members.empty())
    return std::nullopt;
  taken.insert(pack);
  return plan;
}

/// A view of `type` at byte `offset` of `bytes`, at the rewriter's place.
static Value createByteView(RewriterBase &rewriter, Location loc, Value bytes,
                            int64_t offset, MemRefType type) {
  Value shift = arith::ConstantIndexOp::create(rewriter, loc, offset);
  return memref::ViewOp::create(rewriter, loc, type, bytes, shift,
                                ValueRange());
}

/// Allocates the pack as bytes before its first member and each member as a
/// view of its slot; the members' copies go.
static void applyPlan(RewriterBase &rewriter, PackPlan &plan) {
  MemRefType packType = plan.pack.getType();
  int64_t elementBytes = packType.getElementTypeBitWidth() / 8;
  rewriter.setInsertionPoint(plan.first);
  Location loc = plan.pack.getLoc();
  auto bytesType = MemRefType::get(
      {packType.getNumElements() * elementBytes}, rewriter.getI8Type(),
      MemRefLayoutAttrInterface(), packType.getMemorySpace());
  Value bytes = memref::AllocOp::create(rewriter, loc, bytesType, ValueRange(),
                                        plan.pack.getAlignmentAttr());
  rewriter.replaceOp(plan.pack,
                     createByteView(rewriter, loc, bytes, 0, packType));
  for (Member &member : plan.members) {
    rewriter.eraseOp(member.copy);
    rewriter.setInsertionPoint(member.buffer);
    rewriter.replaceOp(member.buffer,
                       createByteView(rewriter, member.buffer.getLoc(), bytes,
                                      member.offset * elementBytes,
                                      member.buffer.getType()));
  }
}

namespace {
struct PackInPlacePass
    : replica::impl::ReplicaPackInPlacePassBase<PackInPlacePass> {
  using Base::Base;
  void runOnOperation() override {
    SmallVector<memref::AllocOp> packs;
    getOperation()->walk([&](memref::AllocOp alloc) {
      MemRefType type = alloc.getType();
      if (type.getRank() == 1 && isViewable(type))
        packs.push_back(alloc);
    });
    DenseSet<Operation *> taken;
    SmallVector<PackPlan> plans;
    for (memref::AllocOp pack : packs)
      if (std::optional<PackPlan> plan = planPack(pack, taken))
        plans.push_back(std::move(*plan));
    IRRewriter rewriter(&getContext());
    for (PackPlan &plan : plans) {
      numMembersInPlace += plan.members.size();
      applyPlan(rewriter, plan);
    }
  }
};
} // namespace
