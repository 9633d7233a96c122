//===- ReplicaToMPI.cpp - SPMD collectives to MPI
//---------------------------===//

#include "replica/Conversion/Passes.h"
#include "replica/Conversion/RuntimeCall.h"

#include "replica/Dialect/Replica/IR/ReplicaOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/DLTI/DLTI.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MPI/IR/MPI.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Transforms/DialectConversion.h"

namespace mlir::replica {
#define GEN_PASS_DEF_CONVERTREPLICATOMPIPASS
#include "replica/Conversion/Passes.h.inc"
} // namespace mlir::replica

using namespace mlir;
using namespace mlir::replica;

/// The MPI runtime's entry points: replica_mpi_<collective>[_<type>].
static constexpr StringLiteral kPrefix = "replica_mpi_";

namespace {
/// Starts the reduction of `value` to every process (`root` < 0) or to
/// `root`; `call.resultTensor()` is the result once it completes.
void startReduce(RuntimeCall &call, ReductionKind kind, Value value,
                 int64_t root) {
  Value input = call.toTensor(value);
  auto type = cast<RankedTensorType>(input.getType());
  Value in = call.readBuffer(input);
  Value out = call.allocate(type, call.dynamicSizes(input));
  SmallVector<Value> operands{in, out,
                              call.constant(static_cast<int64_t>(kind))};
  if (root >= 0)
    operands.push_back(call.constant(root));
  call.call(root >= 0 ? "reduce" : "all_reduce", type.getElementType(),
            operands);
}

/// One reduction of `value` to every process (`root` < 0) or to `root`.
Value reduce(ConversionPatternRewriter &rewriter, Operation *op,
             ReductionKind kind, Value value, int64_t root) {
  RuntimeCall call(rewriter, op, kPrefix);
  startReduce(call, kind, value, root);
  return call.fromTensor(call.resultTensor(), value.getType());
}

struct AllReduceToMPI : OpConversionPattern<AllReduceOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(AllReduceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(
        op, reduce(rewriter, op, op.getKind(), adaptor.getInput(), -1));
    return success();
  }
};

struct BatchAllReduceToMPI : OpConversionPattern<BatchAllReduceOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(BatchAllReduceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    // The reductions of one batch are launched together: started inside a
    // runtime group, completed at its end, before any result is read.
    bool grouped = adaptor.getInputs().size() > 1;
    RuntimeCall group(rewriter, op, kPrefix);
    if (grouped)
      group.call("group_start");
    std::vector<RuntimeCall> calls;
    for (Value input : adaptor.getInputs()) {
      calls.emplace_back(rewriter, op, kPrefix);
      startReduce(calls.back(), op.getKind(), input, -1);
    }
    if (grouped)
      group.call("group_end");
    SmallVector<Value> results;
    for (auto [call, input] : llvm::zip_equal(calls, adaptor.getInputs()))
      results.push_back(call.fromTensor(call.resultTensor(), input.getType()));
    rewriter.replaceOp(op, results);
    return success();
  }
};

struct ReduceToToMPI : OpConversionPattern<ReduceToOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ReduceToOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, reduce(rewriter, op, op.getKind(),
                                  adaptor.getInput(), op.getDestination()));
    return success();
  }
};

struct BroadcastToMPI : OpConversionPattern<BroadcastOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(BroadcastOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RuntimeCall call(rewriter, op, kPrefix);
    Value input = call.toTensor(adaptor.getInput());
    auto type = cast<RankedTensorType>(input.getType());
    Value in = call.readBuffer(input);
    Value out = call.allocate(type, call.dynamicSizes(input));
    call.call("broadcast", type.getElementType(),
              {in, out, call.constant(*op.getRoot())});
    rewriter.replaceOp(op, call.fromTensor(call.resultTensor(), op.getType()));
    return success();
  }
};

/// The runtime gathers the N blocks replica-major.
struct AllGatherToMPI : OpConversionPattern<AllGatherOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(AllGatherOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    replaceAllGather(op, adaptor.getInput(), rewriter, kPrefix,
                     [&](RuntimeCall &call, Value in, Value out) {
                       call.call("all_gather",
                                 getElementTypeOrSelf(in.getType()), {in, out});
                     });
    return success();
  }
};

struct ReplicaIdToRank : OpConversionPattern<ReplicaIdOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ReplicaIdOp op, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value world = mpi::CommWorldOp::create(
        rewriter, loc, mpi::CommType::get(rewriter.getContext()));
    Value rank = mpi::CommRankOp::create(rewriter, loc, /*retval=*/Type(),
                                         rewriter.getI32Type(), world)
                     .getRank();
    rewriter.replaceOpWithNewOp<arith::IndexCastOp>(op, rewriter.getIndexType(),
                                                    rank);
    return success();
  }
};

struct ConvertReplicaToMPIPass
    : replica::impl::ConvertReplicaToMPIPassBase<ConvertReplicaToMPIPass> {
  using Base::Base;
  void runOnOperation() override;
};
} // namespace

void ConvertReplicaToMPIPass::runOnOperation() {
  ModuleOp module = getOperation();
  MLIRContext *context = &getContext();
  if (failed(checkRuntimeCollectives(module, "MPI")))
    return signalPassFailure();

  // The mpi dialect's LLVM lowering picks the MPI ABI from this entry.
  module->setAttr(
      "dlti.map",
      MapAttr::get(context, {DataLayoutEntryAttr::get(
                                StringAttr::get(context, "MPI:Implementation"),
                                StringAttr::get(context, "OpenMPI"))}));

  ConversionTarget target(*context);
  target.addIllegalDialect<ReplicaDialect>();
  target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
  RewritePatternSet patterns(context);
  patterns.add<AllReduceToMPI, BatchAllReduceToMPI, ReduceToToMPI,
               BroadcastToMPI, AllGatherToMPI, ReplicaIdToRank>(context);
  if (failed(applyPartialConversion(module, target, std::move(patterns))))
    signalPassFailure();
}
