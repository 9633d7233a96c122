//===- FuseReductions.cpp - pack reductions into few all-reduces ----------===//
//
// One decision per block: candidates are grouped by key and packed greedily
// in the chosen order, in one walk. A pack is legal when every member's
// result is first used after the last member (so it can be computed at the
// last member's place; this also excludes members depending on each other)
// and no op with side effects lies between its members.
//
//===----------------------------------------------------------------------===//

#include "replica/Dialect/Replica/Transforms/Passes.h"

#include "replica/Dialect/Replica/IR/ReplicaOps.h"
#include "replica/Dialect/Replica/Transforms/CostTable.h"

#include "mlir/Dialect/Shard/IR/ShardOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Remarks.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/ToolOutputFile.h"

#include <limits>

namespace mlir::replica {
#define GEN_PASS_DEF_REPLICAFUSEREDUCTIONSPASS
#include "replica/Dialect/Replica/Transforms/Passes.h.inc"
} // namespace mlir::replica

#define DEBUG_TYPE "replica-fuse-reductions"

using namespace mlir;
using namespace mlir::replica;

namespace {
/// What a pack shares: reduction kind, element type, replica group. For
/// upstream `shard.all_reduce`, `shard` holds its grid, grid axes and
/// reduction, and `kind` is unused.
struct PackKey {
  ReductionKind kind;
  Type element;
  int64_t numReplicas;
  bool crossReplica;
  ArrayAttr shard;
  bool operator==(const PackKey &other) const {
    return kind == other.kind && element == other.element &&
           numReplicas == other.numReplicas &&
           crossReplica == other.crossReplica && shard == other.shard;
  }
};

/// One reduced value: an all_reduce, or one operand of a batch_all_reduce.
struct Candidate {
  Operation *op;
  unsigned operand;
  PackKey key;
  /// The local type of the reduced value and its size.
  Type localType;
  int64_t numElements;
  int64_t bytes;
  unsigned position;
  unsigned firstUse;
  unsigned segment;
  /// Why the pack this candidate opened could not take it.
  std::string openReason;

  Value input() const { return op->getOperand(operand); }
  Value result() const { return op->getResult(operand); }
};

struct Pack {
  PackKey key;
  SmallVector<Candidate *> members;
  int64_t paddedBytes = 0;
  unsigned firstPosition = std::numeric_limits<unsigned>::max();
  unsigned lastPosition = 0;
  unsigned firstUse = std::numeric_limits<unsigned>::max();
  unsigned segment = 0;
  /// Element offsets of the members, and the padded size.
  SmallVector<int64_t> offsets;
  int64_t size = 0;
  /// The packs launched together share a group number (-1: unfused).
  int64_t group = -1;
};
} // namespace

template <> struct llvm::DenseMapInfo<PackKey> {
  static PackKey getEmptyKey() {
    return {ReductionKind::Sum, llvm::DenseMapInfo<mlir::Type>::getEmptyKey(),
            0, false, ArrayAttr()};
  }
  static PackKey getTombstoneKey() {
    return {ReductionKind::Sum,
            llvm::DenseMapInfo<mlir::Type>::getTombstoneKey(), 0, false,
            ArrayAttr()};
  }
  static unsigned getHashValue(const PackKey &key) {
    return llvm::hash_combine(static_cast<int>(key.kind), key.element,
                              key.numReplicas, key.crossReplica, key.shard);
  }
  static bool isEqual(const PackKey &lhs, const PackKey &rhs) {
    return lhs == rhs;
  }
};

static int64_t getElementBytes(Type element) {
  return llvm::divideCeil(element.getIntOrFloatBitWidth(), 8);
}

/// The type a pack takes a value of `type` as: a tensor as it is, a scalar
/// as a tensor<1xT>.
static RankedTensorType getMemberType(Type type) {
  if (auto tensor = dyn_cast<RankedTensorType>(type))
    return tensor;
  return RankedTensorType::get({1}, type);
}

