//===- Passes.td - replica dialect passes ------------------*- tablegen -*-===//

#ifndef REPLICA_DIALECT_REPLICA_TRANSFORMS_PASSES_TD
#define REPLICA_DIALECT_REPLICA_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def ReplicaDecomposeStructuresPass
    : Pass<"replica-decompose-structures", "::mlir::ModuleOp"> {
  let summary = "Remove every tuple: structure ops become leaf-wise ops";
  let description = [{
    Replaces every value of builtin `tuple` type by its leaves (1:N type
    conversion): function signatures, calls and returns, `replica.replicate`
    operands, results and body arguments, `replica.yield`, structured control
    flow (`scf`) and branches. `replica.regroup` and `replica.select_replica`
    of a structure become one op per leaf (unwrapped same-value leaves pass
    through); `replica.tuple` and `replica.tuple_get` vanish. Afterwards no
    tuple type is left in the module; an op that holds a tuple and cannot be
    converted is reported.

    Before:
    ```mlir
    func.func @f(%t0: tuple<tensor<4xf32>, i32>, %t1: tuple<tensor<4xf32>, i32>)
        -> tuple<!replica.per_replica<2 x tensor<4xf32>>, !replica.per_replica<2 x i32>> {
      %s = replica.regroup %t0, %t1 : tuple<tensor<4xf32>, i32>
             -> tuple<!replica.per_replica<2 x tensor<4xf32>>, !replica.per_replica<2 x i32>>
      return %s : tuple<!replica.per_replica<2 x tensor<4xf32>>, !replica.per_replica<2 x i32>>
    }
    ```
    After:
    ```mlir
    func.func @f(%a0: tensor<4xf32>, %b0: i32, %a1: tensor<4xf32>, %b1: i32)
        -> (!replica.per_replica<2 x tensor<4xf32>>, !replica.per_replica<2 x i32>) {
      %a = replica.regroup %a0, %a1 : tensor<4xf32> -> !replica.per_replica<2 x tensor<4xf32>>
      %b = replica.regroup %b0, %b1 : i32 -> !replica.per_replica<2 x i32>
      return %a, %b : !replica.per_replica<2 x tensor<4xf32>>, !replica.per_replica<2 x i32>
    }
    ```
  }];
  let dependentDialects = ["::mlir::replica::ReplicaDialect"];
}

#endif // REPLICA_DIALECT_REPLICA_TRANSFORMS_PASSES_TD
