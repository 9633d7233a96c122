//===- PlaceMPIBuffers.cpp - all-reduce buffers in the shared window ------===//
//
// The MPI runtime's shared-memory all-reduce reads every rank's input where
// the producers wrote it and writes results where the consumers read them
// only if those buffers live in its window, at the same offset on every
// rank. This pass gives each such buffer an offset fixed at compile time,
// or two, of which the runtime picks one for every rank alike.
//
//===----------------------------------------------------------------------===//

#include "replica/Conversion/Passes.h"

#include "replica/Dialect/Replica/IR/ReplicaDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Interfaces/CallInterfaces.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "llvm/ADT/MapVector.h"

namespace mlir::replica {
#define GEN_PASS_DEF_REPLICAPLACEMPIBUFFERSPASS
#include "replica/Conversion/Passes.h.inc"
} // namespace mlir::replica

using namespace mlir;
using namespace mlir::replica;

/// The runtime entry points that return the window: this rank's segment
/// (replica_mpi_window), and the node's shared results
/// (replica_mpi_shared_window).
static constexpr StringLiteral kWindowFunction = "replica_mpi_window";
static constexpr StringLiteral kSharedWindowFunction =
    "replica_mpi_shared_window";
/// The runtime entry point that says whether inputs dead after their launch
/// give up their range (non-zero) or keep it until their wait.
static constexpr StringLiteral kReuseInputsFunction =
    "replica_mpi_reuse_inputs";
/// The all-reduce entry points whose buffers are placed.
static constexpr StringLiteral kAllReducePrefix = "replica_mpi_all_reduce_";
/// The entry points that wait for a launched all-reduce (in, out): its
/// result is in use until then.
static constexpr StringLiteral kWaitPrefix = "replica_mpi_wait_";
/// The entry points that open a group of all-reduces and run it: over
/// shared memory, the runtime reads no input of the group once its launch
/// (or end) returns.
static constexpr StringLiteral kGroupStart = "replica_mpi_group_start";
static constexpr StringLiteral kGroupLaunch = "replica_mpi_group_launch";
static constexpr StringLiteral kGroupEnd = "replica_mpi_group_end";
/// Every buffer starts on a cache line of its own, as the runtime's slices
/// do.
static constexpr int64_t kAlignment = 64;

namespace {
/// A buffer to place and where: `offset` bytes into its block's range, or
/// `reuseOffset` where the runtime reuses inputs once launched; then it is
/// in use until `launch`, if set, instead of its deallocation.
struct Placement {
  memref::AllocOp alloc;
  memref::DeallocOp dealloc;
  int64_t bytes;
  Operation *launch = nullptr;
  int64_t offset = 0;
  int64_t reuseOffset = 0;
};

struct ReplicaPlaceMPIBuffersPass
    : replica::impl::ReplicaPlaceMPIBuffersPassBase<
          ReplicaPlaceMPIBuffersPass> {
  void runOnOperation() override;
};
} // namespace

/// The allocation whose buffer `value` views, if any.
static memref::AllocOp getAllocation(Value value) {
  while (!value.getDefiningOp<memref::AllocOp>()) {
    auto view = value.getDefiningOp<ViewLikeOpInterface>();
    if (!view)
      return nullptr;
    value = view.getViewSource();
  }
  return value.getDefiningOp<memref::AllocOp>();
}

/// Whether `accept(user, alias)` holds for every user of the buffer of
/// `alloc` through its views (view ops included), `alias` being the value
/// the user uses.
static bool
allUsesOfBuffer(memref::AllocOp alloc,
                function_ref<bool(Operation *user, Value alias)> accept) {
  SmallVector<Value> aliases{alloc.getResult()};
  while (!aliases.empty()) {
    Value alias = aliases.pop_back_val();
    for (Operation *user : alias.getUsers()) {
      if (auto view = dyn_cast<ViewLikeOpInterface>(user);
          view && view.getViewSource() == alias)
        aliases.push_back(view.getViewDest());
      if (!accept(user, alias))
        return false;
    }
  }
  return true;
}

/// Whether `user` is a view of `alias`.
static bool isViewOf(Operation *user, Value alias) {
  auto view = dyn_cast<ViewLikeOpInterface>(user);
  return view && view.getViewSource() == alias;
}

