//===- Pipelines.h - replica-lower-to-* pipelines ---------------*- C++ -*-===//

#ifndef REPLICA_PIPELINES_PIPELINES_H
#define REPLICA_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

namespace mlir::replica {

/// Options of the lowering pipelines: whether to fuse reductions, and the
/// fusion options, forwarded to replica-fuse-reductions.
struct LowerOptions : PassPipelineOptions<LowerOptions> {
  PassOptions::Option<bool> fuse{
      *this, "fuse",
      llvm::cl::desc("Pack reductions (replica-fuse-reductions)"),
      llvm::cl::init(true)};
  PassOptions::Option<bool> schedule{
      *this, "schedule",
      llvm::cl::desc("Overlap all-reduces with computation "
                     "(replica-schedule-collectives)"),
      llvm::cl::init(true)};
  PassOptions::Option<int64_t> maxInFlight{
      *this, "max-in-flight",
      llvm::cl::desc("Collectives in flight at once at most when scheduled "
                     "(0: no bound)"),
      llvm::cl::init(0)};
  PassOptions::Option<int64_t> bytesPerPack{
      *this, "bytes-per-pack",
      llvm::cl::desc("Pack size limit in bytes (-1: cost model, 0: one pack "
                     "per key)"),
      llvm::cl::init(-1)};
  PassOptions::Option<int64_t> maxOpsPerPack{
      *this, "max-ops-per-pack",
      llvm::cl::desc("Most candidates in one pack (0: no limit)"),
      llvm::cl::init(0)};
  PassOptions::Option<int64_t> alignment{
      *this, "alignment", llvm::cl::desc("Byte alignment of pack members"),
      llvm::cl::init(64)};
  PassOptions::Option<double> latencyUs{
      *this, "latency-us",
      llvm::cl::desc("Modelled latency in microseconds (0: the backend's "
                     "default, see FusionModel)"),
      llvm::cl::init(0.0)};
  PassOptions::Option<double> bandwidthGbps{
      *this, "bandwidth-gbps",
      llvm::cl::desc("Modelled bandwidth in GB/s (0: the backend's default, "
                     "see FusionModel)"),
      llvm::cl::init(0.0)};
  PassOptions::Option<std::string> costTable{
      *this, "cost-table",
      llvm::cl::desc("Measured all-reduce times, bytes:microseconds,..."),
      llvm::cl::init("")};
  PassOptions::Option<std::string> report{
      *this, "report", llvm::cl::desc("Write the packs as JSON to this file"),
      llvm::cl::init("")};
  PassOptions::Option<std::string> gpuChip{
      *this, "gpu-chip",
      llvm::cl::desc("GPU the kernels are compiled for (nccl)"),
      llvm::cl::init("sm_90")};
  // The NVVM target's ptxas needs PTX 7.8 or later for sm_90.
  PassOptions::Option<std::string> gpuFeatures{
      *this, "gpu-features",
      llvm::cl::desc("NVVM target features of the kernels (nccl)"),
      llvm::cl::init("+ptx80")};
  // Kernels that call math functions need the toolkit's libdevice, which
  // gpu-module-to-binary links from <toolkit>/nvvm/libdevice.
  PassOptions::Option<std::string> gpuToolkit{
      *this, "gpu-toolkit",
      llvm::cl::desc("CUDA toolkit whose ptxas and libdevice compile the "
                     "kernels (nccl; default: the one replica was configured "
                     "with, else $CUDA_HOME and the like)"),
      llvm::cl::init("")};
};

/// The alpha-beta model `auto` packing uses on a backend unless the options
/// give one (or a cost table), and the compute rate of the schedule's
/// modelled timeline.
struct FusionModel {
  double latencyUs;
  double bandwidthGbps;
  double computeGflops;
};

/// cpu: the reduction is a loop over memory in one process (a start-up of
/// about a microsecond, a memory-bound bandwidth): packs of about 200 KB.
/// Host compute (cpu, mpi): the generated loops on one core, about 2 GFLOP/s
/// (1.2 to 2.6 measured on imported training steps).
inline constexpr FusionModel kCPUFusionModel{1.0, 10.0, 2.0};
/// mpi: packs of about 1 MB. Measured by `replica-run --calibrate` on 2
/// ranks, Open MPI's shared-memory all-reduce costs tens of microseconds per
/// call and a few GB/s (best per byte around 1 MiB); replica's shared-memory
/// transport, the default, costs a microsecond or two per call and reduces
/// any size at memory bandwidth, so there packs of this size keep the calls
/// few without making any pack wait long.
inline constexpr FusionModel kMPIFusionModel{10.0, 5.0, 2.0};
/// nccl: NVLink-class GPUs, the fusion pass's own default; an H100's FP32
/// rate without tensor cores.
inline constexpr FusionModel kNCCLFusionModel{20.0, 370.0, 50000.0};

/// replica-lower-to-cpu: decompose, unroll, the reference lowering of the
/// collectives, bufferization and the upstream lowering to the LLVM dialect.
void buildLowerToCPUPipeline(OpPassManager &pm, const LowerOptions &options);

/// replica-lower-to-mpi: decompose, SPMD form, collectives to MPI calls,
/// bufferization and the upstream lowering to the LLVM dialect.
void buildLowerToMPIPipeline(OpPassManager &pm, const LowerOptions &options);

/// replica-lower-to-nccl: decompose, SPMD form, collectives to NCCL calls,
/// bufferization, compute to GPU kernels compiled to a binary for
/// `gpuChip`, host code to the LLVM dialect.
void buildLowerToNCCLPipeline(OpPassManager &pm, const LowerOptions &options);

/// Registers the replica-lower-to-* pipelines with the pass registry.
void registerReplicaPipelines();

} // namespace mlir::replica

#endif // REPLICA_PIPELINES_PIPELINES_H
