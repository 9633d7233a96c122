//===- Pipelines.cpp - replica-lower-to-* pipelines -----------------------===//

#include "replica/Pipelines/Pipelines.h"

#include "replica/Conversion/Passes.h"
#include "replica/Dialect/Replica/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;
using namespace mlir::replica;

/// Tensors to buffers to the LLVM dialect, shared by every backend.
static void buildTensorsToLLVM(OpPassManager &pm) {
  pm.addPass(createCanonicalizerPass());
  pm.addNestedPass<func::FuncOp>(createConvertElementwiseToLinalgPass());
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  bufferization::buildBufferDeallocationPipeline(pm);
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(createConvertToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
}

void mlir::replica::buildLowerToCPUPipeline(OpPassManager &pm,
                                            const LowerOptions &) {
  pm.addPass(createReplicaDecomposeStructuresPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createReplicaUnrollPass());
  pm.addPass(createConvertReplicaToLinalgPass());
  buildTensorsToLLVM(pm);
}

void mlir::replica::buildLowerToMPIPipeline(OpPassManager &pm,
                                            const LowerOptions &) {
  pm.addPass(createReplicaDecomposeStructuresPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createReplicaToSPMDPass());
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
