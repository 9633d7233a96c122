//===- PackOps.cpp - replica.pack and replica.split_pack --------*- C++ -*-===//
//
// A pack is one flat buffer holding many members. Both ops take or yield
// every member at once and bufferize themselves: one allocation and one copy
// per member for `pack`, one view per member for `split_pack`. One-shot
// bufferization then has no chain of slices through the pack to analyse,
// so lowering a pack costs time linear in its members.
//
//===----------------------------------------------------------------------===//

#include "replica/Dialect/Replica/IR/ReplicaOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::replica;
using namespace mlir::bufferization;

/// Checks that `members` lie in the 1-D static `pack` at `offsets`: one
/// offset each, the pack's element type, increasing and not overlapping.
static LogicalResult verifyPackLayout(Operation *op, Type pack,
                                      TypeRange members,
                                      ArrayRef<int64_t> offsets) {
  auto packType = cast<RankedTensorType>(pack);
  if (!packType.hasStaticShape())
    return op->emitOpError("pack must have a static size, got ") << pack;
  if (members.size() != offsets.size())
    return op->emitOpError("has ")
           << members.size() << " members but " << offsets.size() << " offsets";
  int64_t end = 0;
  for (auto [index, type, offset] : llvm::enumerate(members, offsets)) {
    auto member = cast<RankedTensorType>(type);
    if (member.getElementType() != packType.getElementType())
      return op->emitOpError("member ")
             << index << " has element type " << member.getElementType()
             << " but the pack has " << packType.getElementType();
    if (offset < end)
      return op->emitOpError("member ")
             << index << " at offset " << offset
             << " overlaps the previous member, which ends at " << end;
    end = offset + member.getNumElements();
    if (end > packType.getNumElements())
      return op->emitOpError("member ")
             << index << " ends at " << end << ", beyond the pack's "
             << packType.getNumElements() << " elements";
  }
  return success();
}

LogicalResult PackOp::verify() {
  return verifyPackLayout(*this, getType(), getMembers().getTypes(),
                          getOffsets());
}

LogicalResult SplitPackOp::verify() {
  return verifyPackLayout(*this, getPack().getType(), getMembers().getTypes(),
                          getOffsets());
}

/// split_pack(pack(x...)) with the same layout is x...
LogicalResult SplitPackOp::fold(FoldAdaptor,
                                SmallVectorImpl<OpFoldResult> &results) {
  auto pack = getPack().getDefiningOp<PackOp>();
  if (!pack || pack.getOffsets() != getOffsets() ||
      pack.getMembers().getTypes() != getMembers().getTypes())
    return failure();
  llvm::append_range(results, pack.getMembers());
  return success();
}

Value mlir::replica::wrapScalar(OpBuilder &builder, Location loc, Value value) {
  if (isa<RankedTensorType>(value.getType()))
    return value;
  return tensor::FromElementsOp::create(
      builder, loc, RankedTensorType::get({1}, value.getType()), value);
}

Value mlir::replica::unwrapScalar(OpBuilder &builder, Location loc,
                                  Value tensor, Type like) {
  if (isa<RankedTensorType>(like))
    return tensor;
  Value zero = arith::ConstantIndexOp::create(builder, loc, 0);
  return tensor::ExtractOp::create(builder, loc, tensor, zero);
}

SmallVector<ReassociationIndices>
mlir::replica::getFlatReassociation(int64_t rank) {
  if (rank == 0)
    return {};
  return {llvm::to_vector(llvm::seq<int64_t>(0, rank))};
}

//===----------------------------------------------------------------------===//
// Bufferization
//===----------------------------------------------------------------------===//

/// The type of the view of `member` at element `offset` of `pack`.
static FailureOr<MemRefType> getMemberViewType(MemRefType pack, int64_t offset,
                                               RankedTensorType member) {
  MemRefType slice = memref::SubViewOp::inferResultType(
      pack, {offset}, {member.getNumElements()}, {1});
  if (member.getRank() == 1)
    return slice;
  if (member.getRank() == 0)
    return memref::CollapseShapeOp::computeCollapsedType(slice, {});
  return memref::ExpandShapeOp::computeExpandedType(
      slice, member.getShape(), getFlatReassociation(member.getRank()));
}

/// A view of `member` at element `offset` of the 1-D buffer `pack`.
static FailureOr<Value> createMemberView(OpBuilder &builder, Location loc,
                                         Value pack, int64_t offset,
                                         RankedTensorType member) {
  auto packType = cast<MemRefType>(pack.getType());
  FailureOr<MemRefType> type = getMemberViewType(packType, offset, member);
  if (failed(type))
    return failure();
  Value slice = memref::SubViewOp::create(
      builder, loc, pack, ArrayRef<int64_t>{offset},
      ArrayRef<int64_t>{member.getNumElements()}, ArrayRef<int64_t>{1});
  if (member.getRank() == 1)
    return slice;
  if (member.getRank() == 0)
    return memref::CollapseShapeOp::create(builder, loc, *type, slice,
                                           ArrayRef<ReassociationIndices>{})
        .getResult();
  return memref::ExpandShapeOp::create(builder, loc, *type, slice,
                                       getFlatReassociation(member.getRank()))
      .getResult();
}

