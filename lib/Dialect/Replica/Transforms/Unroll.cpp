//===- Unroll.cpp - single-process form of a replicated program -----------===//
//
// Two steps. First every replicate body is cloned once per replica in lock
// step, its in-replica collectives becoming cross-replica ones over the
// copies. Then a 1:N type conversion gives every distributed value one SSA
// value per replica, keeping distributed values only around collectives.
//
//===----------------------------------------------------------------------===//

#include "replica/Dialect/Replica/Transforms/Passes.h"

#include "replica/Dialect/Replica/IR/ReplicaOps.h"
#include "replica/Dialect/Replica/Transforms/TypeConversions.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Transforms/DialectConversion.h"
#include "llvm/ADT/TypeSwitch.h"

namespace mlir::replica {
#define GEN_PASS_DEF_REPLICAUNROLLPASS
#include "replica/Dialect/Replica/Transforms/Passes.h.inc"
} // namespace mlir::replica

using namespace mlir;
using namespace mlir::replica;

namespace {
/// Clones a replicate body once per replica ("lane") in lock step.
class LockstepCloner {
public:
  LockstepCloner(OpBuilder &builder, int64_t numReplicas)
      : builder(builder), lanes(numReplicas) {}

  /// Clones every op of `block` but its terminator at the insertion point.
  LogicalResult cloneBlock(Block &block);

  /// The copies of `value`, lane by lane, for each of `values`.
  SmallVector<Value> laneMajor(ValueRange values);
  /// Maps each of `originals` to its lane copies in `copies` (lane-major).
  void mapLaneMajor(ValueRange originals, ValueRange copies);

  IRMapping &lane(int64_t k) { return lanes[k]; }
  int64_t numLanes() const { return lanes.size(); }
  unsigned numCollectives = 0;

private:
  LogicalResult cloneOp(Operation &op);
  void cloneCollective(Operation &op);
  LogicalResult cloneFor(scf::ForOp op);
  LogicalResult cloneIf(scf::IfOp op);
  LogicalResult cloneWhile(scf::WhileOp op);
  /// Clones `source` into the region's block, ending it with the lane-major
  /// form of the source terminator.
  LogicalResult cloneRegionBlock(Block &source, Block &dest);

  Value regroup(Location loc, Value value);
  void mapUnpacked(Value original, Value distributed);

  OpBuilder &builder;
  SmallVector<IRMapping> lanes;
};
} // namespace

static bool containsCollective(Operation &op) {
  return op
      .walk([](Operation *nested) {
        return isCollective(nested) ? WalkResult::interrupt()
                                    : WalkResult::advance();
      })
      .wasInterrupted();
}

SmallVector<Value> LockstepCloner::laneMajor(ValueRange values) {
  SmallVector<Value> copies;
  for (IRMapping &mapping : lanes)
    for (Value value : values)
      copies.push_back(mapping.lookupOrDefault(value));
  return copies;
}

void LockstepCloner::mapLaneMajor(ValueRange originals, ValueRange copies) {
  for (auto [k, mapping] : llvm::enumerate(lanes))
    for (auto [j, original] : llvm::enumerate(originals))
      mapping.map(original, copies[k * originals.size() + j]);
}

Value LockstepCloner::regroup(Location loc, Value value) {
  SmallVector<Value> copies = laneMajor(value);
  Type type = PerReplicaType::get(builder.getContext(), numLanes(),
                                  value.getType());
  return RegroupOp::create(builder, loc, type, copies, /*mirrored=*/false,
                           /*always_wrap=*/true);
}

void LockstepCloner::mapUnpacked(Value original, Value distributed) {
  auto unpack = UnpackOp::create(builder, original.getLoc(), distributed);
  for (auto [mapping, component] : llvm::zip(lanes, unpack.getResults()))
    mapping.map(original, component);
}

LogicalResult LockstepCloner::cloneBlock(Block &block) {
  for (Operation &op : block.without_terminator())
    if (failed(cloneOp(op)))
      return failure();
  return success();
}

LogicalResult LockstepCloner::cloneOp(Operation &op) {
  if (auto id = dyn_cast<ReplicaIdOp>(op)) {
    for (auto [k, mapping] : llvm::enumerate(lanes))
      mapping.map(id.getResult(),
                  arith::ConstantIndexOp::create(builder, id.getLoc(), k));
    return success();
  }
  if (isCollective(&op)) {
    cloneCollective(op);
    return success();
  }
  if (op.getNumRegions() == 0 || !containsCollective(op)) {
    for (IRMapping &mapping : lanes)
      builder.clone(op, mapping);
    return success();
  }
  // Control flow around collectives is uniform: keep it once, carrying the
  // copies of its values.
  return TypeSwitch<Operation *, LogicalResult>(&op)
      .Case([&](scf::ForOp forOp) { return cloneFor(forOp); })
      .Case([&](scf::IfOp ifOp) { return cloneIf(ifOp); })
      .Case([&](scf::WhileOp whileOp) { return cloneWhile(whileOp); })
      .Default([&](Operation *other) {
        return other->emitOpError(
            "holds collectives in its regions and cannot be unrolled; "
            "replica-unroll handles scf.for, scf.if and scf.while");
      });
}

