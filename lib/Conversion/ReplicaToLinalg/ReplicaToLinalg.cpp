//===- ReplicaToLinalg.cpp - collectives to tensor arithmetic -------------===//
//
// The CPU reference semantics of the collectives: with every distributed
// value split into its N per-replica values (the lane conversion shared with
// replica-unroll), each collective is computed from its operand's N values
// with elementwise arith ops on tensors, later turned into linalg by
// convert-elementwise-to-linalg.
//
//===----------------------------------------------------------------------===//

#include "replica/Conversion/Passes.h"

#include "replica/Dialect/Replica/IR/ReplicaOps.h"
#include "replica/Dialect/Replica/Transforms/TypeConversions.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Transforms/DialectConversion.h"

namespace mlir::replica {
#define GEN_PASS_DEF_CONVERTREPLICATOLINALGPASS
#include "replica/Conversion/Passes.h.inc"
} // namespace mlir::replica

using namespace mlir;
using namespace mlir::replica;

/// `value` (a scalar or tensor) converted elementwise to `elementType`.
static Value castElements(OpBuilder &builder, Location loc, Value value,
                          Type elementType, bool widen) {
  Type type = elementType;
  if (auto tensor = dyn_cast<RankedTensorType>(value.getType()))
    type = tensor.clone(elementType);
  if (widen)
    return arith::ExtFOp::create(builder, loc, type, value);
  return arith::TruncFOp::create(builder, loc, type, value);
}

static Value combine(OpBuilder &builder, Location loc, ReductionKind kind,
                     Value lhs, Value rhs) {
  bool isFloat = isa<FloatType>(getElementTypeOrSelf(lhs.getType()));
  switch (kind) {
  case ReductionKind::Sum:
  case ReductionKind::Mean:
    return isFloat ? arith::AddFOp::create(builder, loc, lhs, rhs).getResult()
                   : arith::AddIOp::create(builder, loc, lhs, rhs).getResult();
  case ReductionKind::Prod:
    return isFloat ? arith::MulFOp::create(builder, loc, lhs, rhs).getResult()
                   : arith::MulIOp::create(builder, loc, lhs, rhs).getResult();
  case ReductionKind::Max:
    return isFloat
               ? arith::MaximumFOp::create(builder, loc, lhs, rhs).getResult()
               : arith::MaxSIOp::create(builder, loc, lhs, rhs).getResult();
  case ReductionKind::Min:
    return isFloat
               ? arith::MinimumFOp::create(builder, loc, lhs, rhs).getResult()
               : arith::MinSIOp::create(builder, loc, lhs, rhs).getResult();
  }
  llvm_unreachable("unknown reduction kind");
}

/// The reduction of the per-replica values `lanes` in replica order.
static Value reduceLanes(OpBuilder &builder, Location loc, ReductionKind kind,
                         ValueRange lanes) {
  Type elementType = getElementTypeOrSelf(lanes.front().getType());
  // Half-precision values are accumulated in f32 and rounded once.
  bool widen = isa<Float16Type, BFloat16Type>(elementType);
  SmallVector<Value> values(lanes.begin(), lanes.end());
  if (widen)
    for (Value &value : values)
      value = castElements(builder, loc, value, builder.getF32Type(), true);
  Value result = values.front();
  for (Value value : llvm::drop_begin(values))
    result = combine(builder, loc, kind, result, value);
  if (kind == ReductionKind::Mean) {
    Type scalarType = getElementTypeOrSelf(result.getType());
    Value count = arith::ConstantOp::create(
        builder, loc, builder.getFloatAttr(scalarType, lanes.size()));
    if (auto tensor = dyn_cast<RankedTensorType>(result.getType())) {
      // Divided by the scalar in the loop body: a tensor of counts would be
      // a constant as large as the value, a global in the generated code.
      Value init = tensor::EmptyOp::create(
          builder, loc, tensor::getMixedSizes(builder, loc, result),
          scalarType);
      AffineMap identity = builder.getMultiDimIdentityMap(tensor.getRank());
      SmallVector<utils::IteratorType> iterators(tensor.getRank(),
                                                 utils::IteratorType::parallel);
      result = linalg::GenericOp::create(
                   builder, loc, tensor, ValueRange{result}, ValueRange{init},
                   ArrayRef<AffineMap>{identity, identity}, iterators,
                   [&](OpBuilder &body, Location loc, ValueRange args) {
                     linalg::YieldOp::create(
                         body, loc,
                         arith::DivFOp::create(body, loc, args[0], count)
                             .getResult());
                   })
                   .getResult(0);
    } else {
      result = arith::DivFOp::create(builder, loc, result, count);
    }
  }
  if (widen)
    result = castElements(builder, loc, result, elementType, false);
  return result;
}

