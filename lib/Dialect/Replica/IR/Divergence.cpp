//===- Divergence.cpp - collectives under replica-dependent control -------===//
//
// Every replica must reach the same collectives in the same order. A value is
// *divergent* when it may differ between replicas: `replica.replica_id`, the
// per-replica leaves of the body arguments (each is its replica's
// component), `reduce_to` results (defined on one replica only) and
// everything computed from them through SSA use-def chains, region and
// branch arguments, results of regions, and buffers (with their views)
// written with divergent values or under divergent control. Results of
// all_reduce, batch_all_reduce, broadcast and all_gather are equal on every
// replica and stop the propagation. A region or block whose execution is
// decided by a divergent value is divergent, and no collective may be in it.
//
//===----------------------------------------------------------------------===//

#include "replica/Dialect/Replica/IR/ReplicaOps.h"

#include "mlir/IR/Dominance.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SetVector.h"

using namespace mlir;
using namespace mlir::replica;

namespace {
class DivergenceAnalysis {
public:
  explicit DivergenceAnalysis(ReplicateOp replicate) : replicate(replicate) {}

  /// Propagates divergence to a fixed point, then reports collectives in
  /// divergent code.
  LogicalResult run();

private:
  void seed();
  void seedArgument(Value local, Type operandType);
  void propagate(OpOperand &use);
  void propagateThroughRegionTerminator(Operation *terminator, OpOperand &use);
  void propagateIntoRegions(RegionBranchOpInterface op, OpOperand &use);
  void propagateThroughBranch(BranchOpInterface branch, OpOperand &use);
  void markRegionsDivergent(Operation *op, Value cause);
  void markBlocksDivergent(Block *branchBlock, Value cause);
  void markWrittenBuffers(Operation *op, bool everyWrite);
  void markBuffer(Value buffer);
  /// The divergent value that decides whether `op` runs, if any.
  Value getDivergentCondition(Operation *op);
  void mark(Value value) {
    if (divergent.insert(value))
      worklist.push_back(value);
  }

  ReplicateOp replicate;
  llvm::SetVector<Value> divergent;
  SmallVector<Value> worklist;
  llvm::DenseMap<Region *, Value> divergentRegions;
  llvm::DenseMap<Block *, Value> divergentBlocks;
  std::unique_ptr<PostDominanceInfo> postDominance;
};
} // namespace

/// A body argument is divergent in its per-replica leaves. Tuple arguments
/// are followed through `tuple_get` so that mirrored and local leaves of a
/// mixed structure stay uniform.
void DivergenceAnalysis::seedArgument(Value local, Type operandType) {
  auto tuple = dyn_cast<TupleType>(operandType);
  if (!tuple) {
    if (isa<PerReplicaType>(operandType))
      mark(local);
    return;
  }
  if (!containsDistributedType(operandType))
    return;
  for (Operation *user : local.getUsers()) {
    auto get = dyn_cast<TupleGetOp>(user);
    if (!get) {
      mark(local);
      return;
    }
  }
  for (Operation *user : local.getUsers()) {
    auto get = cast<TupleGetOp>(user);
    seedArgument(get.getResult(), tuple.getType(get.getIndex()));
  }
}

void DivergenceAnalysis::seed() {
  for (auto [input, argument] :
       llvm::zip(replicate.getInputs(), replicate.getBody().getArguments()))
    seedArgument(argument, input.getType());
  replicate.getBody().walk([&](Operation *op) {
    if (isa<ReplicaIdOp, ReduceToOp>(op))
      mark(op->getResult(0));
  });
}

LogicalResult DivergenceAnalysis::run() {
  seed();
  while (!worklist.empty()) {
    Value value = worklist.pop_back_val();
    for (OpOperand &use : value.getUses())
      propagate(use);
  }
  bool ok = true;
  replicate.getBody().walk([&](Operation *op) {
    if (!isCollective(op))
      return;
    Value cause = getDivergentCondition(op);
    if (!cause)
      return;
    InFlightDiagnostic diag =
        op->emitOpError("collective under replica-dependent control flow; "
                        "every replica must reach the same collectives");
    diag.attachNote(cause.getLoc()) << "condition depends on replica_id here";
    ok = false;
  });
  return success(ok);
}

