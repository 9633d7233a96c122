//===- Pipelines.cpp - replica-lower-to-* pipelines -----------------------===//

#include "replica/Pipelines/Pipelines.h"

#include "replica/Conversion/Passes.h"
#include "replica/Dialect/Replica/Transforms/Passes.h"

#include "mlir/Conversion/GPUCommon/GPUCommonPass.h"
#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;
using namespace mlir::replica;

// The CUDA toolkit found at configuration; empty leaves the choice to the
// NVVM target ($CUDA_HOME and the like).
#ifndef REPLICA_CUDA_TOOLKIT_DIR
#define REPLICA_CUDA_TOOLKIT_DIR ""
#endif

/// Tensors to buffers with their deallocation, shared by every backend.
static void buildTensorsToBuffers(OpPassManager &pm) {
  pm.addNestedPass<func::FuncOp>(createConvertElementwiseToLinalgPass());
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  // Loops carrying reduced tensors yield fresh buffers each iteration.
  bufferize.allowReturnAllocsFromLoops = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  // A call whose result is the buffer it was given to write into returns
  // nothing: its caller keeps its own allocation, which deallocation can
  // reason about (an opaque call result costs it alias queries with every
  // other buffer).
  pm.addPass(bufferization::createDropEquivalentBufferResultsPass());
  // Members computed in fresh buffers are computed in their pack slices.
  pm.addPass(createReplicaPackInPlacePass());
  // bufferization::buildBufferDeallocationPipeline, with its first
  // canonicalization shared with the clean-up after packing (and a CSE with
  // it), and the deallocs of distinct allocations split before the
  // simplification compares every pair of their buffers.
  pm.addPass(memref::createExpandReallocPass(
      memref::ExpandReallocPassOptions{/*emitDeallocs=*/false}));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addPass(bufferization::createOwnershipBasedBufferDeallocationPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createReplicaSplitFreshDeallocsPass());
  pm.addPass(bufferization::createBufferDeallocationSimplificationPass());
  pm.addPass(bufferization::createLowerDeallocationsPass());
  pm.addPass(createCSEPass());
  pm.addPass(createCanonicalizerPass());
  // Deallocation leaves bufferization.clone for buffers that escape.
  pm.addPass(createConvertBufferizationToMemRefPass());
}

/// Loops, vector transfers and affine maps on buffers to control flow (in
/// host code and kernels alike).
static void buildBuffersToControlFlow(OpPassManager &pm) {
  pm.addPass(createConvertVectorToSCFPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createReplicaSCFToControlFlowPass());
}

