//===- Pipelines.cpp - replica-lower-to-* pipelines -----------------------===//

#include "replica/Pipelines/Pipelines.h"

#include "replica/Conversion/Passes.h"
#include "replica/Dialect/Replica/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;
using namespace mlir::replica;

/// The canonicalizer without the inlining of `memref.alloca_scope`: a scope
/// around a runtime call holds no allocation until the LLVM lowering puts
/// the call's unranked memref descriptors on the stack, so upstream would
/// inline it and a call in a loop would grow the stack every iteration.
static std::unique_ptr<Pass> createScopePreservingCanonicalizer() {
  return createCanonicalizerPass(GreedyRewriteConfig(),
                                 /*disabledPatterns=*/{"AllocaScopeInliner"});
}

/// Tensors to buffers to the LLVM dialect, shared by every backend.
static void buildTensorsToLLVM(OpPassManager &pm) {
  pm.addNestedPass<func::FuncOp>(createConvertElementwiseToLinalgPass());
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  // Loops carrying reduced tensors yield fresh buffers each iteration.
  bufferize.allowReturnAllocsFromLoops = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  // Values computed straight into their pack slice leave copies of a buffer
  // onto itself (through equal subviews and reshapes): these fold away.
  pm.addPass(createScopePreservingCanonicalizer());
  pm.addPass(createCSEPass());
  // bufferization::buildBufferDeallocationPipeline, with canonicalizers that
  // keep the runtime calls' alloca scopes.
  pm.addPass(memref::createExpandReallocPass(
      memref::ExpandReallocPassOptions{/*emitDeallocs=*/false}));
  pm.addPass(createScopePreservingCanonicalizer());
  pm.addPass(bufferization::createOwnershipBasedBufferDeallocationPass());
  pm.addPass(createScopePreservingCanonicalizer());
  pm.addPass(bufferization::createBufferDeallocationSimplificationPass());
  pm.addPass(bufferization::createLowerDeallocationsPass());
  pm.addPass(createCSEPass());
  pm.addPass(createScopePreservingCanonicalizer());
  // Deallocation leaves bufferization.clone for buffers that escape.
  pm.addPass(createConvertBufferizationToMemRefPass());
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  pm.addPass(createConvertVectorToSCFPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
  // convert-to-llvm's vector interface leaves 1-D transfer_read/write alone;
  // the vector pass lowers them to loads and stores first.
  pm.addPass(createConvertVectorToLLVMPass());
  pm.addPass(createConvertToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
}

/// replica-fuse-reductions with the pipeline's fusion options.
static void addFusion(OpPassManager &pm, const LowerOptions &options) {
  if (!options.fuse)
    return;
  ReplicaFuseReductionsPassOptions fusion;
  fusion.bytesPerPack = options.bytesPerPack;
  fusion.maxOpsPerPack = options.maxOpsPerPack;
  fusion.alignment = options.alignment;
  fusion.latencyUs = options.latencyUs;
  fusion.bandwidthGbps = options.bandwidthGbps;
  fusion.costTable = options.costTable;
  fusion.report = options.report;
  pm.addPass(createReplicaFuseReductionsPass(fusion));
}

void mlir::replica::buildLowerToCPUPipeline(OpPassManager &pm,
                                            const LowerOptions &options) {
  pm.addPass(createReplicaDecomposeStructuresPass());
  pm.addPass(createCanonicalizerPass());
  addFusion(pm, options);
  pm.addPass(createReplicaUnrollPass());
  pm.addPass(createConvertReplicaToLinalgPass());
  pm.addPass(createCanonicalizerPass());
  buildTensorsToLLVM(pm);
}

void mlir::replica::buildLowerToMPIPipeline(OpPassManager &pm,
                                            const LowerOptions &options) {
  pm.addPass(createReplicaDecomposeStructuresPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createReplicaToSPMDPass());
  // After SPMD every collective is in-replica: packs need no per-replica
  // components (which an SPMD program would have to broadcast).
  addFusion(pm, options);
  // No canonicalization between here and bufferization: it would fold the
  // runtime calls' to_buffer(to_tensor(result)) pairs, hiding their reads of
  // result buffers from one-shot bufferization's in-place analysis.
  pm.addPass(createConvertReplicaToMPIPass());
  buildTensorsToLLVM(pm);
}

void mlir::replica::registerReplicaPipelines() {
  PassPipelineRegistration<LowerOptions>(
      "replica-lower-to-cpu",
      "Unroll, lower collectives to tensor arithmetic, bufferize, to LLVM",
      buildLowerToCPUPipeline);
  PassPipelineRegistration<LowerOptions>(
      "replica-lower-to-mpi",
      "One process per replica: SPMD, collectives to MPI, bufferize, to LLVM",
      buildLowerToMPIPipeline);
}