/// The placement of `alloc`, if its buffer can be placed: a static shape,
/// freed once in its own block, and no alias leaving the block.
static std::optional<Placement> getPlacement(memref::AllocOp alloc) {
  MemRefType type = alloc.getType();
  if (!type.hasStaticShape() || type.getNumElements() == 0 ||
      !type.getLayout().isIdentity() || type.getMemorySpace() ||
      !alloc.getSymbolOperands().empty() ||
      type.getElementTypeBitWidth() % 8 != 0)
    return std::nullopt;
  if (alloc.getAlignment().value_or(0) > kAlignment)
    return std::nullopt;
  Block *block = alloc->getBlock();
  memref::DeallocOp dealloc;
  bool contained = allUsesOfBuffer(alloc, [&](Operation *user, Value alias) {
    if (auto free = dyn_cast<memref::DeallocOp>(user)) {
      if (alias != alloc.getResult() || free->getBlock() != block || dealloc)
        return false;
      dealloc = free;
      return true;
    }
    // A terminator hands the buffer on; a call may return it.
    return isViewOf(user, alias) ||
           (!user->hasTrait<OpTrait::IsTerminator>() &&
            !(isa<CallOpInterface>(user) &&
              llvm::any_of(user->getResultTypes(), llvm::IsaPred<MemRefType>)));
  });
  if (!contained)
    return std::nullopt;
  if (!dealloc)
    return std::nullopt;
  int64_t bytes = type.getNumElements() * (type.getElementTypeBitWidth() / 8);
  return Placement{alloc, dealloc, bytes};
}

/// The single deallocation of `alloc`'s own value in its block, if that is
/// how it is freed.
static memref::DeallocOp getDealloc(memref::AllocOp alloc) {
  memref::DeallocOp dealloc;
  for (Operation *user : alloc->getUsers()) {
    auto free = dyn_cast<memref::DeallocOp>(user);
    if (!free)
      continue;
    if (dealloc || free->getBlock() != alloc->getBlock())
      return nullptr;
    dealloc = free;
  }
  return dealloc;
}

/// Whether every use of the buffer of `alloc`, through its views, other
/// than its deallocation and `end`, is at or before `op` (in `op`'s block).
static bool isDeadAfter(memref::AllocOp alloc, Operation *op, Operation *end) {
  return allUsesOfBuffer(alloc, [&](Operation *user, Value) {
    if (isa<memref::DeallocOp>(user) || user == end)
      return true;
    Operation *ancestor = op->getBlock()->findAncestorOpInBlock(*user);
    return ancestor && (ancestor == op || !op->isBeforeInBlock(ancestor));
  });
}

/// `value` before the casts and reshapes that flatten a buffer for the
/// runtime.
static Value stripReshapes(Value value) {
  while (true) {
    if (auto cast = value.getDefiningOp<memref::CastOp>())
      value = cast.getSource();
    else if (auto collapse = value.getDefiningOp<memref::CollapseShapeOp>())
      value = collapse.getSrc();
    else if (auto expand = value.getDefiningOp<memref::ExpandShapeOp>())
      value = expand.getSrc();
    else
      return value;
  }
}

/// The last op of the all-reduce `call`: the wait for its result where it
/// was launched without waiting, else `call`.
static Operation *getEnd(func::CallOp call) {
  for (Operation *user : call.getOperand(1).getUsers())
    if (auto wait = dyn_cast<func::CallOp>(user);
        wait && wait.getCallee().starts_with(kWaitPrefix))
      return wait;
  return call;
}

/// The group entry point `op` calls, if it calls one.
static StringRef getGroupCallee(Operation *op) {
  auto groupCall = dyn_cast<func::CallOp>(op);
  if (!groupCall || !llvm::is_contained({kGroupStart, kGroupLaunch, kGroupEnd},
                                        groupCall.getCallee()))
    return {};
  return groupCall.getCallee();
}

