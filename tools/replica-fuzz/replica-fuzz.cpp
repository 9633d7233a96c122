//===- replica-fuzz.cpp - libFuzzer target over the replica pipeline ------===//
//
// Each input is parsed as a module; a module that verifies goes through
// replica-decompose-structures, canonicalize, replica-fuse-reductions and
// replica-lower-to-cpu, and a copy of it through the nccl path up to the
// GPU code generation (SPMD, fusion, convert-replica-to-nccl, bufferization,
// replica-batch-pack-copies; ptxas per input would be too slow).
// Diagnostics are expected and dropped; a crash, an assertion or a
// sanitizer report is a bug.
//
//===----------------------------------------------------------------------===//

#include "replica/Conversion/Passes.h"
#include "replica/Dialect/Replica/IR/ReplicaDialect.h"
#include "replica/Dialect/Replica/Transforms/Passes.h"
#include "replica/Pipelines/Pipelines.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlow.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/ADT/StringRef.h"

#include <cstddef>
#include <cstdint>
#include <string>

using namespace mlir;

/// Inputs may use replica and the dialects of its programs; the dialects the
/// pipelines lower to are loaded by the passes. (Parsing every upstream
/// dialect would mostly fuzz upstream parsers: linalg.transpose's crashes on
/// a malformed permutation within seconds.)
static DialectRegistry &getRegistry() {
  static DialectRegistry *registry = [] {
    auto *registry = new DialectRegistry();
    registry->insert<replica::ReplicaDialect, func::FuncDialect,
                     arith::ArithDialect, tensor::TensorDialect,
                     scf::SCFDialect, cf::ControlFlowDialect>();
    registerAllExtensions(*registry);
    return registry;
  }();
  return *registry;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  MLIRContext context(getRegistry(), MLIRContext::Threading::DISABLED);
  context.allowUnregisteredDialects(false);
  ScopedDiagnosticHandler dropDiagnostics(
      &context, [](Diagnostic &) { return success(); });
  // MLIR's lexer relies on the null terminator every file buffer has (it
  // reads past the end of an unterminated one), so parse a terminated copy.
  std::string text(reinterpret_cast<const char *>(data), size);
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(text, &context);
  if (!module || failed(verify(*module)))
    return 0;
  OwningOpRef<ModuleOp> copy = module->clone();
  PassManager pm(&context);
  pm.addPass(replica::createReplicaDecomposeStructuresPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(replica::createReplicaFuseReductionsPass());
  replica::buildLowerToCPUPipeline(pm, replica::LowerOptions());
  (void)pm.run(*module);

  PassManager gpu(&context);
  gpu.addPass(replica::createReplicaDecomposeStructuresPass());
  gpu.addPass(replica::createReplicaToSPMDPass());
  gpu.addPass(replica::createReplicaFuseReductionsPass());
  gpu.addPass(replica::createConvertReplicaToNCCLPass());
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  gpu.addPass(bufferization::createOneShotBufferizePass(bufferize));
  gpu.addNestedPass<func::FuncOp>(replica::createReplicaBatchPackCopiesPass());
  (void)gpu.run(*copy);
  return 0;
}