void LockstepCloner::cloneCollective(Operation &op) {
  ++numCollectives;
  Location loc = op.getLoc();
  MLIRContext *context = builder.getContext();
  TypeSwitch<Operation *>(&op)
      .Case([&](AllReduceOp reduce) {
        auto cross = AllReduceOp::create(builder, loc, reduce.getKind(),
                                         regroup(loc, reduce.getInput()));
        mapUnpacked(reduce.getResult(), cross.getResult());
      })
      .Case([&](BatchAllReduceOp batch) {
        SmallVector<Value> inputs;
        for (Value input : batch.getInputs())
          inputs.push_back(regroup(loc, input));
        auto cross = BatchAllReduceOp::create(builder, loc, batch.getKind(),
                                              inputs);
        for (auto [original, result] :
             llvm::zip(batch.getResults(), cross.getResults()))
          mapUnpacked(original, result);
      })
      .Case([&](ReduceToOp reduce) {
        // The result lives on the destination; the others keep their
        // operand, as MPI_Reduce leaves them (the runtime copies it).
        auto cross =
            ReduceToOp::create(builder, loc, reduce.getKindAttr(),
                               regroup(loc, reduce.getInput()),
                               reduce.getDestinationAttr());
        for (auto [k, mapping] : llvm::enumerate(lanes))
          mapping.map(reduce.getResult(),
                      k == cross.getDestination()
                          ? cross.getResult()
                          : mapping.lookupOrDefault(reduce.getInput()));
      })
      .Case([&](BroadcastOp broadcast) {
        Value source =
            lanes[*broadcast.getRoot()].lookupOrDefault(broadcast.getInput());
        Type type = MirroredType::get(context, numLanes(), source.getType());
        auto cross = BroadcastOp::create(builder, loc, type, source,
                                         /*root=*/IntegerAttr());
        mapUnpacked(broadcast.getResult(), cross.getResult());
      })
      .Case([&](AllGatherOp gather) {
        Type type =
            MirroredType::get(context, numLanes(), gather.getResult().getType());
        auto cross = AllGatherOp::create(builder, loc, type,
                                         regroup(loc, gather.getInput()),
                                         gather.getDimAttr());
        mapUnpacked(gather.getResult(), cross.getResult());
      });
}

LogicalResult LockstepCloner::cloneRegionBlock(Block &source, Block &dest) {
  OpBuilder::InsertionGuard guard(builder);
  if (Operation *terminator = dest.empty() ? nullptr : &dest.back();
      terminator && terminator->hasTrait<OpTrait::IsTerminator>())
    terminator->erase();
  builder.setInsertionPointToEnd(&dest);
  if (failed(cloneBlock(source)))
    return failure();
  Operation *terminator = source.getTerminator();
  if (auto yield = dyn_cast<scf::YieldOp>(terminator)) {
    scf::YieldOp::create(builder, yield.getLoc(),
                         laneMajor(yield.getResults()));
    return success();
  }
  if (auto condition = dyn_cast<scf::ConditionOp>(terminator)) {
    scf::ConditionOp::create(builder, condition.getLoc(),
                             lanes[0].lookupOrDefault(condition.getCondition()),
                             laneMajor(condition.getArgs()));
    return success();
  }
  return terminator->emitOpError("cannot be unrolled in lock step");
}

/// The lane-major types of `types`, once per lane.
static SmallVector<Type> laneMajorTypes(TypeRange types, int64_t numLanes) {
  SmallVector<Type> result;
  for (int64_t k = 0; k < numLanes; ++k)
    llvm::append_range(result, types);
  return result;
}

LogicalResult LockstepCloner::cloneFor(scf::ForOp op) {
  auto loop = scf::ForOp::create(
      builder, op.getLoc(), lanes[0].lookupOrDefault(op.getLowerBound()),
      lanes[0].lookupOrDefault(op.getUpperBound()),
      lanes[0].lookupOrDefault(op.getStep()), laneMajor(op.getInitArgs()));
  for (IRMapping &mapping : lanes)
    mapping.map(op.getInductionVar(), loop.getInductionVar());
  mapLaneMajor(op.getRegionIterArgs(), loop.getRegionIterArgs());
  if (failed(cloneRegionBlock(*op.getBody(), *loop.getBody())))
    return failure();
  mapLaneMajor(op.getResults(), loop.getResults());
  return success();
}

