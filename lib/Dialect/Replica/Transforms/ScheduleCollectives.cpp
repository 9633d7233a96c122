//===- ScheduleCollectives.cpp - overlap all-reduces with computation -----===//

#include "replica/Dialect/Replica/Transforms/Passes.h"

#include "replica/Dialect/Replica/IR/ReplicaOps.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include <deque>

namespace mlir::replica {
#define GEN_PASS_DEF_REPLICASCHEDULECOLLECTIVESPASS
#include "replica/Dialect/Replica/Transforms/Passes.h.inc"
} // namespace mlir::replica

using namespace mlir;
using namespace mlir::replica;

/// The ops that lay a pack out or take it apart: they move with the
/// collective they feed or read.
static bool isPackLayout(Operation *op) {
  return isa<PackOp, SplitPackOp, UnpackOp>(op);
}

/// The op of `block` whose result `value` is, or null where `value` is a
/// block argument or defined outside `block`.
static Operation *getProducerIn(Block &block, Value value) {
  Operation *definition = value.getDefiningOp();
  return definition && definition->getBlock() == &block ? definition : nullptr;
}

/// The last producer in `block` of `op`'s operands; null when they are all
/// available at the start of the block.
static Operation *getLastProducer(Block &block, Operation *op) {
  Operation *last = nullptr;
  for (Value operand : op->getOperands())
    if (Operation *producer = getProducerIn(block, operand))
      if (!last || last->isBeforeInBlock(producer))
        last = producer;
  return last;
}

/// The first op of `block` that uses (or holds a use of) a result of `op`;
/// null when none does.
static Operation *getFirstUser(Block &block, Operation *op) {
  Operation *first = nullptr;
  for (Operation *user : op->getUsers())
    if (Operation *ancestor = block.findAncestorOpInBlock(*user))
      if (!first || ancestor->isBeforeInBlock(first))
        first = ancestor;
  return first;
}

/// Whether `op` is a start, or a pack that only a start reads: what an
/// earlier collective hoisted.
static bool isHoistedStart(Operation *op) {
  if (isa<AllReduceStartOp>(op))
    return true;
  return isa<PackOp>(op) && op->hasOneUse() &&
         isa<AllReduceStartOp>(*op->user_begin());
}

/// Whether a collective may not move across `op`: an op with side effects
/// (a print, a store, a call, a loop that may not end) other than the
/// starts and dones whose order is the schedule.
static bool isBarrier(Operation &op) {
  return !isa<AllReduceStartOp, AllReduceDoneOp>(op) &&
         !isMemoryEffectFree(&op);
}

/// Moves `op` right after the last producer of its operands, pack layout
/// ops feeding only it first, but not above a barrier. Starts hoisted there
/// before stay first, so starts keep their program order.
static void hoist(Block &block, Operation *op) {
  for (Value operand : op->getOperands())
    if (Operation *producer = getProducerIn(block, operand);
        producer && isPackLayout(producer) && producer->hasOneUse())
      hoist(block, producer);
  Operation *last = getLastProducer(block, op);
  for (Operation *before = op->getPrevNode(); before != last;
       before = before->getPrevNode())
    if (isBarrier(*before)) {
      last = before;
      break;
    }
  Operation *next = last ? last->getNextNode() : &block.front();
  while (next != op && isHoistedStart(next))
    next = next->getNextNode();
  if (next != op)
    op->moveBefore(next);
}

/// Moves `op` right before the first use of its results, pack layout ops
/// reading only it first, but not below a barrier.
static void sink(Block &block, Operation *op) {
  for (Operation *user : llvm::make_early_inc_range(op->getUsers()))
    if (user->getBlock() == &block && isPackLayout(user) &&
        llvm::all_of(user->getOperands(),
                     [&](Value operand) { return operand.getDefiningOp() == op; }))
      sink(block, user);
  Operation *first = getFirstUser(block, op);
  if (!first)
    first = block.getTerminator();
  for (Operation *after = op->getNextNode(); after != first;
       after = after->getNextNode())
    if (isBarrier(*after)) {
      first = after;
      break;
    }
  op->moveBefore(first);
}

/// Whether `op` only names a value (a constant, an empty tensor): nothing to
/// overlap communication with.
static bool isFree(Operation &op) {
  return op.hasTrait<OpTrait::ConstantLike>() || isa<tensor::EmptyOp>(op);
}

namespace {
struct ScheduleCollectivesPass
    : replica::impl::ReplicaScheduleCollectivesPassBase<
          ScheduleCollectivesPass> {
  using Base::Base;
  void runOnOperation() override;

  /// Splits the all-reduces of `block` into starts and dones.
  void schedule(Block &block);
  /// Completes the oldest collective in flight where a start would exceed
  /// max-in-flight.
  void bound(Block &block);
};
} // namespace

void ScheduleCollectivesPass::schedule(Block &block) {
  SmallVector<Operation *> collectives;
  for (Operation &op : block)
    if (isa<AllReduceOp, BatchAllReduceOp>(op))
      collectives.push_back(&op);
  for (Operation *op : collectives) {
    // Nothing uses a dead collective's results; canonicalization drops it.
    if (op->use_empty() || !block.mightHaveTerminator())
      continue;
    auto kind = op->getAttrOfType<ReductionKindAttr>("kind");
    OpBuilder builder(op);
    auto start = AllReduceStartOp::create(builder, op->getLoc(), kind,
                                          op->getOperands());
    auto done = AllReduceDoneOp::create(builder, op->getLoc(), start);
    op->replaceAllUsesWith(done.getResults());
    op->erase();
    hoist(block, start);
    sink(block, done);
    if (llvm::all_of(llvm::make_range(std::next(start->getIterator()),
                                       done->getIterator()),
                     isFree)) {
      // Nothing to overlap: the blocking form, where the start was.
      builder.setInsertionPoint(start);
      SmallVector<Value> results;
      if (start.getInputs().size() == 1)
        results.push_back(AllReduceOp::create(builder, start.getLoc(), kind,
                                              start.getInputs().front()));
      else
        llvm::append_range(results,
                           BatchAllReduceOp::create(builder, start.getLoc(),
                                                    kind, start.getInputs())
                               .getResults());
      done.replaceAllUsesWith(results);
      done.erase();
      start.erase();
      ++numBlocking;
      continue;
    }
    ++numStarted;
  }
}

void ScheduleCollectivesPass::bound(Block &block) {
  if (maxInFlight <= 0)
    return;
  std::deque<AllReduceStartOp> inFlight;
  for (Operation &op : llvm::make_early_inc_range(block)) {
    if (auto done = dyn_cast<AllReduceDoneOp>(op)) {
      llvm::erase(inFlight, done.getStart());
      continue;
    }
    auto start = dyn_cast<AllReduceStartOp>(op);
    if (!start)
      continue;
    if (static_cast<int64_t>(inFlight.size()) == maxInFlight) {
      inFlight.front().getDone()->moveBefore(start);
      inFlight.pop_front();
      ++numBounded;
    }
    inFlight.push_back(start);
  }
}

void ScheduleCollectivesPass::runOnOperation() {
  SmallVector<Block *> blocks;
  getOperation()->walk([&](Block *block) { blocks.push_back(block); });
  for (Block *block : blocks) {
    schedule(*block);
    bound(*block);
  }
}