Value DivergenceAnalysis::getDivergentCondition(Operation *op) {
  for (Operation *ancestor = op; ancestor != replicate.getOperation();
       ancestor = ancestor->getParentOp()) {
    if (Value cause = divergentBlocks.lookup(ancestor->getBlock()))
      return cause;
    if (Value cause = divergentRegions.lookup(ancestor->getParentRegion()))
      return cause;
  }
  return {};
}

void DivergenceAnalysis::propagate(OpOperand &use) {
  Operation *user = use.getOwner();
  // Only what happens inside the body matters; captured values are also
  // used outside it and by the replicate op itself.
  if (!replicate->isProperAncestor(user))
    return;
  if (isa<AllReduceOp, BatchAllReduceOp, AllReduceStartOp, BroadcastOp,
          AllGatherOp>(user))
    return;
  if (user == replicate.getYield().getOperation())
    return;
  if (user->hasTrait<OpTrait::IsTerminator>() &&
      !isa<BranchOpInterface>(user)) {
    propagateThroughRegionTerminator(user, use);
    return;
  }
  if (auto branch = dyn_cast<BranchOpInterface>(user)) {
    propagateThroughBranch(branch, use);
    return;
  }
  if (auto regionOp = dyn_cast<RegionBranchOpInterface>(user))
    propagateIntoRegions(regionOp, use);
  else if (user->getNumRegions() != 0)
    markRegionsDivergent(user, use.get());
  for (Value result : user->getResults())
    mark(result);
  // A buffer written with a divergent value holds divergent data.
  markWrittenBuffers(user, /*everyWrite=*/false);
}

/// Marks the buffers `op` writes: with `everyWrite` (the op runs under
/// divergent control) all of them, otherwise those written with data from
/// a divergent operand, which is any write of an op with one.
void DivergenceAnalysis::markWrittenBuffers(Operation *op, bool everyWrite) {
  if (!everyWrite &&
      llvm::none_of(op->getOperands(),
                    [&](Value operand) { return divergent.contains(operand); }))
    return;
  auto effects = dyn_cast<MemoryEffectOpInterface>(op);
  if (!effects) {
    if (op->hasTrait<OpTrait::HasRecursiveMemoryEffects>())
      return;
    // Unknown effects: any buffer operand may be written.
    for (Value operand : op->getOperands())
      if (isa<BaseMemRefType>(operand.getType()))
        markBuffer(operand);
    return;
  }
  SmallVector<MemoryEffects::EffectInstance> instances;
  effects.getEffects(instances);
  for (MemoryEffects::EffectInstance &instance : instances)
    if (isa<MemoryEffects::Write>(instance.getEffect()))
      if (Value buffer = instance.getValue())
        markBuffer(buffer);
}

/// Marks `buffer` and every view related to it (through view-like ops in
/// either direction), since they alias.
void DivergenceAnalysis::markBuffer(Value buffer) {
  while (auto view = buffer.getDefiningOp<ViewLikeOpInterface>())
    buffer = view.getViewSource();
  SmallVector<Value> stack{buffer};
  while (!stack.empty()) {
    Value value = stack.pop_back_val();
    mark(value);
    for (Operation *user : value.getUsers())
      if (auto view = dyn_cast<ViewLikeOpInterface>(user))
        if (view.getViewSource() == value)
          for (Value result : user->getResults())
            if (!divergent.contains(result))
              stack.push_back(result);
  }
}

/// Marks the successor inputs that `use` is forwarded to; returns false when
/// it is forwarded nowhere, i.e. it is a control operand.
static bool markForwardedInputs(
    ArrayRef<RegionSuccessor> successors,
    function_ref<OperandRange(RegionSuccessor)> getForwarded, OpOperand &use,
    function_ref<void(Value)> mark) {
  bool forwarded = false;
  unsigned number = use.getOperandNumber();
  for (const RegionSuccessor &successor : successors) {
    OperandRange operands = getForwarded(successor);
    if (operands.empty())
      continue;
    unsigned begin = operands.getBeginOperandIndex();
    if (number < begin || number >= begin + operands.size())
      continue;
    forwarded = true;
    ValueRange inputs = successor.getSuccessorInputs();
    if (number - begin < inputs.size())
      mark(inputs[number - begin]);
  }
  return forwarded;
}