/// Where a reduced value can be computed straight into its pack slice: the
/// `tensor.empty` init of the destination-style op at the root of the chain
/// of destination-style ops in `block` that computes `value`
/// (say fill then matmul). Null if there is none.
static OpOperand *getEmptyInit(Value value, Block *block) {
  auto result = dyn_cast<OpResult>(value);
  while (result) {
    Operation *producer = result.getOwner();
    auto dps = dyn_cast<DestinationStyleOpInterface>(producer);
    if (!dps || producer->getBlock() != block)
      return nullptr;
    OpOperand *init = dps.getTiedOpOperand(result);
    if (init->get().getDefiningOp<tensor::EmptyOp>())
      return init;
    result = dyn_cast<OpResult>(init->get());
    if (result && !result.hasOneUse())
      return nullptr;
  }
  return nullptr;
}

namespace {
class FuseReductionsPass
    : public replica::impl::ReplicaFuseReductionsPassBase<FuseReductionsPass> {
public:
  using Base::Base;
  void runOnOperation() override;

private:
  void fuseBlock(Block &block);
  SmallVector<Candidate> collectCandidates(Block &block);
  std::vector<Pack> formPacks(MutableArrayRef<Candidate> candidates);
  /// Bytes a pack may hold: the option, or the cost model's choice.
  int64_t getPackLimit(const PackKey &key) const;
  double getModelledMicros(int64_t bytes, int64_t numReplicas) const;
  int64_t getAlignmentElements(Type element) const {
    return std::max<int64_t>(1, alignment / getElementBytes(element));
  }
  void layOutPack(Pack &pack);
  void rewriteGroup(ArrayRef<Pack *> group,
                    DenseMap<Operation *, SmallVector<bool>> &fused);
  Value packMembers(OpBuilder &builder, Location loc, const Pack &pack,
                    ArrayRef<Value> values);
  void prepareInPlace(const Pack &pack, Block &block);
  void remarkUnfused(const Candidate &candidate, StringRef reason);
  void recordPack(const Pack &pack, ArrayRef<int64_t> offsets);

  LogicalResult parseCostTable();

  /// `cost-table` as (bytes, microseconds), by size.
  SmallVector<CostTableEntry> measured;
  std::vector<llvm::json::Value> reportedPacks;
  /// The report's summary (Debian's LLVM compiles statistics out).
  int64_t reportedCandidates = 0;
  int64_t reportedFused = 0;
  int64_t reportedCopiesAvoided = 0;
  int64_t reportedGroups = 0;
  /// Members computed straight into their pack slice.
  DenseSet<const Candidate *> inPlace;
};
} // namespace

LogicalResult FuseReductionsPass::parseCostTable() {
  StringRef badEntry;
  FailureOr<SmallVector<CostTableEntry>> entries =
      replica::parseCostTable(costTable, badEntry);
  if (failed(entries))
    return emitError(getOperation()->getLoc())
           << "invalid cost-table entry '" << badEntry
           << "': expected increasing bytes:microseconds pairs, both "
              "positive";
  measured = std::move(*entries);
  return success();
}

int64_t FuseReductionsPass::getPackLimit(const PackKey &key) const {
  if (bytesPerPack >= 0)
    return bytesPerPack == 0 ? std::numeric_limits<int64_t>::max()
                             : bytesPerPack;
  int64_t n = key.numReplicas;
  if (n <= 1)
    return std::numeric_limits<int64_t>::max();
  if (!measured.empty()) {
    // Splitting T bytes into packs of B costs about T/B * t(B): the best
    // sizes have the least time per byte. The smallest within 10% of the
    // best leaves the most packs (to start early) for nearly the same time.
    double best = std::numeric_limits<double>::max();
    for (auto [bytes, micros] : measured)
      best = std::min(best, micros / bytes);
    for (auto [bytes, micros] : measured)
      if (micros / bytes <= 1.1 * best)
        return bytes;
  }
  // t(B) = alpha + c * B / beta: grow packs until alpha is 5% of t(B).
  if (latencyUs <= 0 || bandwidthGbps <= 0)
    return std::numeric_limits<int64_t>::max();
  double c = 2.0 * (n - 1) / n;
  double alpha = latencyUs * 1e-6, beta = bandwidthGbps * 1e9;
  return static_cast<int64_t>(19.0 * alpha * beta / c);
}

