//===- ReplicaToMPI.cpp - SPMD collectives to MPI
//---------------------------===//

#include "replica/Conversion/Passes.h"
#include "replica/Conversion/RuntimeCall.h"

#include "replica/Dialect/Replica/IR/ReplicaOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/DLTI/DLTI.h"
#include "mlir/Dialect/MPI/IR/MPI.h"
#include "mlir/Transforms/DialectConversion.h"

namespace mlir::replica {
#define GEN_PASS_DEF_CONVERTREPLICATOMPIPASS
#include "replica/Conversion/Passes.h.inc"
} // namespace mlir::replica

using namespace mlir;
using namespace mlir::replica;

/// The MPI runtime: entry points replica_mpi_<collective>[_<type>], the
/// reduction kind passed as itself (its enum values), no streams.
static const CollectiveRuntime kMPIRuntime{
    "MPI", "replica_mpi_",
    [](ReductionKind kind) { return static_cast<int64_t>(kind); },
    /*getStream=*/nullptr};

namespace {
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
  if (failed(checkRuntimeCollectives(module, kMPIRuntime)))
    return signalPassFailure();

  // The mpi dialect's LLVM lowering picks the MPI ABI from this entry.
  module->setAttr(
      "dlti.map",
      MapAttr::get(context, {DataLayoutEntryAttr::get(
                                StringAttr::get(context, "MPI:Implementation"),
                                StringAttr::get(context, "OpenMPI"))}));

  ConversionTarget target(*context);
  target.addIllegalDialect<ReplicaDialect>();
  // Packs are plain tensor ops that bufferize themselves.
  target.addLegalOp<PackOp, SplitPackOp>();
  target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
  RewritePatternSet patterns(context);
  populateCollectivesToRuntimeCallsPatterns(patterns, kMPIRuntime);
  patterns.add<ReplicaIdToRank>(context);
  if (failed(applyPartialConversion(module, target, std::move(patterns))))
    signalPassFailure();
}