void DivergenceAnalysis::propagateThroughRegionTerminator(Operation *terminator,
                                                          OpOperand &use) {
  Operation *parent = terminator->getParentOp();
  auto regionTerminator = dyn_cast<RegionBranchTerminatorOpInterface>(terminator);
  if (!regionTerminator || !isa<RegionBranchOpInterface>(parent)) {
    for (Value result : parent->getResults())
      mark(result);
    return;
  }
  SmallVector<Attribute> constants(terminator->getNumOperands());
  SmallVector<RegionSuccessor> successors;
  regionTerminator.getSuccessorRegions(constants, successors);
  bool forwarded = markForwardedInputs(
      successors,
      [&](RegionSuccessor successor) {
        return regionTerminator.getSuccessorOperands(successor);
      },
      use, [&](Value value) { mark(value); });
  // A non-forwarded operand (scf.condition's flag) decides control flow.
  if (!forwarded)
    markRegionsDivergent(parent, use.get());
}

void DivergenceAnalysis::propagateIntoRegions(RegionBranchOpInterface op,
                                              OpOperand &use) {
  SmallVector<RegionSuccessor> successors;
  op.getSuccessorRegions(RegionBranchPoint::parent(), successors);
  bool forwarded = markForwardedInputs(
      successors,
      [&](RegionSuccessor successor) {
        return op.getEntrySuccessorOperands(successor);
      },
      use, [&](Value value) { mark(value); });
  // scf.if's condition, scf.for's bounds: operands that decide control flow.
  if (!forwarded)
    markRegionsDivergent(op, use.get());
}

void DivergenceAnalysis::propagateThroughBranch(BranchOpInterface branch,
                                                OpOperand &use) {
  Operation *op = branch.getOperation();
  bool forwarded = false;
  for (unsigned i = 0, e = op->getNumSuccessors(); i < e; ++i) {
    SuccessorOperands operands = branch.getSuccessorOperands(i);
    OperandRange forwardedRange = operands.getForwardedOperands();
    if (forwardedRange.empty())
      continue;
    unsigned begin = forwardedRange.getBeginOperandIndex();
    unsigned number = use.getOperandNumber();
    if (number < begin || number >= begin + forwardedRange.size())
      continue;
    forwarded = true;
    unsigned argument = operands.getProducedOperandCount() + (number - begin);
    Block *successor = op->getSuccessor(i);
    if (argument < successor->getNumArguments())
      mark(successor->getArgument(argument));
  }
  if (!forwarded)
    markBlocksDivergent(op->getBlock(), use.get());
}

void DivergenceAnalysis::markRegionsDivergent(Operation *op, Value cause) {
  for (Region &region : op->getRegions()) {
    if (!divergentRegions.try_emplace(&region, cause).second)
      continue;
    region.walk([&](Operation *nested) {
      markWrittenBuffers(nested, /*everyWrite=*/true);
    });
  }
  for (Value result : op->getResults())
    mark(result);
}

void DivergenceAnalysis::markBlocksDivergent(Block *branchBlock, Value cause) {
  if (!postDominance)
    postDominance = std::make_unique<PostDominanceInfo>(replicate);
  // Blocks that can reach the branch again are in a loop it controls.
  llvm::SmallPtrSet<Block *, 8> loopBlocks;
  SmallVector<Block *> stack(branchBlock->getPredecessors().begin(),
                             branchBlock->getPredecessors().end());
  while (!stack.empty()) {
    Block *block = stack.pop_back_val();
    if (loopBlocks.insert(block).second)
      llvm::append_range(stack, block->getPredecessors());
  }
  // Blocks reachable from the branch that do not post-dominate it, or that
  // loop back to it, run on some replicas only or a replica-dependent number
  // of times; values merged after it may differ.
  llvm::append_range(stack, branchBlock->getSuccessors());
  llvm::SmallPtrSet<Block *, 8> visited;
  while (!stack.empty()) {
    Block *block = stack.pop_back_val();
    if (!visited.insert(block).second)
      continue;
    for (BlockArgument argument : block->getArguments())
      mark(argument);
    if (loopBlocks.contains(block) ||
        !postDominance->postDominates(block, branchBlock)) {
      if (divergentBlocks.try_emplace(block, cause).second)
        for (Operation &op : *block)
          op.walk([&](Operation *nested) {
            markWrittenBuffers(nested, /*everyWrite=*/true);
          });
    }
    llvm::append_range(stack, block->getSuccessors());
  }
}

LogicalResult mlir::replica::verifyNoDivergentCollectives(ReplicateOp op) {
  return DivergenceAnalysis(op).run();
}
