//===- ToSPMD.cpp - one process per replica --------------------------------===//
//
// A 1:1 type conversion of every distributed value to the local component
// of the process's replica.
//
//===----------------------------------------------------------------------===//

#include "replica/Dialect/Replica/Transforms/Passes.h"

#include "replica/Dialect/Replica/IR/ReplicaOps.h"
#include "replica/Dialect/Replica/Transforms/TypeConversions.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Transforms/DialectConversion.h"

namespace mlir::replica {
#define GEN_PASS_DEF_REPLICATOSPMDPASS
#include "replica/Dialect/Replica/Transforms/Passes.h.inc"
} // namespace mlir::replica

using namespace mlir;
using namespace mlir::replica;

/// Replica `k`'s component of a distributed value whose local component is
/// `local`: every process computes a mirrored value, others are broadcast by
/// their owner.
static Value getComponent(OpBuilder &builder, Location loc,
                          DistributedType type, Value local, int64_t k) {
  if (isa<MirroredType>(type))
    return local;
  return BroadcastOp::create(builder, loc, local.getType(), local,
                             builder.getI64IntegerAttr(k));
}

namespace {
struct RegroupToLocal : OpConversionPattern<RegroupOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(RegroupOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    ValueRange inputs = adaptor.getInputs();
    if (isa<MirroredType>(op.getType()) || llvm::all_equal(inputs)) {
      rewriter.replaceOp(op, inputs.front());
      return success();
    }
    Location loc = op.getLoc();
    Value rank = ReplicaIdOp::create(rewriter, loc, rewriter.getIndexType());
    rewriter.replaceOp(op, selectByIndex(rewriter, loc, rank, inputs));
    return success();
  }
};

struct UnpackToComponents : OpConversionPattern<UnpackOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(UnpackOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = cast<DistributedType>(op.getInput().getType());
    SmallVector<Value> components;
    for (int64_t k = 0; k < type.getNumReplicas(); ++k)
      components.push_back(
          getComponent(rewriter, op.getLoc(), type, adaptor.getInput(), k));
    rewriter.replaceOp(op, components);
    return success();
  }
};

struct SelectReplicaToComponent : OpConversionPattern<SelectReplicaOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(SelectReplicaOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = dyn_cast<DistributedType>(op.getInput().getType());
    if (!type)
      return rewriter.notifyMatchFailure(op, "structure or local operand");
    Location loc = op.getLoc();
    Value local = adaptor.getInput();
    if (std::optional<uint64_t> index = op.getStaticIndex()) {
      rewriter.replaceOp(op, getComponent(rewriter, loc, type, local, *index));
      return success();
    }
    SmallVector<Value> components;
    for (int64_t k = 0; k < type.getNumReplicas(); ++k)
      components.push_back(getComponent(rewriter, loc, type, local, k));
    rewriter.replaceOp(
        op, selectByIndex(rewriter, loc, adaptor.getIndex(), components));
    return success();
  }
};

/// The body runs once, in this process, on its components.
struct InlineReplicate : OpConversionPattern<ReplicateOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ReplicateOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    YieldOp yield = op.getYield();
    SmallVector<Value> results(yield.getValues());
    rewriter.inlineBlockBefore(&op.getBody().front(), op, adaptor.getInputs());
    rewriter.eraseOp(yield);
    rewriter.replaceOp(op, results);
    return success();
  }
};

/// Cross-replica reductions become the in-replica form on the component.
template <typename OpTy>
struct ReduceOnComponent : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    // reduce_to's result is used by code every process runs: all of them
    // need it.
    rewriter.replaceOpWithNewOp<AllReduceOp>(op, op.getKindAttr(),
                                             adaptor.getInput());
    return success();
  }
};

struct BatchReduceOnComponents : OpConversionPattern<BatchAllReduceOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(BatchAllReduceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOpWithNewOp<BatchAllReduceOp>(op, op.getKindAttr(),
                                                  adaptor.getInputs());
    return success();
  }
};

struct StartOnComponents : OpConversionPattern<AllReduceStartOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(AllReduceStartOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOpWithNewOp<AllReduceStartOp>(op, op.getKindAttr(),
                                                  adaptor.getInputs());
    return success();
  }
};