/// The all-reduce calls of `block` and the blocks nested in it, in program
/// order, into `allReduces`, and for each the op after which the runtime,
/// over shared memory, no longer reads its input, into `launches`: the
/// launch or end of its group, or the call itself outside one; null where
/// that is not clear (a group left open, or opened outside the call's
/// block, `inGroup`).
static void collectAllReduces(Block &block, bool inGroup,
                              SmallVectorImpl<func::CallOp> &allReduces,
                              DenseMap<Operation *, Operation *> &launches) {
  SmallVector<Operation *> group;
  bool open = false;
  auto close = [&](Operation *launch) {
    for (Operation *call : group)
      launches[call] = launch;
    group.clear();
  };
  for (Operation &op : block) {
    StringRef groupCallee = getGroupCallee(&op);
    if (groupCallee == kGroupStart) {
      close(nullptr);
      open = true;
    } else if (!groupCallee.empty()) {
      close(open ? &op : nullptr);
      open = false;
    } else if (auto call = dyn_cast<func::CallOp>(op);
               call && call.getCallee().starts_with(kAllReducePrefix)) {
      allReduces.push_back(call);
      if (open)
        group.push_back(call);
      else
        launches[call] = inGroup ? nullptr : call;
    } else {
      for (Region &region : op.getRegions())
        for (Block &nested : region)
          collectAllReduces(nested, inGroup || open, allReduces, launches);
    }
  }
  close(nullptr);
}

/// Whether nothing writes the buffer of `alloc`, through its views, but
/// the all-reduce `call` (and its wait): only then can every rank read one
/// shared copy of it.
static bool isReadOnlyBut(memref::AllocOp alloc, func::CallOp call) {
  Operation *end = getEnd(call);
  return allUsesOfBuffer(alloc, [&](Operation *user, Value alias) {
    if (user == call || user == end || isa<memref::DeallocOp>(user) ||
        isViewOf(user, alias))
      return true;
    auto effects = dyn_cast<MemoryEffectOpInterface>(user);
    if (!effects)
      return false;
    SmallVector<MemoryEffects::EffectInstance> onAlias;
    effects.getEffectsOnValue(alias, onAlias);
    return llvm::all_of(onAlias, [](const MemoryEffects::EffectInstance &e) {
      return isa<MemoryEffects::Read>(e.getEffect());
    });
  });
}

/// The result buffer of `call` if every rank can read one shared result
/// instead of a copy of its own: the input and the result can be placed and
/// nothing but the all-reduce writes the result.
static memref::AllocOp getSharedResult(func::CallOp call) {
  memref::AllocOp in = getAllocation(call.getOperand(0));
  auto out = stripReshapes(call.getOperand(1)).getDefiningOp<memref::AllocOp>();
  Block *block = call->getBlock();
  if (!in || !out || in == out || in->getBlock() != block ||
      out->getBlock() != block || !getPlacement(in) || !getPlacement(out) ||
      !isReadOnlyBut(out, call))
    return nullptr;
  return out;
}

/// Makes `call` (all_reduce(in, out, kind)) reduce in place where its input
/// buffer is not used after it: the result buffer's allocation goes, and
/// its users use the input's buffer, freed where the result's was if that
/// is later. Saves the result's memory and the traffic of a second buffer.
static void reuseDeadInput(func::CallOp call) {
  Value in = stripReshapes(call.getOperand(0));
  auto outAlloc =
      stripReshapes(call.getOperand(1)).getDefiningOp<memref::AllocOp>();
  memref::AllocOp inAlloc = getAllocation(in);
  if (!outAlloc || !inAlloc || in.getType() != outAlloc.getType())
    return;
  Block *block = call->getBlock();
  if (outAlloc->getBlock() != block || inAlloc->getBlock() != block)
    return;
  memref::DeallocOp inDealloc = getDealloc(inAlloc);
  memref::DeallocOp outDealloc = getDealloc(outAlloc);
  // Launched without waiting, it must be the last to use the buffer from
  // its start on, but for its wait.
  if (!inDealloc || !outDealloc || !isDeadAfter(inAlloc, call, getEnd(call)))
    return;
  // The input's buffer must exist where the result's is first used.
  Operation *inDefinition = in.getDefiningOp();
  if (!inDefinition || inDefinition->getBlock() != block ||
      !inDefinition->isBeforeInBlock(outAlloc))
    return;
  if (inDealloc->isBeforeInBlock(outDealloc))
    inDealloc->moveAfter(outDealloc);
  outDealloc.erase();
  outAlloc.replaceAllUsesWith(in);
  outAlloc.erase();
}

