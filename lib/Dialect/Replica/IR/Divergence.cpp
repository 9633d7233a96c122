//===- Divergence.cpp - collectives under replica-dependent control -------===//
//
// Every replica must reach the same collectives in the same order. A value is
// *divergent* when it may differ between replicas: `replica.replica_id`, the
// body arguments that select a per-replica component, and everything computed
// from them through SSA use-def chains, region and branch arguments, results
// of regions, and buffers written with divergent values. Results of
// all_reduce, batch_all_reduce, broadcast and all_gather are equal on every
// replica and stop the propagation. A region or block whose execution is
// decided by a divergent value is divergent, and no collective may be in it.
//
//===----------------------------------------------------------------------===//

#include "replica/Dialect/Replica/IR/ReplicaOps.h"

#include "mlir/IR/Dominance.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
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
  void propagate(OpOperand &use);
  void propagateThroughRegionTerminator(Operation *terminator, OpOperand &use);
  void propagateIntoRegions(RegionBranchOpInterface op, OpOperand &use);
  void propagateThroughBranch(BranchOpInterface branch, OpOperand &use);
  void markRegionsDivergent(Operation *op, Value cause);
  void markBlocksDivergent(Block *branchBlock, Value cause);
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

void DivergenceAnalysis::seed() {
  for (auto [input, argument] :
       llvm::zip(replicate.getInputs(), replicate.getBody().getArguments())) {
    if (containsDistributedType(input.getType()) &&
        !isa<MirroredType>(input.getType()))
      mark(argument);
  }
  replicate.getBody().walk([&](ReplicaIdOp op) { mark(op.getResult()); });
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
  if (isa<AllReduceOp, BatchAllReduceOp, BroadcastOp, AllGatherOp>(user))
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
  if (!isMemoryEffectFree(user))
    for (Value operand : user->getOperands())
      if (isa<MemRefType, UnrankedMemRefType>(operand.getType()))
        mark(operand);
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
  bool forwarded = false;
  for (RegionSuccessor &successor : successors) {
    OperandRange operands = regionTerminator.getSuccessorOperands(successor);
    if (operands.empty())
      continue;
    unsigned begin = operands.getBeginOperandIndex();
    unsigned number = use.getOperandNumber();
    if (number < begin || number >= begin + operands.size())
      continue;
    forwarded = true;
    ValueRange inputs = successor.getSuccessorInputs();
    if (number - begin < inputs.size())
      mark(inputs[number - begin]);
  }
  // A non-forwarded operand (scf.condition's flag) decides control flow.
  if (!forwarded)
    markRegionsDivergent(parent, use.get());
}

void DivergenceAnalysis::propagateIntoRegions(RegionBranchOpInterface op,
                                              OpOperand &use) {
  SmallVector<RegionSuccessor> successors;
  op.getSuccessorRegions(RegionBranchPoint::parent(), successors);
  bool forwarded = false;
  for (RegionSuccessor &successor : successors) {
    OperandRange operands = op.getEntrySuccessorOperands(successor);
    if (operands.empty())
      continue;
    unsigned begin = operands.getBeginOperandIndex();
    unsigned number = use.getOperandNumber();
    if (number < begin || number >= begin + operands.size())
      continue;
    forwarded = true;
    ValueRange inputs = successor.getSuccessorInputs();
    if (number - begin < inputs.size())
      mark(inputs[number - begin]);
  }
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
    unsigned argument =
        operands.getProducedOperandCount() + (number - begin);
    Block *successor = op->getSuccessor(i);
    if (argument < successor->getNumArguments())
      mark(successor->getArgument(argument));
  }
  if (!forwarded)
    markBlocksDivergent(op->getBlock(), use.get());
}

void DivergenceAnalysis::markRegionsDivergent(Operation *op, Value cause) {
  for (Region &region : op->getRegions())
    divergentRegions.try_emplace(&region, cause);
  for (Value result : op->getResults())
    mark(result);
}

void DivergenceAnalysis::markBlocksDivergent(Block *branchBlock, Value cause) {
  if (!postDominance)
    postDominance = std::make_unique<PostDominanceInfo>(replicate);
  // Blocks reachable from the branch that do not post-dominate it run on
  // some replicas only; values merged after it may differ.
  SmallVector<Block *> stack(branchBlock->getSuccessors());
  llvm::SmallPtrSet<Block *, 8> visited;
  while (!stack.empty()) {
    Block *block = stack.pop_back_val();
    if (!visited.insert(block).second)
      continue;
    for (BlockArgument argument : block->getArguments())
      mark(argument);
    if (!postDominance->postDominates(block, branchBlock))
      divergentBlocks.try_emplace(block, cause);
    llvm::append_range(stack, block->getSuccessors());
  }
}

LogicalResult mlir::replica::verifyNoDivergentCollectives(ReplicateOp op) {
  return DivergenceAnalysis(op).run();
}
