//===- replica-opt.cpp - replica optimizer driver ---------------*- C++ -*-===//
//
// mlir-opt with the replica dialect and passes, plus the upstream dialects,
// extensions and passes a data-parallel pipeline uses.
//
//===----------------------------------------------------------------------===//

#include "replica/Conversion/Passes.h"
#include "replica/Dialect/Replica/IR/ReplicaDialect.h"
#include "replica/Dialect/Replica/Transforms/Passes.h"
#include "replica/Pipelines/Pipelines.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  // gpu-module-to-binary (replica-lower-to-nccl) translates kernels to LLVM IR.
  mlir::registerAllGPUToLLVMIRTranslations(registry);
  mlir::registerAllPasses();
  registry.insert<mlir::replica::ReplicaDialect>();
  mlir::replica::registerReplicaPasses();
  mlir::replica::registerReplicaConversionPasses();
  mlir::replica::registerReplicaPipelines();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "replica optimizer driver\n", registry));
}