/// Gives the buffers of one block offsets from 0 in both layouts
/// (`offset`, and `reuseOffset` where inputs end at their launch), first
/// fit: buffers alive at once never overlap. Returns the bytes the block
/// needs for either.
static int64_t assignOffsets(Block &block, MutableArrayRef<Placement> buffers) {
  DenseMap<Operation *, int64_t> position;
  int64_t index = 0;
  for (Operation &op : block)
    position[&op] = index++;
  llvm::sort(buffers, [&](const Placement &a, const Placement &b) {
    return position[a.alloc] < position[b.alloc];
  });
  int64_t size = 0;
  for (bool reuse : {false, true}) {
    auto end = [&](Placement *buffer) {
      return position[reuse && buffer->launch ? buffer->launch
                                              : buffer->dealloc.getOperation()];
    };
    auto at = [&](Placement *buffer) -> int64_t & {
      return reuse ? buffer->reuseOffset : buffer->offset;
    };
    SmallVector<Placement *> live;
    for (Placement &buffer : buffers) {
      int64_t start = position[buffer.alloc];
      llvm::erase_if(live,
                     [&](Placement *other) { return end(other) < start; });
      llvm::sort(live,
                 [&](Placement *a, Placement *b) { return at(a) < at(b); });
      int64_t offset = 0;
      for (Placement *other : live) {
        if (offset + buffer.bytes <= at(other))
          break;
        offset = std::max<int64_t>(
            offset, llvm::alignTo(at(other) + other->bytes, kAlignment));
      }
      at(&buffer) = offset;
      size = std::max(size, offset + buffer.bytes);
      live.push_back(&buffer);
    }
  }
  return static_cast<int64_t>(llvm::alignTo(size, kAlignment));
}

/// Declares the runtime function `name` of `type` unless the module has
/// it.
static func::FuncOp declareRuntimeFunction(ModuleOp module, StringRef name,
                                           FunctionType type) {
  if (auto function = module.lookupSymbol<func::FuncOp>(name))
    return function;
  OpBuilder builder = OpBuilder::atBlockEnd(module.getBody());
  auto function = func::FuncOp::create(builder, module.getLoc(), name, type);
  function.setPrivate();
  return function;
}

/// Declares the runtime function `name`(private bytes, shared bytes) ->
/// memref<?xi8> unless the module has it.
static func::FuncOp declareWindow(ModuleOp module, StringRef name) {
  Builder builder(module.getContext());
  Type i64 = builder.getI64Type();
  auto bytes = MemRefType::get({ShapedType::kDynamic}, builder.getI8Type());
  func::FuncOp function = declareRuntimeFunction(
      module, name, builder.getFunctionType({i64, i64}, {bytes}));
  // The descriptor comes back through a pointer, as C returns structs.
  function->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(),
                    builder.getUnitAttr());
  return function;
}

