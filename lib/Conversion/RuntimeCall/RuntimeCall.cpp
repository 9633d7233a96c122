//===- RuntimeCall.cpp - collectives to calls of a C runtime --------------===//

#include "replica/Conversion/RuntimeCall.h"

#include "mlir/IR/TypeUtilities.h"

using namespace mlir;
using namespace mlir::replica;

LogicalResult
mlir::replica::checkRuntimeCollectives(ModuleOp module,
                                       const CollectiveRuntime &runtime) {
  WalkResult unsupported = module.walk([&](Operation *op) {
    if (isa<ReplicateOp>(op) ||
        llvm::any_of(op->getResultTypes(), containsDistributedType) ||
        llvm::any_of(op->getOperandTypes(), containsDistributedType)) {
      op->emitOpError("must be made SPMD first (replica-to-spmd)");
      return WalkResult::interrupt();
    }
    if (!isCollective(op))
      return WalkResult::advance();
    for (Type type : op->getOperandTypes()) {
      Type element = getElementTypeOrSelf(type);
      if (getRuntimeTypeName(element).empty()) {
        op->emitOpError("element type ")
            << element << " is not supported by the " << runtime.name
            << " backend (f32, f64, i32, i64, f16, bf16)";
        return WalkResult::interrupt();
      }
    }
    return WalkResult::advance();
  });
  return failure(unsupported.wasInterrupted());
}

namespace {
/// A pattern that knows the runtime it calls.
template <typename OpTy> struct RuntimePattern : OpConversionPattern<OpTy> {
  RuntimePattern(MLIRContext *context, const CollectiveRuntime &runtime)
      : OpConversionPattern<OpTy>(context), runtime(runtime) {}

  /// The stream of the calls `call` is about to make; null without streams.
  Value getStream(RuntimeCall &call) const {
    return runtime.getStream ? runtime.getStream(call, this->getContext())
                             : Value();
  }

  /// `operands`, then the stream where the runtime has one.
  static SmallVector<Value> withStream(SmallVector<Value> operands,
                                       Value stream) {
    if (stream)
      operands.push_back(stream);
    return operands;
  }

  /// Starts the reduction of `value` to every replica (`root` < 0) or to
  /// `root`; `call.resultTensor()` is the result once it completes.
  /// Returns the tensor whose buffer the reduction reads and the buffer it
  /// writes.
  std::pair<Value, Value> startReduce(RuntimeCall &call, ReductionKind kind,
                                      Value value, int64_t root,
                                      Value stream) const {
    Value input = call.toTensor(value);
    auto type = cast<RankedTensorType>(input.getType());
    Value in = call.readBuffer(input);
    Value out = call.allocate(type, call.dynamicSizes(input));
    SmallVector<Value> operands{in, out,
                                call.constant(runtime.getReductionCode(kind))};
    if (root >= 0)
      operands.push_back(call.constant(root));
    call.call(root >= 0 ? "reduce" : "all_reduce", type.getElementType(),
              withStream(operands, stream));
    return {input, out};
  }

  /// All-reduces started together: one call each, and per call the tensor
  /// read and the buffer written.
  struct StartedAllReduces {
    std::vector<RuntimeCall> calls;
    SmallVector<std::pair<Value, Value>> buffers;
  };

  /// Starts the all-reduce of each of `inputs`.
  StartedAllReduces startAllReduces(ConversionPatternRewriter &rewriter,
                                    Operation *op, ReductionKind kind,
                                    ValueRange inputs, Value stream) const {
    StartedAllReduces started;
    for (Value input : inputs) {
      started.calls.emplace_back(rewriter, op, runtime.prefix);
      started.buffers.push_back(
          startReduce(started.calls.back(), kind, input, -1, stream));
    }
    return started;
  }

  /// One reduction of `value` to every replica (`root` < 0) or to `root`.
  Value reduce(ConversionPatternRewriter &rewriter, Operation *op,
               ReductionKind kind, Value value, int64_t root) const {
    RuntimeCall call(rewriter, op, runtime.prefix);
    startReduce(call, kind, value, root, getStream(call));
    return call.fromTensor(call.resultTensor(), value.getType());
  }

  CollectiveRuntime runtime;
};

struct AllReduceToRuntime : RuntimePattern<AllReduceOp> {
  using RuntimePattern::RuntimePattern;
  LogicalResult
  matchAndRewrite(AllReduceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(
        op, reduce(rewriter, op, op.getKind(), adaptor.getInput(), -1));
    return success();
  }
};

/// The reductions of one batch (the packs of a readiness group) are
/// launched together: started inside a runtime group, completed at its end,
/// before any result is read. A batch of one needs no group.
struct BatchAllReduceToRuntime : RuntimePattern<BatchAllReduceOp> {
  using RuntimePattern::RuntimePattern;
  LogicalResult
  matchAndRewrite(BatchAllReduceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    bool grouped = adaptor.getInputs().size() > 1;
    RuntimeCall group(rewriter, op, runtime.prefix);
    Value stream = getStream(group);
    if (grouped)
      group.call("group_start");
    StartedAllReduces started = startAllReduces(
        rewriter, op, op.getKind(), adaptor.getInputs(), stream);
    if (grouped)
      group.call("group_end", TypeRange(), withStream({}, stream));
    SmallVector<Value> results;
    for (auto [call, input] :
         llvm::zip_equal(started.calls, adaptor.getInputs()))
      results.push_back(call.fromTensor(call.resultTensor(), input.getType()));
    rewriter.replaceOp(op, results);
    return success();
  }
};

/// A started all-reduce is a group launched without waiting; its done
/// waits for each result buffer. The done reads each input buffer again, so
/// that bufferization keeps it, unchanged, until the runtime has sent it
/// (MPI_Iallreduce reads it until then; where the runtime reduces at the
/// launch, replica-place-mpi-buffers lets later buffers take its range).
struct AllReduceStartToRuntime : RuntimePattern<AllReduceStartOp> {
  using RuntimePattern::RuntimePattern;
  LogicalResult
  matchAndRewrite(AllReduceStartOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    AllReduceDoneOp done = op.getDone();
    RuntimeCall group(rewriter, op, runtime.prefix);
    Value stream = getStream(group);
    group.call("group_start");
    StartedAllReduces started = startAllReduces(
        rewriter, op, op.getKind(), adaptor.getInputs(), stream);
    group.call("group_launch", TypeRange(), withStream({}, stream));

    rewriter.setInsertionPoint(done);
    SmallVector<Value> results;
    for (auto [call, input, buffer] : llvm::zip_equal(
             started.calls, adaptor.getInputs(), started.buffers)) {
      auto [tensor, out] = buffer;
      Value in = call.readBuffer(tensor);
      call.call("wait", getElementTypeOrSelf(tensor.getType()),
                withStream({in, out}, stream));
      results.push_back(call.fromTensor(call.resultTensor(), input.getType()));
    }
    rewriter.replaceOp(done, results);
    rewriter.eraseOp(op);
    return success();
  }
};

struct ReduceToToRuntime : RuntimePattern<ReduceToOp> {
  using RuntimePattern::RuntimePattern;
  LogicalResult
  matchAndRewrite(ReduceToOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, reduce(rewriter, op, op.getKind(),
                                  adaptor.getInput(), op.getDestination()));
    return success();
  }
};