double FuseReductionsPass::getModelledMicros(int64_t bytes,
                                             int64_t numReplicas) const {
  return getModelledAllReduceMicros(measured, latencyUs, bandwidthGbps, bytes,
                                    numReplicas);
}

void FuseReductionsPass::remarkUnfused(const Candidate &candidate,
                                       StringRef reason) {
  remark::missed(candidate.op->getLoc(),
                 remark::RemarkOpts::name("unfused").category(getArgument()))
      << remark::reason("{0}", reason.str());
}

SmallVector<Candidate> FuseReductionsPass::collectCandidates(Block &block) {
  SmallVector<Candidate> candidates;
  DenseMap<Operation *, unsigned> positions;
  unsigned segment = 0;
  unsigned position = 0;
  for (Operation &op : block) {
    positions[&op] = position++;
    auto addCandidate = [&](ReductionKind kind, unsigned operand,
                            ArrayAttr shard = {}, int64_t shardSize = 0) {
      Value input = op.getOperand(operand);
      Type localType = getLocalType(input.getType());
      auto tensor = dyn_cast<RankedTensorType>(localType);
      Candidate candidate{
          &op,     operand, {},           localType,
          1,       0,       position - 1, std::numeric_limits<unsigned>::max(),
          segment, ""};
      Type element = getElementTypeOrSelf(localType);
      auto distributed = dyn_cast<DistributedType>(input.getType());
      candidate.key = {kind, element,
                       shard         ? shardSize
                       : distributed ? distributed.getNumReplicas()
                                     : getInReplicaContext(&op).value_or(0),
                       static_cast<bool>(distributed), shard};
      ++numCandidates;
      ++reportedCandidates;
      if (op.hasAttr(ReplicaDialect::getNoFusionAttrName())) {
        remarkUnfused(candidate, "marked replica.no_fusion");
        return;
      }
      if (tensor && !tensor.hasStaticShape()) {
        remarkUnfused(candidate, "dynamic shape");
        return;
      }
      if (tensor)
        candidate.numElements = tensor.getNumElements();
      candidate.bytes = candidate.numElements * getElementBytes(element);
      candidates.push_back(std::move(candidate));
    };
    if (auto reduce = dyn_cast<shard::AllReduceOp>(op)) {
      // Packs are tensors of the one element type; shard may also widen.
      auto input = dyn_cast<RankedTensorType>(reduce.getInput().getType());
      auto result = dyn_cast<RankedTensorType>(reduce.getResult().getType());
      if (!input || !result ||
          input.getElementType() != result.getElementType()) {
        ++numCandidates;
        ++reportedCandidates;
        remark::missed(
            op.getLoc(),
            remark::RemarkOpts::name("unfused").category(getArgument()))
            << remark::reason("not a tensor reduced in its own element type");
        continue;
      }
      auto grid = SymbolTable::lookupNearestSymbolFrom<shard::GridOp>(
          &op, reduce.getGridAttr());
      int64_t size = 0;
      if (grid) {
        size = 1;
        for (shard::GridAxis axis : reduce.getGridAxes())
          size *= grid.getShape()[axis];
      }
      Builder builder(&getContext());
      addCandidate(
          ReductionKind::Sum, 0,
          builder.getArrayAttr({reduce.getGridAttr(), reduce.getGridAxesAttr(),
                                reduce.getReductionAttr()}),
          size);
      continue;
    }
    if (auto reduce = dyn_cast<AllReduceOp>(op)) {
      addCandidate(reduce.getKind(), 0);
      continue;
    }
    if (auto batch = dyn_cast<BatchAllReduceOp>(op)) {
      for (unsigned i = 0, e = batch.getNumOperands(); i < e; ++i)
        addCandidate(batch.getKind(), i);
      continue;
    }
    // Reductions are not moved across side effects.
    if (!isCollective(&op) && !isMemoryEffectFree(&op))
      ++segment;
  }
  for (Candidate &candidate : candidates)
    for (Operation *user : candidate.result().getUsers())
      if (Operation *ancestor = block.findAncestorOpInBlock(*user))
        candidate.firstUse =
            std::min(candidate.firstUse, positions.lookup(ancestor));
  return candidates;
}

