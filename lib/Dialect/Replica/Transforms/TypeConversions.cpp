//===- TypeConversions.cpp - 1:N conversions of replica values ------------===//

#include "replica/Dialect/Replica/Transforms/TypeConversions.h"

#include "replica/Dialect/Replica/IR/ReplicaOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Func/Transforms/FuncConversions.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/Patterns.h"
#include "llvm/ADT/SmallBitVector.h"

using namespace mlir;
using namespace mlir::replica;

static SmallVector<Value> flatten(ArrayRef<ValueRange> groups) {
  SmallVector<Value> values;
  for (ValueRange group : groups)
    llvm::append_range(values, group);
  return values;
}

namespace {
/// Converts the signature and every block of a function. Upstream's
/// populateFunctionOpInterfaceTypeConversionPattern converts only the entry
/// block, which leaves converted types on the other blocks of a CFG.
struct FuncOpConversion : OpConversionPattern<func::FuncOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(func::FuncOp func, OneToNOpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    const TypeConverter &converter = *getTypeConverter();
    FunctionType type = func.getFunctionType();
    TypeConverter::SignatureConversion signature(type.getNumInputs());
    if (failed(converter.convertSignatureArgs(type.getInputs(), signature)))
      return rewriter.notifyMatchFailure(func, "argument types not converted");
    SmallVector<Type> results;
    if (failed(converter.convertTypes(type.getResults(), results)))
      return rewriter.notifyMatchFailure(func, "result types not converted");
    if (!func.isExternal() && failed(rewriter.convertRegionTypes(
                                  &func.getBody(), converter, &signature)))
      return rewriter.notifyMatchFailure(func, "block types not converted");
    rewriter.modifyOpInPlace(func, [&] {
      func.setType(FunctionType::get(func.getContext(),
                                     signature.getConvertedTypes(), results));
    });
    return success();
  }
};

/// Expands the forwarded operands of a branch. Upstream's branch pattern
/// only handles 1:1 conversions.
struct BranchOpConversion : OpInterfaceConversionPattern<BranchOpInterface> {
  using OpInterfaceConversionPattern::OpInterfaceConversionPattern;
  LogicalResult
  matchAndRewrite(BranchOpInterface branch, ArrayRef<ValueRange> operands,
                  ConversionPatternRewriter &rewriter) const override {
    Operation *op = branch.getOperation();
    SmallVector<SmallVector<Value>> forwarded;
    llvm::SmallBitVector isForwarded(op->getNumOperands());
    for (unsigned i = 0, e = op->getNumSuccessors(); i < e; ++i) {
      OperandRange range =
          branch.getSuccessorOperands(i).getForwardedOperands();
      unsigned begin = range.empty() ? 0 : range.getBeginOperandIndex();
      isForwarded.set(begin, begin + range.size());
      forwarded.push_back(flatten(operands.slice(begin, range.size())));
    }
    for (auto [i, values] : llvm::enumerate(operands))
      if (!isForwarded.test(i) && values.size() != 1)
        return rewriter.notifyMatchFailure(op, "converted branch condition");
    rewriter.modifyOpInPlace(op, [&] {
      for (auto [i, values] : llvm::enumerate(operands))
        if (!isForwarded.test(i))
          op->setOperand(i, values.front());
      for (auto [i, values] : llvm::enumerate(forwarded))
        branch.getSuccessorOperands(i).getMutableForwardedOperands().assign(
            values);
    });
    return success();
  }
};

/// A regroup is its operands, one per replica. Each lane goes through an
/// identity cast: the conversion driver keys materializations by the lane
/// values, so two regroups of the same values (say `regroup %c, %c` and
/// `regroup %c, %c mirrored`) would otherwise share one materialization of
/// the wrong type. eraseIdentityCasts removes the casts afterwards.
struct RegroupLanes : OpConversionPattern<RegroupOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(RegroupOp op, OneToNOpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!isa<DistributedType>(op.getType()))
      return rewriter.notifyMatchFailure(op, "structure or unwrapped leaf");
    SmallVector<Value> lanes;
    for (Value lane : flatten(adaptor.getInputs()))
      lanes.push_back(UnrealizedConversionCastOp::create(rewriter, op.getLoc(),
                                                         lane.getType(), lane)
                          .getResult(0));
    rewriter.replaceOpWithMultiple(op, SmallVector<SmallVector<Value>>{lanes});
    return success();
  }
};

/// unpack gives the lanes of its operand.
struct UnpackLanes : OpConversionPattern<UnpackOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(UnpackOp op, OneToNOpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    SmallVector<SmallVector<Value>> results;
    for (Value lane : adaptor.getInput())
      results.push_back({lane});
    rewriter.replaceOpWithMultiple(op, results);
    return success();
  }
};