/// Host code on buffers to the LLVM dialect.
static void buildHostToLLVM(OpPassManager &pm) {
  buildBuffersToControlFlow(pm);
  // convert-to-llvm's vector interface leaves 1-D transfer_read/write alone;
  // the vector pass lowers them to loads and stores first.
  pm.addPass(createConvertVectorToLLVMPass());
  pm.addPass(createConvertToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
}

/// Tensors to buffers to the LLVM dialect on the host (cpu, mpi), running
/// `onBuffers` once the program is on buffers.
static void
buildTensorsToLLVM(OpPassManager &pm,
                   function_ref<void(OpPassManager &)> onBuffers = {}) {
  buildTensorsToBuffers(pm);
  if (onBuffers)
    onBuffers(pm);
  pm.addPass(createReplicaFlattenElementwisePass());
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  // Math functions LLVM has no intrinsic for (erf, tanh, ...) become libm
  // calls, which the JIT resolves in the process; the rest stay intrinsics.
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  buildHostToLLVM(pm);
}

/// The backend's `model` with the latency and bandwidth the options give.
static FusionModel withOptions(const LowerOptions &options, FusionModel model) {
  if (options.latencyUs > 0)
    model.latencyUs = options.latencyUs;
  if (options.bandwidthGbps > 0)
    model.bandwidthGbps = options.bandwidthGbps;
  return model;
}

/// replica-fuse-reductions with the pipeline's fusion options; `model` is
/// the backend's alpha-beta model where the options give none.
static void addFusion(OpPassManager &pm, const LowerOptions &options,
                      FusionModel model) {
  if (!options.fuse)
    return;
  model = withOptions(options, model);
  ReplicaFuseReductionsPassOptions fusion;
  fusion.bytesPerPack = options.bytesPerPack;
  fusion.maxOpsPerPack = options.maxOpsPerPack;
  fusion.alignment = options.alignment;
  fusion.latencyUs = model.latencyUs;
  fusion.bandwidthGbps = model.bandwidthGbps;
  fusion.costTable = options.costTable;
  fusion.report = options.report;
  pm.addPass(createReplicaFuseReductionsPass(fusion));
}

/// replica-schedule-collectives, after fusion has formed the packs it
/// places; its timeline joins the fusion report, modelled as fusion models
/// the packs.
static void addScheduling(OpPassManager &pm, const LowerOptions &options,
                          FusionModel model) {
  if (!options.schedule)
    return;
  model = withOptions(options, model);
  ReplicaScheduleCollectivesPassOptions scheduling;
  scheduling.maxInFlight = options.maxInFlight;
  scheduling.report = options.report;
  scheduling.latencyUs = model.latencyUs;
  scheduling.bandwidthGbps = model.bandwidthGbps;
  scheduling.costTable = options.costTable;
  scheduling.computeGflops = model.computeGflops;
  pm.addPass(createReplicaScheduleCollectivesPass(scheduling));
}

/// Structures decomposed, the SPMD form, then fusion: after SPMD every
/// collective is in-replica, so packs need no per-replica components (which
/// an SPMD program would have to broadcast). Shared by mpi and nccl.
static void buildSPMDPrologue(OpPassManager &pm, const LowerOptions &options,
                              FusionModel model) {
  pm.addPass(createReplicaDecomposeStructuresPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createReplicaToSPMDPass());
  addFusion(pm, options, model);
  addScheduling(pm, options, model);
}

void mlir::replica::buildLowerToCPUPipeline(OpPassManager &pm,
                                            const LowerOptions &options) {
  pm.addPass(createReplicaDecomposeStructuresPass());
  pm.addPass(createCanonicalizerPass());
  addFusion(pm, options, kCPUFusionModel);
  // One process has nothing to overlap; scheduled, the reference computes
  // each all-reduce where the scheduler starts it.
  addScheduling(pm, options, kCPUFusionModel);
  pm.addPass(createReplicaUnrollPass());
  pm.addPass(createConvertReplicaToLinalgPass());
  pm.addPass(createCanonicalizerPass());
  buildTensorsToLLVM(pm);
}

void mlir::replica::buildLowerToMPIPipeline(OpPassManager &pm,
                                            const LowerOptions &options) {
  buildSPMDPrologue(pm, options, kMPIFusionModel);
  // No canonicalization between here and bufferization: it would fold the
  // runtime calls' to_buffer(to_tensor(result)) pairs, hiding their reads of
  // result buffers from one-shot bufferization's in-place analysis.
  pm.addPass(createConvertReplicaToMPIPass());
  buildTensorsToLLVM(pm, [](OpPassManager &pm) {
    pm.addPass(createReplicaPlaceMPIBuffersPass());
  });
}

void mlir::replica::buildLowerToNCCLPipeline(OpPassManager &pm,
                                             const LowerOptions &options) {
  buildSPMDPrologue(pm, options, kNCCLFusionModel);
  // As for mpi: nothing may fold the runtime calls' buffer round trips
  // before bufferization.
  pm.addPass(createConvertReplicaToNCCLPass());
  buildTensorsToBuffers(pm);

  // Compute: every parallel loop nest becomes a kernel, 256 threads a block
  // along the innermost tiled dimension (guards instead of min bounds, which
  // convert-parallel-loops-to-gpu cannot map).
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToParallelLoopsPass());
  // The copies into and out of a pack that remain: one kernel per pack.
  pm.addNestedPass<func::FuncOp>(createReplicaBatchPackCopiesPass());
  pm.addNestedPass<func::FuncOp>(
      createParallelLoopTilingPass({256}, /*noMinMaxBounds=*/true));
  pm.addNestedPass<func::FuncOp>(createGpuMapParallelLoopsPass());
  pm.addNestedPass<func::FuncOp>(createConvertParallelLoopToGpuPass());
  pm.addPass(createGpuKernelOutliningPass());
  // Kernels on the replica's compute stream, the host waiting only where it
  // reads memory.
  pm.addPass(createReplicaOrderGPUStreamsPass());
  GpuNVVMAttachTargetOptions target;
  target.chip = options.gpuChip;
  target.features = options.gpuFeatures;
  pm.addPass(createGpuNVVMAttachTarget(target));
  // Host and kernels to control flow without affine maps, then the kernels
  // to NVVM, as gpu-lower-to-nvvm-pipeline orders them.
  buildBuffersToControlFlow(pm);
  pm.addNestedPass<gpu::GPUModuleOp>(createStripDebugInfoPass());
  pm.addNestedPass<gpu::GPUModuleOp>(createConvertGpuOpsToNVVMOps());
  pm.addNestedPass<gpu::GPUModuleOp>(createCanonicalizerPass());
  pm.addNestedPass<gpu::GPUModuleOp>(createCSEPass());
  pm.addNestedPass<gpu::GPUModuleOp>(createReconcileUnrealizedCastsPass());

  // Host: buffers come from the runtime's _mlir_memref_to_llvm_alloc, which
  // allocates memory every device can address; launches go through the
  // mgpu* entry points.
  FinalizeMemRefToLLVMConversionPassOptions memrefToLLVM;
  memrefToLLVM.useGenericFunctions = true;
  pm.addPass(createConvertVectorToLLVMPass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass(memrefToLLVM));
  pm.addPass(createGpuToLLVMConversionPass());
  pm.addPass(createConvertToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  GpuModuleToBinaryPassOptions binary;
  binary.compilationTarget = "fatbin";
  binary.toolkitPath = options.gpuToolkit.empty()
                           ? std::string(REPLICA_CUDA_TOOLKIT_DIR)
                           : options.gpuToolkit.getValue();
  pm.addPass(createGpuModuleToBinaryPass(binary));
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
  PassPipelineRegistration<LowerOptions>(
      "replica-lower-to-nccl",
      "One GPU per replica: SPMD, collectives to NCCL, compute to GPU "
      "kernels (sm_90 binary), host code to LLVM",
      buildLowerToNCCLPipeline);
}
