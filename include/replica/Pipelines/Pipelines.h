//===- Pipelines.h - replica-lower-to-* pipelines ---------------*- C++ -*-===//

#ifndef REPLICA_PIPELINES_PIPELINES_H
#define REPLICA_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

namespace mlir::replica {

/// Options of the lowering pipelines.
struct LowerOptions : PassPipelineOptions<LowerOptions> {};

/// replica-lower-to-cpu: decompose, unroll, the reference lowering of the
/// collectives, bufferization and the upstream lowering to the LLVM dialect.
void buildLowerToCPUPipeline(OpPassManager &pm, const LowerOptions &options);

/// replica-lower-to-mpi: decompose, SPMD form, collectives to MPI calls,
/// bufferization and the upstream lowering to the LLVM dialect.
void buildLowerToMPIPipeline(OpPassManager &pm, const LowerOptions &options);

/// Registers the replica-lower-to-* pipelines with the pass registry.
void registerReplicaPipelines();

} // namespace mlir::replica

#endif // REPLICA_PIPELINES_PIPELINES_H
