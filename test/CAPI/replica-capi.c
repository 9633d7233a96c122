//===- replica-capi.c - exercises the replica C API ---------------*- C -*-===//
//
// Registers the dialect and passes through the C API, builds replica types,
// parses a program, runs a textual pipeline of replica passes and the
// replica-lower-to-cpu pipeline, and reports invalid options; prints what
// it sees for FileCheck.
//
//===----------------------------------------------------------------------===//

#include "replica-c/Dialect/Replica.h"

#include "mlir-c/BuiltinTypes.h"
#include "mlir-c/IR.h"
#include "mlir-c/Pass.h"

#include <stdio.h>
#include <string.h>

static void printToStdout(MlirStringRef text, void *userData) {
  (void)userData;
  fwrite(text.data, 1, text.length, stdout);
}

static const char *program =
    "func.func @step(%g: tensor<4xf32>, %h: tensor<2xf32>) -> "
    "(!replica.per_replica<2 x tensor<4xf32>>, "
    "!replica.per_replica<2 x tensor<2xf32>>) {\n"
    "  %r:2 = replica.replicate<2> (%x = %g, %y = %h) : (tensor<4xf32>, "
    "tensor<2xf32>) -> (!replica.per_replica<2 x tensor<4xf32>>, "
    "!replica.per_replica<2 x tensor<2xf32>>) {\n"
    "    %a = replica.all_reduce mean %x : tensor<4xf32>\n"
    "    %b = replica.all_reduce mean %y : tensor<2xf32>\n"
    "    replica.yield %a, %b : tensor<4xf32>, tensor<2xf32>\n"
    "  }\n"
    "  return %r#0, %r#1 : !replica.per_replica<2 x tensor<4xf32>>, "
    "!replica.per_replica<2 x tensor<2xf32>>\n"
    "}\n";

static int runPipeline(MlirContext context, const char *text,
                       int useCPUPipeline, const char *options) {
  MlirModule module =
      mlirModuleCreateParse(context, mlirStringRefCreateFromCString(text));
  if (mlirModuleIsNull(module)) {
    printf("parse failed\n");
    return 1;
  }
  MlirPassManager pm = mlirPassManagerCreate(context);
  MlirOpPassManager opm = mlirPassManagerGetAsOpPassManager(pm);
  MlirLogicalResult added =
      useCPUPipeline
          ? mlirReplicaAddLowerToCPUPipeline(
                opm, mlirStringRefCreateFromCString(options), printToStdout,
                NULL)
          : mlirParsePassPipeline(opm, mlirStringRefCreateFromCString(options),
                                  printToStdout, NULL);
  int status = 0;
  if (mlirLogicalResultIsFailure(added)) {
    printf("\npipeline rejected\n");
    status = 1;
  } else if (mlirLogicalResultIsFailure(
                 mlirPassManagerRunOnOp(pm, mlirModuleGetOperation(module)))) {
    printf("pipeline failed\n");
    status = 1;
  } else {
    mlirOperationPrint(mlirModuleGetOperation(module), printToStdout, NULL);
    printf("\n");
  }
  mlirPassManagerDestroy(pm);
  mlirModuleDestroy(module);
  return status;
}

int main(void) {
  MlirDialectRegistry registry = mlirDialectRegistryCreate();
  mlirReplicaRegisterAllDialects(registry);
  MlirContext context = mlirContextCreateWithRegistry(registry, false);
  mlirDialectRegistryDestroy(registry);
  mlirReplicaRegisterPasses();
  mlirDialectHandleLoadDialect(mlirGetDialectHandle__replica__(), context);

  // Types.
  MlirType f32 = mlirF32TypeGet(context);
  MlirType perReplica = mlirReplicaPerReplicaTypeGet(context, 4, f32);
  MlirType mirrored = mlirReplicaMirroredTypeGet(context, 2, f32);
  mlirTypeDump(perReplica);
  mlirTypeDump(mirrored);
  printf("per_replica: %d %d, N = %lld\n",
         mlirTypeIsAReplicaPerReplica(perReplica),
         mlirTypeIsAReplicaMirrored(perReplica),
         (long long)mlirReplicaDistributedTypeGetNumReplicas(perReplica));
  printf(
      "element is f32: %d\n",
      mlirTypeEqual(mlirReplicaDistributedTypeGetElementType(mirrored), f32));
  printf("N = 0 is rejected: %d\n",
         mlirTypeIsNull(mlirReplicaPerReplicaTypeGet(context, 0, f32)));

  int failures = 0;
  // A textual pipeline naming replica passes.
  failures +=
      runPipeline(context, program, 0,
                  "builtin.module(replica-fuse-reductions{bytes-per-pack=0})");
  // The CPU pipeline down to the LLVM dialect.
  failures += runPipeline(context, program, 1, "");
  // Invalid options are reported, not fatal.
  int rejected = runPipeline(context, program, 1, "bytes-per-pack=lots");
  mlirContextDestroy(context);
  printf("failures: %d, rejected: %d\n", failures, rejected);
  return failures != 0 || rejected != 1;
}