struct BroadcastToRuntime : RuntimePattern<BroadcastOp> {
  using RuntimePattern::RuntimePattern;
  LogicalResult
  matchAndRewrite(BroadcastOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RuntimeCall call(rewriter, op, runtime.prefix);
    Value stream = getStream(call);
    Value input = call.toTensor(adaptor.getInput());
    auto type = cast<RankedTensorType>(input.getType());
    Value in = call.readBuffer(input);
    Value out = call.allocate(type, call.dynamicSizes(input));
    call.call("broadcast", type.getElementType(),
              withStream({in, out, call.constant(*op.getRoot())}, stream));
    rewriter.replaceOp(op, call.fromTensor(call.resultTensor(), op.getType()));
    return success();
  }
};

/// The runtime gathers the N blocks replica-major, which is the result for
/// dim 0; along another dimension the blocks are concatenated there.
struct AllGatherToRuntime : RuntimePattern<AllGatherOp> {
  using RuntimePattern::RuntimePattern;
  LogicalResult
  matchAndRewrite(AllGatherOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RuntimeCall call(rewriter, op, runtime.prefix);
    Value stream = getStream(call);
    Value input = adaptor.getInput();
    auto inputType = cast<RankedTensorType>(input.getType());
    auto resultType = cast<RankedTensorType>(op.getType());
    int64_t n = *getInReplicaContext(op);
    int64_t dim = op.getDim();
    SmallVector<Value> sizes = call.dynamicSizes(input);
    SmallVector<int64_t> blocksShape{n};
    llvm::append_range(blocksShape, inputType.getShape());
    auto blocksType =
        dim == 0
            ? resultType
            : RankedTensorType::get(blocksShape, inputType.getElementType());
    if (dim == 0 && inputType.isDynamicDim(0))
      sizes.front() = arith::MulIOp::create(
          rewriter, loc, sizes.front(),
          arith::ConstantIndexOp::create(rewriter, loc, n));
    Value in = call.readBuffer(input);
    Value out = call.allocate(blocksType, sizes);
    call.call("all_gather", inputType.getElementType(),
              withStream({in, out}, stream));
    Value blocks = call.resultTensor();
    if (dim == 0) {
      rewriter.replaceOp(op, blocks);
      return success();
    }
    SmallVector<Value> parts;
    SmallVector<OpFoldResult> inputSizes =
        tensor::getMixedSizes(rewriter, loc, input);
    for (int64_t k = 0; k < n; ++k) {
      SmallVector<OpFoldResult> offsets(blocksShape.size(),
                                        rewriter.getIndexAttr(0));
      offsets.front() = rewriter.getIndexAttr(k);
      SmallVector<OpFoldResult> blockSizes{rewriter.getIndexAttr(1)};
      llvm::append_range(blockSizes, inputSizes);
      SmallVector<OpFoldResult> strides(blocksShape.size(),
                                        rewriter.getIndexAttr(1));
      parts.push_back(tensor::ExtractSliceOp::create(
          rewriter, loc, inputType, blocks, offsets, blockSizes, strides));
    }
    rewriter.replaceOpWithNewOp<tensor::ConcatOp>(op, dim, parts);
    return success();
  }
};
} // namespace

void mlir::replica::populateCollectivesToRuntimeCallsPatterns(
    RewritePatternSet &patterns, const CollectiveRuntime &runtime) {
  patterns.add<AllReduceToRuntime, BatchAllReduceToRuntime,
               AllReduceStartToRuntime, ReduceToToRuntime,
               BroadcastToRuntime, AllGatherToRuntime>(patterns.getContext(),
                                                       runtime);
}
