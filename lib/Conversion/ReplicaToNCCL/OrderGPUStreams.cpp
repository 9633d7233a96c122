//===- OrderGPUStreams.cpp - kernels on the replica's compute stream ------===//

#include "replica/Conversion/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace mlir::replica {
#define GEN_PASS_DEF_REPLICAORDERGPUSTREAMSPASS
#include "replica/Conversion/Passes.h.inc"
} // namespace mlir::replica

using namespace mlir;
using namespace mlir::replica;

/// The NCCL runtime's entry points order their stream against the compute
/// stream themselves.
static constexpr StringLiteral kRuntimePrefix = "replica_nccl_";

static bool isRuntimeCall(Operation *op) {
  auto call = dyn_cast<func::CallOp>(op);
  return call && call.getCallee().starts_with(kRuntimePrefix);
}

/// The function `op` calls if it is one of the module's with a body.
static func::FuncOp getDefinedCallee(Operation *op) {
  auto call = dyn_cast<func::CallOp>(op);
  if (!call)
    return nullptr;
  auto callee = SymbolTable::lookupNearestSymbolFrom<func::FuncOp>(
      call, call.getCalleeAttr());
  return callee && !callee.isExternal() ? callee : nullptr;
}

/// Whether `op` enqueues work on the device: a launch, a call of the NCCL
/// runtime or of a function that may do either.
static bool enqueuesWork(Operation *op) {
  return op
      ->walk([](Operation *nested) {
        return isa<gpu::LaunchFuncOp>(nested) || isRuntimeCall(nested) ||
                       getDefinedCallee(nested)
                   ? WalkResult::interrupt()
                   : WalkResult::advance();
      })
      .wasInterrupted();
}

/// Whether the host may run `op` while the stream works: it touches no
/// memory the stream may be using (allocation and views only name memory;
/// the runtime defers frees until the stream has passed them).
static bool runsBesideStream(Operation *op) {
  return isMemoryEffectFree(op) ||
         isa<memref::AllocOp, memref::AllocaOp, memref::DeallocOp,
             ViewLikeOpInterface, gpu::WaitOp>(op);
}

/// `launch` enqueued on the stream of `token`: the same launch with an
/// async token (as gpu-async-region rewrites it). Returns its token.
static Value enqueue(gpu::LaunchFuncOp launch, Value token) {
  Operation *op = launch.getOperation();
  cast<gpu::AsyncOpInterface>(op).addAsyncDependency(token);
  OpBuilder builder(op);
  SmallVector<Type> resultTypes(op->getResultTypes());
  resultTypes.push_back(token.getType());
  Operation *async = Operation::create(
      op->getLoc(), op->getName(), resultTypes, op->getOperands(),
      op->getDiscardableAttrDictionary(), op->getPropertiesStorage(),
      op->getSuccessors(), /*numRegions=*/0);
  builder.insert(async);
  op->replaceAllUsesWith(async->getResults().drop_back());
  op->erase();
  return async->getResults().back();
}

namespace {
struct OrderGPUStreamsPass
    : replica::impl::ReplicaOrderGPUStreamsPassBase<OrderGPUStreamsPass> {
  void runOnOperation() override;
};

/// Orders the blocks of one function: `stream` is the token of the
/// function's stream, taken at its entry.
class StreamOrder {
public:
  explicit StreamOrder(Value stream) : stream(stream) {}

  /// Enqueues the launches of `block` after each other and makes the host
  /// wait where it touches memory. `pending`: whether the stream may have
  /// work the host has not waited for when the block starts. Returns
  /// whether it may at its end.
  bool order(Block &block, bool pending) {
    Value token = stream;
    for (Operation &op : llvm::make_early_inc_range(block)) {
      if (auto launch = dyn_cast<gpu::LaunchFuncOp>(op)) {
        if (!launch.getAsyncToken())
          token = enqueue(launch, token);
        pending = true;
        continue;
      }
      if (isRuntimeCall(&op)) {
        pending = true;
        continue;
      }
      // A function of the module orders its own launches and waits.
      if (getDefinedCallee(&op)) {
        pending = true;
        continue;
      }
      if (isa<func::ReturnOp>(op)) {
        if (pending)
          wait(&op, token);
        continue;
      }
      if (runsBesideStream(&op))
        continue;
      if (op.getNumRegions() > 0 && enqueuesWork(&op)) {
        // A loop's body starts with what its previous iteration enqueued.
        for (Region &region : op.getRegions())
          for (Block &nested : region)
            order(nested, /*pending=*/true);
        pending = true;
        continue;
      }
      if (pending) {
        wait(&op, token);
        token = stream;
        pending = false;
      }
    }
    return pending;
  }

private:
  /// The host waits for the stream before `op`.
  void wait(Operation *op, Value token) {
    OpBuilder builder(op);
    gpu::WaitOp::create(builder, op->getLoc(), Type(), ValueRange{token});
  }

  Value stream;
};
} // namespace

void OrderGPUStreamsPass::runOnOperation() {
  for (auto function : getOperation().getOps<func::FuncOp>()) {
    if (function.isExternal() || !enqueuesWork(function))
      continue;
    OpBuilder builder = OpBuilder::atBlockBegin(&function.front());
    Value stream = gpu::WaitOp::create(
                       builder, function.getLoc(),
                       gpu::AsyncTokenType::get(&getContext()), ValueRange())
                       .getAsyncToken();
    StreamOrder order(stream);
    // A caller may have enqueued work before the call.
    for (Block &block : function.getBody())
      order.order(block, /*pending=*/true);
  }
}
