//===- DecomposeStructures.cpp - tuples to their leaves ---------*- C++ -*-===//
//
// 1:N type conversion of builtin tuples to their flattened leaves, through
// the main dialect conversion driver.
//
//===----------------------------------------------------------------------===//

#include "replica/Dialect/Replica/Transforms/Passes.h"

#include "replica/Dialect/Replica/IR/ReplicaOps.h"

#include "replica/Dialect/Replica/Transforms/TypeConversions.h"

#include "mlir/Transforms/DialectConversion.h"

namespace mlir::replica {
#define GEN_PASS_DEF_REPLICADECOMPOSESTRUCTURESPASS
#include "replica/Dialect/Replica/Transforms/Passes.h.inc"
} // namespace mlir::replica

using namespace mlir;
using namespace mlir::replica;

namespace {
/// The leaves of the values of an adaptor, in order.
SmallVector<Value> flatten(ArrayRef<ValueRange> groups) {
  SmallVector<Value> leaves;
  for (ValueRange group : groups)
    llvm::append_range(leaves, group);
  return leaves;
}

/// Flattened leaf types of `type` (the type itself when it is a leaf).
SmallVector<Type> getLeafTypes(Type type) {
  SmallVector<Type> leaves;
  if (auto tuple = dyn_cast<TupleType>(type))
    tuple.getFlattenedTypes(leaves);
  else
    leaves.push_back(type);
  return leaves;
}

struct TupleOpLowering : OpConversionPattern<TupleOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(TupleOp op, OneToNOpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOpWithMultiple(
        op, SmallVector<SmallVector<Value>>{flatten(adaptor.getElements())});
    return success();
  }
};

struct TupleGetOpLowering : OpConversionPattern<TupleGetOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(TupleGetOp op, OneToNOpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    TupleType tuple = op.getTuple().getType();
    size_t offset = 0;
    for (unsigned i = 0, e = op.getIndex(); i < e; ++i)
      offset += getLeafTypes(tuple.getType(i)).size();
    size_t count = getLeafTypes(op.getType()).size();
    ValueRange leaves = adaptor.getTuple().slice(offset, count);
    rewriter.replaceOpWithMultiple(
        op, SmallVector<SmallVector<Value>>{llvm::to_vector(leaves)});
    return success();
  }
};

/// One regroup per leaf; leaves left unwrapped (same value on every replica,
/// or a single replica without always_wrap) pass replica 0's leaf through.
struct RegroupOpLowering : OpConversionPattern<RegroupOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(RegroupOp op, OneToNOpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    SmallVector<Type> resultLeaves = getLeafTypes(op.getType());
    SmallVector<Value> results;
    for (auto [leaf, resultType] : llvm::enumerate(resultLeaves)) {
      if (!isa<DistributedType>(resultType)) {
        results.push_back(adaptor.getInputs().front()[leaf]);
        continue;
      }
      SmallVector<Value> components;
      for (ValueRange input : adaptor.getInputs())
        components.push_back(input[leaf]);
      results.push_back(RegroupOp::create(rewriter, op.getLoc(), resultType,
                                          components, op.getMirrored(),
                                          op.getAlwaysWrap()));
    }
    rewriter.replaceOpWithMultiple(op,
                                   SmallVector<SmallVector<Value>>{results});
    return success();
  }
};

/// One select per distributed leaf; other leaves pass through.
struct SelectReplicaOpLowering : OpConversionPattern<SelectReplicaOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(SelectReplicaOp op, OneToNOpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value index =
        adaptor.getIndex().empty() ? Value() : adaptor.getIndex().front();
    SmallVector<Value> results;
    for (Value leaf : adaptor.getInput()) {
      if (!isa<DistributedType>(leaf.getType())) {
        results.push_back(leaf);
        continue;
      }
      results.push_back(SelectReplicaOp::create(
          rewriter, op.getLoc(), getLocalType(leaf.getType()), leaf, index,
          op.getStaticIndexAttr()));
    }
    rewriter.replaceOpWithMultiple(op,
                                   SmallVector<SmallVector<Value>>{results});
    return success();
  }
};

struct ReplicateOpLowering : OpConversionPattern<ReplicateOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ReplicateOp op, OneToNOpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    SmallVector<Type> resultTypes;
    SmallVector<size_t> resultCounts;
    for (Type type : op.getResultTypes()) {
      SmallVector<Type> leaves = getLeafTypes(type);
      resultCounts.push_back(leaves.size());
      llvm::append_range(resultTypes, leaves);
    }
    auto replicate = ReplicateOp::create(rewriter, op.getLoc(), resultTypes,
                                         flatten(adaptor.getInputs()),
                                         op.getNumReplicasAttr());
    rewriter.inlineRegionBefore(op.getBody(), replicate.getBody(),
                                replicate.getBody().end());
    if (failed(rewriter.convertRegionTypes(&replicate.getBody(),
                                           *getTypeConverter())))
      return rewriter.notifyMatchFailure(op, "body arguments not converted");
    SmallVector<SmallVector<Value>> replacements;
    size_t offset = 0;
    for (size_t count : resultCounts) {
      ValueRange results = replicate.getResults().slice(offset, count);
      replacements.emplace_back(results.begin(), results.end());
      offset += count;
    }
    rewriter.replaceOpWithMultiple(op, replacements);
    return success();
  }
};

struct YieldOpLowering : OpConversionPattern<YieldOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(YieldOp op, OneToNOpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOpWithNewOp<YieldOp>(op, flatten(adaptor.getValues()));
    return success();
  }
};

struct DecomposeStructuresPass
    : replica::impl::ReplicaDecomposeStructuresPassBase<
          DecomposeStructuresPass> {
  using Base::Base;
  void runOnOperation() override;
};
} // namespace

void DecomposeStructuresPass::runOnOperation() {
  MLIRContext *context = &getContext();
  TypeConverter converter;
  converter.addConversion([](Type type) { return type; });
  converter.addConversion([](TupleType type, SmallVectorImpl<Type> &leaves)
                              -> std::optional<LogicalResult> {
    type.getFlattenedTypes(leaves);
    return success();
  });

  ConversionTarget target(*context);
  RewritePatternSet patterns(context);
  populateStructuralConversionPatterns(converter, patterns, target);
  patterns.add<TupleOpLowering, TupleGetOpLowering, RegroupOpLowering,
               SelectReplicaOpLowering, ReplicateOpLowering, YieldOpLowering>(
      converter, context);
  if (failed(applyPartialConversion(getOperation(), target,
                                    std::move(patterns))))
    signalPassFailure();
}
