//===- Replica.h - C API for the replica dialect ------------------*- C -*-===//
//
// Registration of the dialect, its passes and pipelines, and its types, in
// the conventions of MLIR's C API (mlir-c/): opaque handles, MlirStringRef,
// MlirLogicalResult.
//
//===----------------------------------------------------------------------===//

#ifndef REPLICA_C_DIALECT_REPLICA_H
#define REPLICA_C_DIALECT_REPLICA_H

#include "mlir-c/IR.h"
#include "mlir-c/Pass.h"
#include "mlir-c/Support.h"

#ifdef __cplusplus
extern "C" {
#endif

MLIR_DECLARE_CAPI_DIALECT_REGISTRATION(Replica, replica);

/// Inserts the replica dialect and every upstream dialect and extension its
/// programs and pipelines use into `registry`.
MLIR_CAPI_EXPORTED void
mlirReplicaRegisterAllDialects(MlirDialectRegistry registry);

/// Registers the replica passes, conversions and `replica-lower-to-*`
/// pipelines (and the upstream passes they build on), so that textual
/// pipelines (mlirParsePassPipeline) can name them.
MLIR_CAPI_EXPORTED void mlirReplicaRegisterPasses(void);

/// Appends `replica-lower-to-cpu` with its textual `options` (e.g.
/// "fuse=false" or "bytes-per-pack=0"; empty for the defaults) to `pm`.
/// Invalid options fail and append nothing; the option parser's message
/// goes to `errorCallback` or, for a value of the wrong kind, to stderr
/// (LLVM's command-line parser prints those itself).
MLIR_CAPI_EXPORTED MlirLogicalResult mlirReplicaAddLowerToCPUPipeline(
    MlirOpPassManager pm, MlirStringRef options,
    MlirStringCallback errorCallback, void *userData);

/// Appends `replica-lower-to-mpi`, as mlirReplicaAddLowerToCPUPipeline.
MLIR_CAPI_EXPORTED MlirLogicalResult mlirReplicaAddLowerToMPIPipeline(
    MlirOpPassManager pm, MlirStringRef options,
    MlirStringCallback errorCallback, void *userData);

/// Appends `replica-lower-to-nccl`, as mlirReplicaAddLowerToCPUPipeline.
MLIR_CAPI_EXPORTED MlirLogicalResult mlirReplicaAddLowerToNCCLPipeline(
    MlirOpPassManager pm, MlirStringRef options,
    MlirStringCallback errorCallback, void *userData);

/// Whether `type` is a `!replica.per_replica<N x T>`.
MLIR_CAPI_EXPORTED bool mlirTypeIsAReplicaPerReplica(MlirType type);

/// Whether `type` is a `!replica.mirrored<N x T>`.
MLIR_CAPI_EXPORTED bool mlirTypeIsAReplicaMirrored(MlirType type);

/// `!replica.per_replica<numReplicas x element>`; null if invalid.
MLIR_CAPI_EXPORTED MlirType mlirReplicaPerReplicaTypeGet(MlirContext context,
                                                         int64_t numReplicas,
                                                         MlirType element);

/// `!replica.mirrored<numReplicas x element>`; null if invalid.
MLIR_CAPI_EXPORTED MlirType mlirReplicaMirroredTypeGet(MlirContext context,
                                                       int64_t numReplicas,
                                                       MlirType element);

/// N of a per-replica or mirrored type.
MLIR_CAPI_EXPORTED int64_t
mlirReplicaDistributedTypeGetNumReplicas(MlirType type);

/// T of a per-replica or mirrored type.
MLIR_CAPI_EXPORTED MlirType
mlirReplicaDistributedTypeGetElementType(MlirType type);

#ifdef __cplusplus
}
#endif

#endif // REPLICA_C_DIALECT_REPLICA_H
