// Registers the replica dialect in its own context, parses a program with a
// structure of per-replica values and runs replica-decompose-structures.
#include "replica/Dialect/Replica/IR/ReplicaDialect.h"
#include "replica/Dialect/Replica/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/raw_ostream.h"

static const char *program = R"mlir(
func.func @f(%x0: tensor<4xf32>, %x1: tensor<4xf32>, %lr: f32)
    -> tuple<!replica.per_replica<2 x tensor<4xf32>>, f32> {
  %t0 = replica.tuple %x0, %lr : tuple<tensor<4xf32>, f32>
  %t1 = replica.tuple %x1, %lr : tuple<tensor<4xf32>, f32>
  %s = replica.regroup %t0, %t1 : tuple<tensor<4xf32>, f32>
         -> tuple<!replica.per_replica<2 x tensor<4xf32>>, f32>
  return %s : tuple<!replica.per_replica<2 x tensor<4xf32>>, f32>
}
)mlir";

int main() {
  mlir::DialectRegistry registry;
  registry.insert<mlir::replica::ReplicaDialect, mlir::func::FuncDialect,
                  mlir::tensor::TensorDialect>();
  mlir::MLIRContext context(registry);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceString<mlir::ModuleOp>(program, &context);
  if (!module)
    return 1;
  mlir::PassManager pm(&context);
  pm.addPass(mlir::replica::createReplicaDecomposeStructuresPass());
  if (mlir::failed(pm.run(*module)))
    return 1;
  module->print(llvm::outs());
  return 0;
}