/// A static index picks a lane; a dynamic one selects among them.
struct SelectReplicaLanes : OpConversionPattern<SelectReplicaOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(SelectReplicaOp op, OneToNOpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    ValueRange lanes = adaptor.getInput();
    if (!isa<DistributedType>(op.getInput().getType()))
      return rewriter.notifyMatchFailure(op, "structure or local operand");
    if (std::optional<uint64_t> index = op.getStaticIndex()) {
      rewriter.replaceOpWithMultiple(op, {{lanes[*index]}});
      return success();
    }
    Value result =
        selectByIndex(rewriter, op.getLoc(), adaptor.getIndex().front(), lanes);
    rewriter.replaceOpWithMultiple(op, {{result}});
    return success();
  }
};
} // namespace

Value mlir::replica::selectByIndex(OpBuilder &builder, Location loc,
                                   Value index, ValueRange values) {
  auto shaped = dyn_cast<ShapedType>(values.front().getType());
  if (!shaped || shaped.hasStaticShape()) {
    Value result = values.front();
    for (auto [k, value] : llvm::enumerate(values.drop_front())) {
      Value id = arith::ConstantIndexOp::create(builder, loc, k + 1);
      Value match = arith::CmpIOp::create(builder, loc,
                                          arith::CmpIPredicate::eq, index, id);
      result = arith::SelectOp::create(builder, loc, match, value, result);
    }
    return result;
  }
  SmallVector<int64_t> cases =
      llvm::to_vector(llvm::seq<int64_t>(1, values.size()));
  auto select = scf::IndexSwitchOp::create(
      builder, loc, values.front().getType(), index, cases, cases.size());
  auto yieldIn = [&](Region &region, Value value) {
    OpBuilder::InsertionGuard guard(builder);
    builder.setInsertionPointToStart(&region.emplaceBlock());
    scf::YieldOp::create(builder, loc, value);
  };
  yieldIn(select.getDefaultRegion(), values.front());
  for (auto [region, value] :
       llvm::zip_equal(select.getCaseRegions(), values.drop_front()))
    yieldIn(region, value);
  return select.getResult(0);
}

void mlir::replica::populateStructuralConversionPatterns(
    const TypeConverter &converter, RewritePatternSet &patterns,
    ConversionTarget &target) {
  target.markUnknownOpDynamicallyLegal([&converter](Operation *op) {
    if (auto func = dyn_cast<func::FuncOp>(op))
      return converter.isSignatureLegal(func.getFunctionType()) &&
             converter.isLegal(&func.getBody());
    for (Region &region : op->getRegions())
      if (!converter.isLegal(&region))
        return false;
    return converter.isLegal(op);
  });
  patterns.add<FuncOpConversion, BranchOpConversion>(converter,
                                                     patterns.getContext());
  populateCallOpTypeConversionPattern(patterns, converter);
  populateReturnOpTypeConversionPattern(patterns, converter);
  scf::populateSCFStructuralTypeConversionsAndLegality(converter, patterns,
                                                       target);
}

void mlir::replica::populateReplicaLaneConversion(TypeConverter &converter,
                                                  RewritePatternSet &patterns,
                                                  ConversionTarget &target) {
  converter.addConversion([](Type type) { return type; });
  converter.addConversion(
      [](DistributedType type,
         SmallVectorImpl<Type> &lanes) -> std::optional<LogicalResult> {
        lanes.append(type.getNumReplicas(), type.getElementType());
        return success();
      });
  converter.addSourceMaterialization([](OpBuilder &builder,
                                        DistributedType type, ValueRange lanes,
                                        Location loc) -> Value {
    if (static_cast<int64_t>(lanes.size()) != type.getNumReplicas())
      return {};
    return RegroupOp::create(builder, loc, type, lanes,
                             /*mirrored=*/isa<MirroredType>(type),
                             /*always_wrap=*/true);
  });
  converter.addTargetMaterialization([](OpBuilder &builder, TypeRange,
                                        ValueRange inputs,
                                        Location loc) -> SmallVector<Value> {
    if (inputs.size() != 1 || !isa<DistributedType>(inputs[0].getType()))
      return {};
    return UnpackOp::create(builder, loc, inputs[0]).getResults();
  });
  populateStructuralConversionPatterns(converter, patterns, target);
  patterns.add<RegroupLanes, UnpackLanes, SelectReplicaLanes>(
      converter, patterns.getContext());
}

void mlir::replica::eraseIdentityCasts(Operation *root) {
  root->walk([](UnrealizedConversionCastOp cast) {
    if (cast.getInputs().getTypes() != cast.getResultTypes())
      return;
    cast.replaceAllUsesWith(cast.getInputs());
    cast.erase();
  });
}