struct DoneOnComponents : OpConversionPattern<AllReduceDoneOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(AllReduceDoneOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOpWithNewOp<AllReduceDoneOp>(op, adaptor.getFuture());
    return success();
  }
};

/// Every process computed the broadcast value already.
struct BroadcastIsLocal : OpConversionPattern<BroadcastOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(BroadcastOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, adaptor.getInput());
    return success();
  }
};

struct GatherComponents : OpConversionPattern<AllGatherOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(AllGatherOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Type result = getTypeConverter()->convertType(op.getType());
    rewriter.replaceOpWithNewOp<AllGatherOp>(op, result, adaptor.getInput(),
                                             op.getDimAttr());
    return success();
  }
};

struct ToSPMDPass : replica::impl::ReplicaToSPMDPassBase<ToSPMDPass> {
  using Base::Base;
  void runOnOperation() override;
};
} // namespace

/// The one replica count of the module's distributed types and replicate
/// ops; 0 when there are none.
static FailureOr<int64_t> getModuleReplicaCount(ModuleOp module) {
  int64_t count = 0;
  Operation *first = nullptr;
  auto visit = [&](Operation *op, int64_t n) {
    if (count == 0) {
      count = n;
      first = op;
      return WalkResult::advance();
    }
    if (n == count)
      return WalkResult::advance();
    InFlightDiagnostic diag = op->emitOpError("uses ")
                              << n << " replicas, but the module already uses "
                              << count
                              << "; replica-to-spmd needs one replica count";
    diag.attachNote(first->getLoc()) << count << " replicas here";
    return WalkResult::interrupt();
  };
  auto visitTypes = [&](Operation *op, TypeRange types) {
    for (Type type : types) {
      if (isa<TupleType>(type) && containsDistributedType(type)) {
        op->emitOpError("holds a structure; run replica-decompose-structures "
                        "before replica-to-spmd");
        return WalkResult::interrupt();
      }
      if (auto distributed = dyn_cast<DistributedType>(type))
        if (visit(op, distributed.getNumReplicas()).wasInterrupted())
          return WalkResult::interrupt();
    }
    return WalkResult::advance();
  };
  WalkResult result = module.walk<WalkOrder::PreOrder>([&](Operation *op) {
    if (auto replicate = dyn_cast<ReplicateOp>(op))
      if (visit(op, replicate.getNumReplicas()).wasInterrupted())
        return WalkResult::interrupt();
    if (auto function = dyn_cast<FunctionOpInterface>(op))
      if (visitTypes(op, function.getArgumentTypes()).wasInterrupted() ||
          visitTypes(op, function.getResultTypes()).wasInterrupted())
        return WalkResult::interrupt();
    if (visitTypes(op, op->getOperandTypes()).wasInterrupted() ||
        visitTypes(op, op->getResultTypes()).wasInterrupted())
      return WalkResult::interrupt();
    return WalkResult::advance();
  });
  if (result.wasInterrupted())
    return failure();
  return count;
}

void ToSPMDPass::runOnOperation() {
  ModuleOp module = getOperation();
  FailureOr<int64_t> count = getModuleReplicaCount(module);
  if (failed(count))
    return signalPassFailure();
  if (*count == 0)
    return;
  module->setAttr(ReplicaDialect::getNumReplicasAttrName(),
                  IntegerAttr::get(IntegerType::get(&getContext(), 64), *count));

  MLIRContext *context = &getContext();
  TypeConverter converter;
  converter.addConversion([](Type type) { return type; });
  converter.addConversion(
      [](DistributedType type) { return type.getElementType(); });
  converter.addConversion(
      [](FutureType type) { return getLocalStructureType(type); });
  ConversionTarget target(*context);
  RewritePatternSet patterns(context);
  populateStructuralConversionPatterns(converter, patterns, target);
  patterns.add<RegroupToLocal, UnpackToComponents, SelectReplicaToComponent,
               InlineReplicate, ReduceOnComponent<AllReduceOp>,
               ReduceOnComponent<ReduceToOp>, BatchReduceOnComponents,
               StartOnComponents, DoneOnComponents, BroadcastIsLocal, GatherComponents>(converter, context);
  target.addIllegalOp<ReplicateOp, UnpackOp>();
  if (failed(applyPartialConversion(module, target, std::move(patterns))))
    signalPassFailure();
}
