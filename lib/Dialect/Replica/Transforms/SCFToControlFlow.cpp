//===- SCFToControlFlow.cpp - scf to cf in linear time
//---------------------===//

#include "replica/Dialect/Replica/Transforms/Passes.h"

#include "mlir/Conversion/SCFToControlFlow/SCFToControlFlow.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Iterators.h"
#include "mlir/Rewrite/FrozenRewritePatternSet.h"
#include "mlir/Transforms/DialectConversion.h"

namespace mlir::replica {
#define GEN_PASS_DEF_REPLICASCFTOCONTROLFLOWPASS
#include "replica/Dialect/Replica/Transforms/Passes.h.inc"
} // namespace mlir::replica

using namespace mlir;
using namespace mlir::replica;

namespace {
struct ReplicaSCFToControlFlowPass
    : replica::impl::ReplicaSCFToControlFlowPassBase<
          ReplicaSCFToControlFlowPass> {
  LogicalResult initialize(MLIRContext *context) override {
    RewritePatternSet set(context);
    populateSCFToControlFlowConversionPatterns(set);
    patterns = std::move(set);
    return success();
  }

  void runOnOperation() override {
    // Outer ops before the ops they hold, each block's ops last to first.
    SmallVector<Operation *> structured;
    getOperation()->walk<WalkOrder::PreOrder, ReverseIterator>(
        [&](Operation *op) {
          if (!op->hasTrait<OpTrait::IsTerminator>() &&
              isa<scf::SCFDialect>(op->getDialect()))
            structured.push_back(op);
        });
    // One conversion per op: the ops it holds are left for their own turn
    // (upstream's patterns expect single-block regions in the op they
    // lower), while the scf ops a pattern creates are lowered with it.
    DenseSet<Operation *> pending(structured.begin(), structured.end());
    ConversionTarget target(getContext());
    target.addDynamicallyLegalDialect<scf::SCFDialect>([&](Operation *op) {
      return op->hasTrait<OpTrait::IsTerminator>() || pending.contains(op);
    });
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    for (Operation *op : structured) {
      pending.erase(op);
      if (failed(applyPartialConversion(op, target, patterns)))
        return signalPassFailure();
    }
  }

  FrozenRewritePatternSet patterns;
};
} // namespace
