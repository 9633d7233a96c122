//===- ReplicaPlugin.cpp - replica as an mlir-opt plugin --------*- C++ -*-===//
//
// Both plugin entry points mlir-opt looks up: the dialect plugin inserts the
// replica dialect into mlir-opt's registry, the pass plugin registers the
// replica passes, conversions and pipelines.
//
//===----------------------------------------------------------------------===//

#include "replica/Conversion/Passes.h"
#include "replica/Dialect/Replica/IR/ReplicaDialect.h"
#include "replica/Dialect/Replica/Transforms/Passes.h"
#include "replica/Pipelines/Pipelines.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/Plugins/DialectPlugin.h"
#include "mlir/Tools/Plugins/PassPlugin.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/Support/Compiler.h"

using namespace mlir;

extern "C" LLVM_ATTRIBUTE_WEAK DialectPluginLibraryInfo
mlirGetDialectPluginInfo() {
  return {MLIR_PLUGIN_API_VERSION, "Replica", LLVM_VERSION_STRING,
          [](DialectRegistry *registry) {
            registry->insert<replica::ReplicaDialect>();
          }};
}

extern "C" LLVM_ATTRIBUTE_WEAK PassPluginLibraryInfo mlirGetPassPluginInfo() {
  return {MLIR_PLUGIN_API_VERSION, "ReplicaPasses", LLVM_VERSION_STRING, [] {
            replica::registerReplicaPasses();
            replica::registerReplicaConversionPasses();
            replica::registerReplicaPipelines();
          }};
}