std::vector<Pack>
FuseReductionsPass::formPacks(MutableArrayRef<Candidate> candidates) {
  std::vector<Pack> packs;
  llvm::DenseMap<PackKey, size_t> open;
  auto visit = [&](Candidate &candidate) {
    const PackKey &key = candidate.key;
    int64_t alignElements = getAlignmentElements(key.element);
    int64_t limit = getPackLimit(key);
    int64_t padded = llvm::alignTo(candidate.numElements, alignElements) *
                     getElementBytes(key.element);
    auto it = open.find(key);
    if (it != open.end()) {
      Pack &pack = packs[it->second];
      std::string reason;
      unsigned first = std::min(pack.firstPosition, candidate.position);
      unsigned last = std::max(pack.lastPosition, candidate.position);
      if (pack.segment != candidate.segment)
        reason = "an op with side effects separates it from the open pack";
      else if (std::min(pack.firstUse, candidate.firstUse) <= last)
        reason = "its result or a pack member's is used between them";
      else if (pack.paddedBytes + padded > limit)
        reason = "the open pack is full";
      else if (maxOpsPerPack > 0 &&
               static_cast<int64_t>(pack.members.size()) >= maxOpsPerPack)
        reason = "the open pack has max-ops-per-pack members";
      if (reason.empty()) {
        pack.members.push_back(&candidate);
        pack.paddedBytes += padded;
        pack.firstPosition = first;
        pack.lastPosition = last;
        pack.firstUse = std::min(pack.firstUse, candidate.firstUse);
        return;
      }
      candidate.openReason = std::move(reason);
    }
    Pack pack;
    pack.key = key;
    pack.members.push_back(&candidate);
    pack.paddedBytes = padded;
    pack.firstPosition = pack.lastPosition = candidate.position;
    pack.firstUse = candidate.firstUse;
    pack.segment = candidate.segment;
    // A candidate larger than the limit is a pack of its own; the open pack
    // goes on taking the smaller ones after it.
    if (padded <= limit)
      open[key] = packs.size();
    packs.push_back(std::move(pack));
  };
  if (order == FusionOrder::Program)
    llvm::for_each(candidates, visit);
  else
    llvm::for_each(llvm::reverse(candidates), visit);
  return packs;
}

/// One `replica.pack` of `values`, the members' values (in-replica) or one
/// replica's components of them (across replicas).
Value FuseReductionsPass::packMembers(OpBuilder &builder, Location loc,
                                      const Pack &pack,
                                      ArrayRef<Value> values) {
  SmallVector<Value> members;
  for (Value value : values)
    members.push_back(wrapScalar(builder, loc, value));
  auto type = RankedTensorType::get({pack.size}, pack.key.element);
  return PackOp::create(builder, loc, type, members, pack.offsets);
}

/// Prepares the members that are computed straight into their pack slice:
/// those a chain of destination-style ops in the block computes from a
/// `tensor.empty`, whose buffer replica-pack-in-place allocates in the pack
/// once bufferized. Each gets a `tensor.empty` of its own, so that no other
/// computation shares (and writes) its buffer after the pack has read it.
void FuseReductionsPass::prepareInPlace(const Pack &pack, Block &block) {
  for (Candidate *member : pack.members) {
    OpOperand *init = isa<RankedTensorType>(member->localType)
                          ? getEmptyInit(member->input(), &block)
                          : nullptr;
    if (!init)
      continue;
    Operation *empty = init->get().getDefiningOp();
    if (!empty->hasOneUse()) {
      OpBuilder builder(init->getOwner());
      init->set(builder.clone(*empty)->getResult(0));
    }
    inPlace.insert(member);
    ++numCopiesAvoided;
    ++reportedCopiesAvoided;
  }
}