LogicalResult LockstepCloner::cloneIf(scf::IfOp op) {
  bool hasElse = !op.getElseRegion().empty();
  auto branch = scf::IfOp::create(
      builder, op.getLoc(), laneMajorTypes(op.getResultTypes(), numLanes()),
      lanes[0].lookupOrDefault(op.getCondition()), hasElse);
  if (failed(cloneRegionBlock(op.getThenRegion().front(),
                              branch.getThenRegion().front())))
    return failure();
  if (hasElse && failed(cloneRegionBlock(op.getElseRegion().front(),
                                         branch.getElseRegion().front())))
    return failure();
  mapLaneMajor(op.getResults(), branch.getResults());
  return success();
}

LogicalResult LockstepCloner::cloneWhile(scf::WhileOp op) {
  auto loop = scf::WhileOp::create(
      builder, op.getLoc(), laneMajorTypes(op.getResultTypes(), numLanes()),
      laneMajor(op.getInits()));
  for (auto [source, dest] :
       llvm::zip(op->getRegions(), loop->getRegions())) {
    Block &sourceBlock = source.front();
    SmallVector<Type> types =
        laneMajorTypes(sourceBlock.getArgumentTypes(), numLanes());
    SmallVector<Location> locs(types.size(), op.getLoc());
    OpBuilder::InsertionGuard guard(builder);
    Block *destBlock = builder.createBlock(&dest, {}, types, locs);
    mapLaneMajor(sourceBlock.getArguments(), destBlock->getArguments());
    if (failed(cloneRegionBlock(sourceBlock, *destBlock)))
      return failure();
  }
  mapLaneMajor(op.getResults(), loop.getResults());
  return success();
}

/// Replaces `replicate` by its lock-step copies.
static LogicalResult unrollReplicate(ReplicateOp replicate,
                                     unsigned &numCollectives) {
  OpBuilder builder(replicate);
  Location loc = replicate.getLoc();
  int64_t n = replicate.getNumReplicas();
  LockstepCloner cloner(builder, n);
  for (auto [input, argument] :
       llvm::zip(replicate.getInputs(), replicate.getBody().getArguments())) {
    for (int64_t k = 0; k < n; ++k) {
      Value copy = input;
      if (containsDistributedType(input.getType()))
        copy = SelectReplicaOp::create(builder, loc, argument.getType(), input,
                                       Value(), builder.getI64IntegerAttr(k));
      cloner.lane(k).map(argument, copy);
    }
  }
  if (failed(cloner.cloneBlock(replicate.getBody().front())))
    return failure();
  SmallVector<Value> results;
  for (auto [value, result] :
       llvm::zip(replicate.getYield().getValues(), replicate.getResults())) {
    SmallVector<Value> copies = cloner.laneMajor(value);
    results.push_back(RegroupOp::create(builder, loc, result.getType(), copies,
                                        /*mirrored=*/false,
                                        /*always_wrap=*/true));
  }
  replicate.replaceAllUsesWith(results);
  replicate.erase();
  numCollectives += cloner.numCollectives;
  return success();
}

namespace {
struct UnrollPass : replica::impl::ReplicaUnrollPassBase<UnrollPass> {
  using Base::Base;
  void runOnOperation() override;
};
} // namespace

void UnrollPass::runOnOperation() {
  ModuleOp module = getOperation();
  WalkResult structures = module.walk([](Operation *op) {
    auto isStructure = [](Type type) { return isa<TupleType>(type); };
    if (llvm::any_of(op->getOperandTypes(), isStructure) ||
        llvm::any_of(op->getResultTypes(), isStructure)) {
      op->emitOpError("holds a structure; run replica-decompose-structures "
                      "before replica-unroll");
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  if (structures.wasInterrupted())
    return signalPassFailure();

  // One process runs every replica: nothing overlaps, and a collective
  // completes where it starts.
  replaceAsyncByBlockingCollectives(module);

  SmallVector<ReplicateOp> replicates;
  module.walk([&](ReplicateOp op) { replicates.push_back(op); });
  unsigned collectives = 0;
  for (ReplicateOp replicate : replicates) {
    if (failed(unrollReplicate(replicate, collectives)))
      return signalPassFailure();
    ++numReplicateOps;
  }
  numCollectives += collectives;

  MLIRContext *context = &getContext();
  TypeConverter converter;
  ConversionTarget target(*context);
  RewritePatternSet patterns(context);
  populateReplicaLaneConversion(converter, patterns, target);
  target.addLegalOp<AllReduceOp, BatchAllReduceOp, ReduceToOp, BroadcastOp,
                    AllGatherOp>();
  target.addIllegalOp<RegroupOp, UnpackOp, SelectReplicaOp>();
  if (failed(applyPartialConversion(module, target, std::move(patterns))))
    return signalPassFailure();
  eraseIdentityCasts(module);
}
