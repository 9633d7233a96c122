//===- Replica.cpp - C API for the replica dialect ------------------------===//

#include "replica-c/Dialect/Replica.h"

#include "replica/Conversion/Passes.h"
#include "replica/Dialect/Replica/IR/ReplicaDialect.h"
#include "replica/Dialect/Replica/IR/ReplicaTypes.h"
#include "replica/Dialect/Replica/Transforms/Passes.h"
#include "replica/Pipelines/Pipelines.h"

#include "mlir/CAPI/IR.h"
#include "mlir/CAPI/Pass.h"
#include "mlir/CAPI/Registration.h"
#include "mlir/CAPI/Support.h"
#include "mlir/CAPI/Utils.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"

using namespace mlir;
using namespace mlir::replica;

MLIR_DEFINE_CAPI_DIALECT_REGISTRATION(Replica, replica, ReplicaDialect)

void mlirReplicaRegisterAllDialects(MlirDialectRegistry registry) {
  DialectRegistry &cppRegistry = *unwrap(registry);
  registerAllDialects(cppRegistry);
  registerAllExtensions(cppRegistry);
  registerAllToLLVMIRTranslations(cppRegistry);
  cppRegistry.insert<ReplicaDialect>();
}

void mlirReplicaRegisterPasses(void) {
  registerAllPasses();
  registerReplicaPasses();
  registerReplicaConversionPasses();
  registerReplicaPipelines();
}

static MlirLogicalResult
addPipeline(void (*build)(OpPassManager &, const LowerOptions &),
            MlirOpPassManager pm, MlirStringRef options,
            MlirStringCallback errorCallback, void *userData) {
  LowerOptions parsed;
  mlir::detail::CallbackOstream errorStream(errorCallback, userData);
  if (failed(parsed.parseFromString(unwrap(options), errorStream)))
    return mlirLogicalResultFailure();
  build(*unwrap(pm), parsed);
  return mlirLogicalResultSuccess();
}

MlirLogicalResult
mlirReplicaAddLowerToCPUPipeline(MlirOpPassManager pm, MlirStringRef options,
                                 MlirStringCallback errorCallback,
                                 void *userData) {
  return addPipeline(buildLowerToCPUPipeline, pm, options, errorCallback,
                     userData);
}

MlirLogicalResult
mlirReplicaAddLowerToMPIPipeline(MlirOpPassManager pm, MlirStringRef options,
                                 MlirStringCallback errorCallback,
                                 void *userData) {
  return addPipeline(buildLowerToMPIPipeline, pm, options, errorCallback,
                     userData);
}

MlirLogicalResult
mlirReplicaAddLowerToNCCLPipeline(MlirOpPassManager pm, MlirStringRef options,
                                  MlirStringCallback errorCallback,
                                  void *userData) {
  return addPipeline(buildLowerToNCCLPipeline, pm, options, errorCallback,
                     userData);
}

bool mlirTypeIsAReplicaPerReplica(MlirType type) {
  return isa<PerReplicaType>(unwrap(type));
}

bool mlirTypeIsAReplicaMirrored(MlirType type) {
  return isa<MirroredType>(unwrap(type));
}

MlirType mlirReplicaPerReplicaTypeGet(MlirContext context, int64_t numReplicas,
                                      MlirType element) {
  return wrap(PerReplicaType::getChecked(
      [&] { return emitError(UnknownLoc::get(unwrap(context))); },
      unwrap(context), numReplicas, unwrap(element)));
}

MlirType mlirReplicaMirroredTypeGet(MlirContext context, int64_t numReplicas,
                                    MlirType element) {
  return wrap(MirroredType::getChecked(
      [&] { return emitError(UnknownLoc::get(unwrap(context))); },
      unwrap(context), numReplicas, unwrap(element)));
}

int64_t mlirReplicaDistributedTypeGetNumReplicas(MlirType type) {
  return cast<DistributedType>(unwrap(type)).getNumReplicas();
}

MlirType mlirReplicaDistributedTypeGetElementType(MlirType type) {
  return wrap(cast<DistributedType>(unwrap(type)).getElementType());
}