void FuseReductionsPass::layOutPack(Pack &pack) {
  // Members in program order, so offsets follow the block.
  llvm::sort(pack.members, [](const Candidate *a, const Candidate *b) {
    return std::make_pair(a->position, a->operand) <
           std::make_pair(b->position, b->operand);
  });
  int64_t alignElements = getAlignmentElements(pack.key.element);
  pack.offsets.clear();
  pack.size = 0;
  for (Candidate *member : pack.members) {
    pack.offsets.push_back(pack.size);
    pack.size += llvm::alignTo(member->numElements, alignElements);
  }
}

/// Packs whose results are first needed after all of them are ready, between
/// the same side effects, are launched together: one group, at the last
/// member of the group's packs. Groups are formed greedily in order of
/// readiness. Packs of one key join a group too: in flight together, they
/// keep the transport busy (Open MPI's nonblocking all-reduce of large
/// buffers beats its blocking one on shared memory).
static SmallVector<SmallVector<Pack *>>
groupReadyTogether(MutableArrayRef<Pack> packs) {
  SmallVector<Pack *> ordered;
  for (Pack &pack : packs)
    if (pack.members.size() > 1)
      ordered.push_back(&pack);
  // By readiness, ties in formation order (packs are in one array).
  llvm::sort(ordered, [](const Pack *a, const Pack *b) {
    return std::make_pair(a->lastPosition, a) <
           std::make_pair(b->lastPosition, b);
  });
  SmallVector<SmallVector<Pack *>> groups;
  unsigned ready = 0, firstUse = 0;
  for (Pack *pack : ordered) {
    if (!groups.empty() && groups.back().front()->segment == pack->segment &&
        std::min(firstUse, pack->firstUse) >
            std::max(ready, pack->lastPosition)) {
      groups.back().push_back(pack);
      ready = std::max(ready, pack->lastPosition);
      firstUse = std::min(firstUse, pack->firstUse);
      continue;
    }
    groups.push_back({pack});
    ready = pack->lastPosition;
    firstUse = pack->firstUse;
  }
  return groups;
}