bool PackOp::bufferizesToAllocation(Value) { return true; }

bool PackOp::bufferizesToMemoryRead(OpOperand &, const AnalysisState &) {
  return true;
}

bool PackOp::bufferizesToMemoryWrite(OpOperand &, const AnalysisState &) {
  return false;
}

AliasingValueList PackOp::getAliasingValues(OpOperand &,
                                            const AnalysisState &) {
  return {};
}

FailureOr<BufferLikeType>
PackOp::getBufferType(Value, const BufferizationOptions &options,
                      const BufferizationState &, SmallVector<Value> &) {
  std::optional<Attribute> memorySpace =
      options.defaultMemorySpaceFn(getType());
  if (!memorySpace)
    return emitOpError("cannot infer the memory space of the pack");
  return cast<BufferLikeType>(
      MemRefType::get(getType().getShape(), getType().getElementType(),
                      MemRefLayoutAttrInterface(), *memorySpace));
}

LogicalResult PackOp::bufferize(RewriterBase &rewriter,
                                const BufferizationOptions &options,
                                BufferizationState &state) {
  Location loc = getLoc();
  SmallVector<Value> invocationStack;
  FailureOr<BufferLikeType> type =
      getBufferType(getResult(), options, state, invocationStack);
  if (failed(type))
    return failure();
  FailureOr<Value> pack =
      options.createAlloc(rewriter, loc, cast<MemRefType>(*type), {});
  if (failed(pack))
    return failure();
  for (auto [member, offset] : llvm::zip_equal(getMembers(), getOffsets())) {
    FailureOr<Value> source = getBuffer(rewriter, member, options, state);
    if (failed(source))
      return failure();
    FailureOr<Value> slot = createMemberView(
        rewriter, loc, *pack, offset, cast<RankedTensorType>(member.getType()));
    if (failed(slot) ||
        failed(options.createMemCpy(rewriter, loc, *source, *slot)))
      return emitOpError("cannot copy member at offset ")
             << offset << " into the pack";
  }
  replaceOpWithBufferizedValues(rewriter, *this, *pack);
  return success();
}

bool SplitPackOp::bufferizesToMemoryRead(OpOperand &, const AnalysisState &) {
  return false;
}

bool SplitPackOp::bufferizesToMemoryWrite(OpOperand &, const AnalysisState &) {
  return false;
}

AliasingValueList SplitPackOp::getAliasingValues(OpOperand &,
                                                 const AnalysisState &) {
  AliasingValueList aliases;
  for (OpResult member : getOperation()->getResults())
    aliases.addAlias({member, BufferRelation::Unknown, /*isDefinite=*/true});
  return aliases;
}

FailureOr<BufferLikeType>
SplitPackOp::getBufferType(Value value, const BufferizationOptions &options,
                           const BufferizationState &state,
                           SmallVector<Value> &invocationStack) {
  FailureOr<BufferLikeType> pack =
      bufferization::getBufferType(getPack(), options, state, invocationStack);
  if (failed(pack))
    return failure();
  unsigned index = cast<OpResult>(value).getResultNumber();
  FailureOr<MemRefType> type =
      getMemberViewType(cast<MemRefType>(*pack), getOffsets()[index],
                        cast<RankedTensorType>(value.getType()));
  if (failed(type))
    return emitOpError("cannot view member ")
           << index << " in a pack buffer of type " << *pack;
  return cast<BufferLikeType>(*type);
}

LogicalResult SplitPackOp::bufferize(RewriterBase &rewriter,
                                     const BufferizationOptions &options,
                                     BufferizationState &state) {
  FailureOr<Value> pack = getBuffer(rewriter, getPack(), options, state);
  if (failed(pack))
    return failure();
  SmallVector<Value> views;
  for (auto [member, offset] : llvm::zip_equal(getMembers(), getOffsets())) {
    FailureOr<Value> view =
        createMemberView(rewriter, getLoc(), *pack, offset,
                         cast<RankedTensorType>(member.getType()));
    if (failed(view))
      return emitOpError("cannot view the member at offset ")
             << offset << " in a pack buffer of type " << pack->getType();
    views.push_back(*view);
  }
  replaceOpWithBufferizedValues(rewriter, *this, views);
  return success();
}
