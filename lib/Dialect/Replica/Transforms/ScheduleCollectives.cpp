//===- ScheduleCollectives.cpp - overlap all-reduces with computation -----===//

#include "replica/Dialect/Replica/Transforms/Passes.h"

#include "replica/Dialect/Replica/IR/ReplicaOps.h"
#include "replica/Dialect/Replica/Transforms/CostTable.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/ToolOutputFile.h"

#include <deque>

namespace mlir::replica {
#define GEN_PASS_DEF_REPLICASCHEDULECOLLECTIVESPASS
#include "replica/Dialect/Replica/Transforms/Passes.h.inc"
} // namespace mlir::replica

using namespace mlir;
using namespace mlir::replica;

/// The ops that move with the collective they feed or read: those that lay
/// a pack out or take it apart, and casts and reshapes, which compute
/// nothing (left in place, a cast of the result right after an all-reduce
/// would leave it nothing to overlap).
static bool movesWithCollective(Operation *op) {
  return isa<PackOp, SplitPackOp, UnpackOp, tensor::CastOp,
             tensor::ExpandShapeOp, tensor::CollapseShapeOp>(op);
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

/// Whether `op` is a start, or an op moving with a start that only it
/// feeds (through a chain of such ops): what an earlier collective hoisted.
static bool isHoistedStart(Operation *op) {
  if (isa<AllReduceStartOp>(op))
    return true;
  return movesWithCollective(op) && op->hasOneUse() &&
         isHoistedStart(*op->user_begin());
}

/// Whether a collective may not move across an op.
using BarrierFn = function_ref<bool(Operation &)>;

/// Moves `op` right after the last producer of its operands, the ops that
/// move with it and feed only it first, but not above a barrier. Starts hoisted
/// there before stay first, so starts keep their program order.
static void hoist(Block &block, Operation *op, BarrierFn isBarrier) {
  for (Value operand : op->getOperands())
    if (Operation *producer = getProducerIn(block, operand);
        producer && movesWithCollective(producer) && producer->hasOneUse())
      hoist(block, producer, isBarrier);
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

/// Moves `op` right before the first use of its results, the ops that move
/// with it and read only it first, but not below a barrier.
static void sink(Block &block, Operation *op, BarrierFn isBarrier) {
  for (Operation *user : llvm::make_early_inc_range(op->getUsers()))
    if (user->getBlock() == &block && movesWithCollective(user) &&
        llvm::all_of(user->getOperands(), [&](Value operand) {
          return operand.getDefiningOp() == op;
        }))
      sink(block, user, isBarrier);
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
  /// Whether a collective may not move across `op`: an op with side effects
  /// (a print, a store, a loop that may not end, a call of a function with
  /// any) other than the starts and dones whose order is the schedule.
  bool isBarrier(Operation &op);
  /// Whether nothing in `function`'s body has side effects.
  bool isFreeOfSideEffects(FunctionOpInterface function);
  /// The arithmetic of `op`, the ops it holds and the functions it calls,
  /// as the model counts it: a linalg op's iterations times the ops of its
  /// body, an elementwise op's result elements; nothing for what has
  /// dynamic sizes.
  double getWork(Operation *op);
  /// Completes the oldest collective in flight where a start would exceed
  /// max-in-flight.
  void bound(Block &block);

  /// The modelled timeline of `block`, null where it has no all-reduce.
  std::optional<llvm::json::Object> model(Block &block);
  /// Adds the timelines to the report file.
  LogicalResult writeReport(llvm::json::Array timelines);

  /// `cost-table` as (bytes, microseconds), by size.
  SmallVector<CostTableEntry> measured;
  /// isFreeOfSideEffects, by function.
  DenseMap<Operation *, bool> freeFunctions;
  /// isBarrier, by op (collectives, which the pass creates and erases,
  /// apart).
  DenseMap<Operation *, bool> barriers;
  /// getWork, by function.
  DenseMap<Operation *, double> functionWork;
};
} // namespace

bool ScheduleCollectivesPass::isBarrier(Operation &op) {
  if (isa<AllReduceStartOp, AllReduceDoneOp>(op) || isCollective(&op))
    return false;
  // Each collective scans the ops it moves across: an op's effects (a
  // loop's, through its body; a call's, through the callee) are looked up
  // once.
  auto [known, inserted] = barriers.try_emplace(&op, true);
  if (!inserted)
    return known->second;
  bool barrier = !isMemoryEffectFree(&op);
  // The importer outlines a step into calls of tensor functions: moving
  // across them is what overlaps the all-reduce of one part's gradients
  // with the backward pass of the next.
  if (auto call = dyn_cast<CallOpInterface>(op); barrier && call)
    if (auto callee =
            dyn_cast_or_null<FunctionOpInterface>(call.resolveCallable()))
      barrier = !isFreeOfSideEffects(callee);
  barriers[&op] = barrier;
  return barrier;
}

bool ScheduleCollectivesPass::isFreeOfSideEffects(
    FunctionOpInterface function) {
  auto [known, inserted] = freeFunctions.try_emplace(function, false);
  if (!inserted || function.isExternal())
    return !inserted && known->second;
  // Recursion stays conservative: the entry says false until the body is
  // checked.
  bool free = llvm::none_of(function.getFunctionBody().getOps(),
                            [&](Operation &op) { return isBarrier(op); });
  freeFunctions[function] = free;
  return free;
}

double ScheduleCollectivesPass::getWork(Operation *op) {
  double work = 0;
  op->walk<WalkOrder::PreOrder>([&](Operation *nested) {
    if (auto linalgOp = dyn_cast<linalg::LinalgOp>(nested)) {
      double iterations = 1;
      for (int64_t range : linalgOp.getStaticLoopRanges())
        iterations *= ShapedType::isDynamic(range) ? 0 : range;
      double bodyOps = 1;
      if (Block *body = linalgOp.getBlock())
        bodyOps = std::max<double>(1, body->getOperations().size() - 1);
      work += iterations * bodyOps;
      return WalkResult::skip();
    }
    if (auto call = dyn_cast<CallOpInterface>(nested)) {
      auto callee =
          dyn_cast_or_null<FunctionOpInterface>(call.resolveCallable());
      if (callee && !callee.isExternal()) {
        // Recursion counts the callee's body once.
        if (functionWork.try_emplace(callee, 0.0).second)
          functionWork[callee] = getWork(callee);
        work += functionWork.lookup(callee);
      }
      return WalkResult::advance();
    }
    if (nested->hasTrait<OpTrait::Elementwise>())
      for (Type type : nested->getResultTypes())
        if (auto shaped = dyn_cast<RankedTensorType>(type);
            shaped && shaped.hasStaticShape())
          work += shaped.getNumElements();
    return WalkResult::advance();
  });
  return work;
}

/// The bytes an all-reduce of `values` moves.
static int64_t getBytes(ValueRange values) {
  int64_t bytes = 0;
  for (Type type : values.getTypes()) {
    Type local = getLocalType(type);
    auto shaped = dyn_cast<ShapedType>(local);
    Type element = shaped ? shaped.getElementType() : local;
    int64_t count = shaped && shaped.hasStaticShape() ? shaped.getNumElements()
                                                       : 1;
    bytes += count * llvm::divideCeil(element.getIntOrFloatBitWidth(), 8);
  }
  return bytes;
}

/// The number of replicas an all-reduce at `op` reduces over.
static int64_t getNumReplicas(Operation *op, ValueRange inputs) {
  if (auto distributed = dyn_cast<DistributedType>(inputs.front().getType()))
    return distributed.getNumReplicas();
  return getInReplicaContext(op).value_or(1);
}

static std::string formatLocation(Location loc) {
  std::string text;
  llvm::raw_string_ostream os(text);
  loc.print(os);
  return text;
}

std::optional<llvm::json::Object> ScheduleCollectivesPass::model(Block &block) {
  /// One all-reduce on the timeline.
  struct Entry {
    Operation *op;
    int64_t bytes;
    double commUs, startUs, endUs, exposedUs = 0;
    bool async;
  };
  SmallVector<Entry> entries;
  DenseMap<Operation *, size_t> byStart;
  double now = 0, channelFree = 0, computeUs = 0;
  auto issue = [&](Operation *op, ValueRange inputs, bool async) -> Entry & {
    int64_t bytes = getBytes(inputs);
    double comm = getModelledAllReduceMicros(measured, latencyUs, bandwidthGbps,
                                             bytes,
                                             getNumReplicas(op, inputs));
    double start = std::max(now, channelFree);
    channelFree = start + comm;
    entries.push_back({op, bytes, comm, start, channelFree, 0, async});
    return entries.back();
  };
  auto complete = [&](Entry &entry) {
    entry.exposedUs = std::max(0.0, entry.endUs - now);
    now = std::max(now, entry.endUs);
  };
  for (Operation &op : block) {
    if (auto start = dyn_cast<AllReduceStartOp>(op)) {
      issue(start, start.getInputs(), /*async=*/true);
      byStart[start] = entries.size() - 1;
    } else if (auto done = dyn_cast<AllReduceDoneOp>(op)) {
      complete(entries[byStart.lookup(done.getStart())]);
    } else if (isa<AllReduceOp, BatchAllReduceOp>(op)) {
      complete(issue(&op, op.getOperands(), /*async=*/false));
    } else {
      double us = getWork(&op) / (computeGflops * 1e3);
      computeUs += us;
      now += us;
    }
  }
  if (entries.empty())
    return std::nullopt;
  llvm::json::Array collectives;
  double commUs = 0, exposedUs = 0;
  for (const Entry &entry : entries) {
    commUs += entry.commUs;
    exposedUs += entry.exposedUs;
    collectives.push_back(llvm::json::Object{
        {"loc", formatLocation(entry.op->getLoc())},
        {"kind", stringifyReductionKind(
                     entry.op->getAttrOfType<ReductionKindAttr>("kind")
                         .getValue())},
        {"async", entry.async},
        {"bytes", entry.bytes},
        {"comm_us", entry.commUs},
        {"start_us", entry.startUs},
        {"end_us", entry.endUs},
        {"exposed_us", entry.exposedUs},
        {"exposed_blocking_us", entry.commUs}});
  }
  auto function = block.getParentOp()->getParentOfType<FunctionOpInterface>();
  if (auto self = dyn_cast<FunctionOpInterface>(block.getParentOp()))
    function = self;
  return llvm::json::Object{
      {"function", function ? function.getName().str() : std::string()},
      {"loc", formatLocation(block.getParentOp()->getLoc())},
      {"compute_us", computeUs},
      {"comm_us", commUs},
      {"exposed_us", exposedUs},
      {"exposed_blocking_us", commUs},
      {"step_us", now},
      {"step_blocking_us", computeUs + commUs},
      {"collectives", std::move(collectives)}};
}

LogicalResult
ScheduleCollectivesPass::writeReport(llvm::json::Array timelines) {
  // The fusion report of the same pipeline gains the timeline; another
  // file's content is replaced.
  llvm::json::Object document;
  if (auto existing = llvm::MemoryBuffer::getFile(report)) {
    llvm::Expected<llvm::json::Value> parsed =
        llvm::json::parse((*existing)->getBuffer());
    if (!parsed)
      llvm::consumeError(parsed.takeError());
    else if (llvm::json::Object *object = parsed->getAsObject();
             object && object->getString("pass") == "replica-fuse-reductions")
      document = std::move(*object);
  }
  if (document.empty())
    document["pass"] = getArgument();
  document["timeline"] = std::move(timelines);
  std::string error;
  auto file = openOutputFile(report, &error);
  if (!file)
    return getOperation()->emitError("cannot write the schedule report: ")
           << error;
  file->os() << llvm::formatv("{0:2}", llvm::json::Value(std::move(document)))
             << "\n";
  file->keep();
  return success();
}

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
    auto isBarrier = [&](Operation &other) { return this->isBarrier(other); };
    hoist(block, start, isBarrier);
    sink(block, done, isBarrier);
    if (llvm::all_of(llvm::make_range(std::next(start->getIterator()),
                                       done->getIterator()),
                     isFree)) {
      // Nothing to overlap: the blocking form, where the start was.
      replaceByBlockingCollective(start);
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
  StringRef badEntry;
  FailureOr<SmallVector<CostTableEntry>> entries =
      parseCostTable(costTable, badEntry);
  if (failed(entries)) {
    emitError(getOperation()->getLoc())
        << "invalid cost-table entry '" << badEntry
        << "': expected increasing bytes:microseconds pairs, both positive";
    return signalPassFailure();
  }
  measured = std::move(*entries);
  if (computeGflops <= 0) {
    emitError(getOperation()->getLoc())
        << "compute-gflops must be positive, got " << computeGflops;
    return signalPassFailure();
  }

  SmallVector<Block *> blocks;
  getOperation()->walk([&](Block *block) { blocks.push_back(block); });
  llvm::json::Array timelines;
  for (Block *block : blocks) {
    schedule(*block);
    bound(*block);
    if (!report.empty())
      if (std::optional<llvm::json::Object> timeline = model(*block))
        timelines.push_back(std::move(*timeline));
  }
  if (!report.empty() && failed(writeReport(std::move(timelines))))
    signalPassFailure();
}