void FuseReductionsPass::rewriteGroup(
    ArrayRef<Pack *> group, DenseMap<Operation *, SmallVector<bool>> &fused) {
  Candidate *last = group.front()->members.front();
  SmallVector<Location> locs;
  for (Pack *pack : group)
    for (Candidate *member : pack->members) {
      if (member->position > last->position)
        last = member;
      locs.push_back(member->op->getLoc());
    }
  OpBuilder builder(last->op);
  Location loc = builder.getFusedLoc(locs);

  // Each pack's input: the packed buffer, across replicas one per replica.
  SmallVector<Value> inputs;
  for (Pack *pack : group) {
    ++numPacks;
    reportedFused += pack->members.size();
    numFused += pack->members.size();
    numBytes += pack->size * getElementBytes(pack->key.element);
    if (!pack->key.crossReplica) {
      SmallVector<Value> values;
      for (Candidate *member : pack->members)
        values.push_back(member->input());
      inputs.push_back(packMembers(builder, loc, *pack, values));
      prepareInPlace(*pack, *builder.getInsertionBlock());
      continue;
    }
    int64_t n = pack->key.numReplicas;
    SmallVector<SmallVector<Value>> lanes(n);
    for (Candidate *member : pack->members) {
      auto unpack = UnpackOp::create(builder, loc, member->input());
      for (int64_t k = 0; k < n; ++k)
        lanes[k].push_back(unpack.getResult(k));
    }
    SmallVector<Value> packedLanes;
    for (ArrayRef<Value> lane : lanes)
      packedLanes.push_back(packMembers(builder, loc, *pack, lane));
    Type distributed = PerReplicaType::get(builder.getContext(), n,
                                           packedLanes.front().getType());
    inputs.push_back(RegroupOp::create(builder, loc, distributed, packedLanes,
                                       /*mirrored=*/false,
                                       /*always_wrap=*/true));
  }

  // One collective per reduction kind and form: a batch_all_reduce when
  // several packs share them, so they are launched together.
  SmallVector<Value> reduced(group.size());
  for (size_t i = 0; i < group.size(); ++i) {
    if (reduced[i])
      continue;
    const PackKey &key = group[i]->key;
    if (ArrayAttr shard = key.shard) {
      reduced[i] = shard::AllReduceOp::create(
          builder, loc, inputs[i].getType(), cast<FlatSymbolRefAttr>(shard[0]),
          cast<DenseI16ArrayAttr>(shard[1]), inputs[i],
          cast<shard::ReductionKindAttr>(shard[2]));
      continue;
    }
    SmallVector<size_t> together;
    for (size_t j = i; j < group.size(); ++j) {
      const PackKey &other = group[j]->key;
      if (!other.shard && other.kind == key.kind &&
          other.crossReplica == key.crossReplica &&
          other.numReplicas == key.numReplicas)
        together.push_back(j);
    }
    auto kind = ReductionKindAttr::get(builder.getContext(), key.kind);
    if (together.size() == 1) {
      reduced[i] = AllReduceOp::create(builder, loc, kind, inputs[i]);
      continue;
    }
    SmallVector<Value> operands;
    for (size_t j : together)
      operands.push_back(inputs[j]);
    auto batch = BatchAllReduceOp::create(builder, loc, kind, operands);
    for (auto [j, result] : llvm::zip_equal(together, batch.getResults()))
      reduced[j] = result;
    ++numGroupedPacks;
  }

  for (auto [pack, result] : llvm::zip_equal(group, reduced)) {
    // Across replicas every replica holds the result: read replica 0's.
    Value flat = pack->key.crossReplica
                     ? UnpackOp::create(builder, loc, result).getResult(0)
                     : result;
    SmallVector<Type> memberTypes;
    for (Candidate *member : pack->members)
      memberTypes.push_back(getMemberType(member->localType));
    auto split =
        SplitPackOp::create(builder, loc, memberTypes, flat, pack->offsets);
    for (auto [member, tensor] :
         llvm::zip_equal(pack->members, split.getMembers())) {
      Value value = unwrapScalar(builder, loc, tensor, member->localType);
      if (pack->key.crossReplica)
        value =
            RegroupOp::create(builder, loc, member->result().getType(),
                              SmallVector<Value>(pack->key.numReplicas, value),
                              /*mirrored=*/true, /*always_wrap=*/true);
      member->result().replaceAllUsesWith(value);
      fused[member->op][member->operand] = true;
    }
  }
}

void FuseReductionsPass::recordPack(const Pack &pack,
                                    ArrayRef<int64_t> offsets) {
  if (report.empty())
    return;
  int64_t elementBytes = getElementBytes(pack.key.element);
  llvm::json::Array members;
  for (auto [member, offset] : llvm::zip_equal(pack.members, offsets)) {
    std::string loc;
    llvm::raw_string_ostream os(loc);
    member->op->getLoc().print(os);
    std::string type;
    llvm::raw_string_ostream typeOs(type);
    member->localType.print(typeOs);
    members.push_back(
        llvm::json::Object{{"loc", loc},
                           {"operand", member->operand},
                           {"type", type},
                           {"offset_bytes", offset * elementBytes},
                           {"bytes", member->bytes},
                           {"in_place", inPlace.contains(member)}});
  }
  std::string element;
  llvm::raw_string_ostream os(element);
  pack.key.element.print(os);
  std::string kind = stringifyReductionKind(pack.key.kind).str();
  if (pack.key.shard) {
    llvm::raw_string_ostream kindOs(kind);
    kind.clear();
    pack.key.shard.print(kindOs);
  }
  int64_t bytes =
      (offsets.back() + llvm::alignTo(pack.members.back()->numElements,
                                      getAlignmentElements(pack.key.element))) *
      elementBytes;
  reportedPacks.push_back(llvm::json::Object{
      {"kind", kind},
      {"element_type", element},
      {"replicas", pack.key.numReplicas},
      {"cross_replica", pack.key.crossReplica},
      {"bytes", bytes},
      {"group", pack.group},
      {"modelled_us", getModelledMicros(bytes, pack.key.numReplicas)},
      {"members", std::move(members)}});
}