namespace {
/// A mirrored result: the same value on every replica. Each replica's tensor
/// gets a buffer of its own, since the copies may be updated in place
/// independently later (e.g. as loop-carried values), and one-shot
/// bufferization would let N uses of one SSA value share a buffer.
SmallVector<Value> mirror(OpBuilder &builder, Location loc, Value value,
                          size_t numReplicas) {
  SmallVector<Value> copies{value};
  auto tensor = dyn_cast<RankedTensorType>(value.getType());
  for (size_t k = 1; k < numReplicas; ++k) {
    if (!tensor) {
      copies.push_back(value);
      continue;
    }
    copies.push_back(bufferization::AllocTensorOp::create(
        builder, loc, tensor, /*dynamicSizes=*/ValueRange(), /*copy=*/value));
  }
  return copies;
}

struct AllReduceLowering : OpConversionPattern<AllReduceOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(AllReduceOp op, OneToNOpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    ValueRange lanes = adaptor.getInput();
    Value result = reduceLanes(rewriter, op.getLoc(), op.getKind(), lanes);
    rewriter.replaceOpWithMultiple(
        op, {mirror(rewriter, op.getLoc(), result, lanes.size())});
    return success();
  }
};

struct BatchAllReduceLowering : OpConversionPattern<BatchAllReduceOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(BatchAllReduceOp op, OneToNOpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    SmallVector<SmallVector<Value>> results;
    for (ValueRange lanes : adaptor.getInputs())
      results.push_back(
          mirror(rewriter, op.getLoc(),
                 reduceLanes(rewriter, op.getLoc(), op.getKind(), lanes),
                 lanes.size()));
    rewriter.replaceOpWithMultiple(op, results);
    return success();
  }
};

struct ReduceToLowering : OpConversionPattern<ReduceToOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ReduceToOp op, OneToNOpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value result =
        reduceLanes(rewriter, op.getLoc(), op.getKind(), adaptor.getInput());
    rewriter.replaceOpWithMultiple(op, {{result}});
    return success();
  }
};

struct BroadcastLowering : OpConversionPattern<BroadcastOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(BroadcastOp op, OneToNOpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto result = dyn_cast<MirroredType>(op.getType());
    if (!result)
      return rewriter.notifyMatchFailure(op, "in-replica form");
    rewriter.replaceOpWithMultiple(
        op, {mirror(rewriter, op.getLoc(), adaptor.getInput().front(),
                    result.getNumReplicas())});
    return success();
  }
};

struct AllGatherLowering : OpConversionPattern<AllGatherOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(AllGatherOp op, OneToNOpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    ValueRange lanes = adaptor.getInput();
    Value result = tensor::ConcatOp::create(rewriter, op.getLoc(),
                                            op.getDim(), lanes);
    rewriter.replaceOpWithMultiple(
        op, {mirror(rewriter, op.getLoc(), result, lanes.size())});
    return success();
  }
};

struct ConvertReplicaToLinalgPass
    : replica::impl::ConvertReplicaToLinalgPassBase<
          ConvertReplicaToLinalgPass> {
  using Base::Base;
  void runOnOperation() override;
};
} // namespace

void ConvertReplicaToLinalgPass::runOnOperation() {
  ModuleOp module = getOperation();
  WalkResult notUnrolled = module.walk([](ReplicateOp op) {
    op.emitOpError("must be unrolled first (replica-unroll)");
    return WalkResult::interrupt();
  });
  if (notUnrolled.wasInterrupted())
    return signalPassFailure();

  MLIRContext *context = &getContext();
  TypeConverter converter;
  ConversionTarget target(*context);
  RewritePatternSet patterns(context);
  populateReplicaLaneConversion(converter, patterns, target);
  patterns.add<AllReduceLowering, BatchAllReduceLowering, ReduceToLowering,
               BroadcastLowering, AllGatherLowering>(converter, context);
  target.addIllegalDialect<ReplicaDialect>();
  // Packs are plain tensor ops that bufferize themselves.
  target.addLegalOp<PackOp, SplitPackOp>();
  if (failed(applyPartialConversion(module, target, std::move(patterns))))
    return signalPassFailure();
  eraseIdentityCasts(module);
}