void ReplicaPlaceMPIBuffersPass::runOnOperation() {
  ModuleOp module = getOperation();
  SmallVector<func::CallOp> allReduces;
  DenseMap<Operation *, Operation *> launches;
  module.walk([&](FunctionOpInterface function) {
    for (Block &block : function.getFunctionBody())
      collectAllReduces(block, /*inGroup=*/false, allReduces, launches);
  });
  // Results every rank reads from one shared copy; the other all-reduces
  // reduce in place where they can.
  DenseSet<Operation *> sharedResults;
  for (func::CallOp call : allReduces) {
    if (memref::AllocOp result = getSharedResult(call))
      sharedResults.insert(result);
    else
      reuseDeadInput(call);
  }

  // The buffers of every all-reduce, by block, in a deterministic order;
  // shared results apart, each with a range of its own.
  llvm::MapVector<Block *, SmallVector<Placement>> blocks;
  SmallVector<Placement> shared;
  DenseSet<Operation *> seen;
  for (func::CallOp call : allReduces) {
    for (Value operand : call.getOperands()) {
      memref::AllocOp alloc = getAllocation(operand);
      if (!alloc || alloc->getBlock() != call->getBlock() ||
          !seen.insert(alloc).second)
        continue;
      std::optional<Placement> placement = getPlacement(alloc);
      if (!placement)
        continue;
      if (sharedResults.contains(alloc)) {
        shared.push_back(*placement);
        continue;
      }
      // An input that nothing but the wait naming it uses after its launch
      // may give its range to later buffers where the runtime reads no
      // input after its launch: a step's inputs then stay in cache instead
      // of taking one range per gradient.
      if (operand == call.getOperand(0))
        if (Operation *launch = launches.lookup(call);
            launch && isDeadAfter(alloc, launch, getEnd(call)))
          placement->launch = launch;
      blocks[alloc->getBlock()].push_back(*placement);
    }
  }
  if (blocks.empty() && shared.empty())
    return;

  // Blocks may be live at once (nested, or calling each other): each gets a
  // range of its own, large enough for either layout.
  SmallVector<int64_t> bases;
  int64_t windowBytes = 0;
  for (auto &[block, buffers] : blocks) {
    bases.push_back(windowBytes);
    windowBytes += assignOffsets(*block, buffers);
  }
  int64_t sharedBytes = 0;
  for (Placement &buffer : shared) {
    buffer.offset = windowBytes + sharedBytes;
    sharedBytes += llvm::alignTo(buffer.bytes, kAlignment);
  }

  Builder attributes(&getContext());
  module->setAttr(ReplicaDialect::getMPIWindowBytesAttrName(),
                  attributes.getI64IntegerAttr(windowBytes));
  if (sharedBytes > 0)
    module->setAttr(ReplicaDialect::getMPISharedWindowBytesAttrName(),
                    attributes.getI64IntegerAttr(sharedBytes));
  // Per block whose layouts differ, whether the runtime reuses inputs,
  // asked (each time the block runs) before its first buffer that differs:
  // buffers are placed in program order.
  DenseMap<Block *, Value> reusing;
  auto getReusing = [&](OpBuilder &builder, Location loc) {
    Value &flag = reusing[builder.getInsertionBlock()];
    if (flag)
      return flag;
    func::FuncOp query = declareRuntimeFunction(
        module, kReuseInputsFunction,
        builder.getFunctionType({}, {builder.getI32Type()}));
    Value answer = func::CallOp::create(builder, loc, query).getResult(0);
    Value no = arith::ConstantIntOp::create(builder, loc, 0, 32);
    flag = arith::CmpIOp::create(builder, loc, arith::CmpIPredicate::ne, answer,
                                 no);
    return flag;
  };
  auto place = [&](Placement &buffer, func::FuncOp window, int64_t offset,
                   int64_t reuseOffset) {
    OpBuilder builder(buffer.alloc);
    Location loc = buffer.alloc.getLoc();
    Value sizes[] = {
        arith::ConstantIntOp::create(builder, loc, windowBytes, 64),
        arith::ConstantIntOp::create(builder, loc, sharedBytes, 64)};
    Value memory =
        func::CallOp::create(builder, loc, window, sizes).getResult(0);
    Value at = arith::ConstantIndexOp::create(builder, loc, offset);
    if (reuseOffset != offset)
      at = arith::SelectOp::create(
          builder, loc, getReusing(builder, loc),
          arith::ConstantIndexOp::create(builder, loc, reuseOffset), at);
    Value view = memref::ViewOp::create(builder, loc, buffer.alloc.getType(),
                                        memory, at, ValueRange{});
    buffer.alloc.replaceAllUsesWith(view);
    buffer.dealloc.erase();
    buffer.alloc.erase();
  };
  if (!blocks.empty()) {
    func::FuncOp window = declareWindow(module, kWindowFunction);
    for (auto [base, entry] : llvm::zip_equal(bases, blocks))
      for (Placement &buffer : entry.second)
        place(buffer, window, base + buffer.offset, base + buffer.reuseOffset);
  }
  if (!shared.empty()) {
    func::FuncOp window = declareWindow(module, kSharedWindowFunction);
    for (Placement &buffer : shared)
      place(buffer, window, buffer.offset, buffer.offset);
  }
}