void FuseReductionsPass::fuseBlock(Block &block) {
  SmallVector<Candidate> candidates = collectCandidates(block);
  if (candidates.empty())
    return;
  std::vector<Pack> packs = formPacks(candidates);
  DenseMap<Operation *, SmallVector<bool>> fused;
  for (Candidate &candidate : candidates)
    fused.try_emplace(candidate.op,
                      SmallVector<bool>(candidate.op->getNumOperands(), false));
  for (Pack &pack : packs) {
    layOutPack(pack);
    if (pack.members.size() > 1)
      continue;
    ++numPacks;
    Candidate *member = pack.members.front();
    if (member->bytes > getPackLimit(pack.key))
      remarkUnfused(*member, "larger than bytes-per-pack: a pack of its own");
    else
      remarkUnfused(*member, member->openReason.empty()
                                 ? "no other candidate with its reduction "
                                   "kind, element type and replica group"
                                 : member->openReason);
  }
  for (ArrayRef<Pack *> group : groupReadyTogether(packs)) {
    for (Pack *pack : group)
      pack->group = reportedGroups;
    ++reportedGroups;
    rewriteGroup(group, fused);
  }
  for (Pack &pack : packs)
    recordPack(pack, pack.offsets);
  // Ops whose reductions all moved into packs go; a batch keeps the rest.
  for (auto &[op, operands] : fused) {
    if (llvm::none_of(operands, [](bool f) { return f; }))
      continue;
    if (!isa<BatchAllReduceOp>(op)) {
      op->erase();
      continue;
    }
    SmallVector<Value> remaining;
    SmallVector<Value> oldResults;
    for (auto [i, isFused] : llvm::enumerate(operands))
      if (!isFused) {
        remaining.push_back(op->getOperand(i));
        oldResults.push_back(op->getResult(i));
      }
    if (!remaining.empty()) {
      OpBuilder builder(op);
      auto batch = BatchAllReduceOp::create(
          builder, op->getLoc(), cast<BatchAllReduceOp>(op).getKindAttr(),
          remaining);
      for (auto [oldResult, newResult] :
           llvm::zip_equal(oldResults, batch.getResults()))
        oldResult.replaceAllUsesWith(newResult);
    }
    op->erase();
  }
}

void FuseReductionsPass::runOnOperation() {
  if (failed(parseCostTable()))
    return signalPassFailure();
  SmallVector<Block *> blocks;
  getOperation()->walk([&](Block *block) { blocks.push_back(block); });
  for (Block *block : blocks)
    fuseBlock(*block);
  if (report.empty())
    return;
  std::string error;
  auto file = openOutputFile(report, &error);
  if (!file) {
    getOperation()->emitError("cannot write the fusion report: ") << error;
    return signalPassFailure();
  }
  llvm::json::Value document = llvm::json::Object{
      {"pass", getArgument()},    {"candidates", reportedCandidates},
      {"fused", reportedFused},   {"copies_avoided", reportedCopiesAvoided},
      {"groups", reportedGroups}, {"packs", llvm::json::Array(reportedPacks)}};
  file->os() << llvm::formatv("{0:2}", document) << "\n";
  file->keep();
}
