// REQUIRES: mpi
// RUN: not replica-run %s --backend=mpi --np=2 2>&1 | FileCheck %s

// A program the mpi backend cannot lower: the diagnostic at the op, once
// (every rank compiles the program, rank 0 reports), and a non-zero exit.

func.func @main() {
  %c = arith.constant dense<1> : tensor<4xi8>
  %p = replica.regroup %c, %c : tensor<4xi8> -> !replica.per_replica<2 x tensor<4xi8>>
  // CHECK: lowering-error.mlir:[[@LINE+1]]:8: error: 'replica.all_reduce' op element type 'i8' is not supported by the MPI backend
  %a = replica.all_reduce sum %p : !replica.per_replica<2 x tensor<4xi8>>
  %x = replica.select_replica %a[0] : !replica.mirrored<2 x tensor<4xi8>> -> tensor<4xi8>
  %c0 = arith.constant 0 : index
  %e = tensor.extract %x[%c0] : tensor<4xi8>
  vector.print %e : i8
  return
}
// CHECK-NOT: error:
// CHECK: replica-run: lowering {{.*}}lowering-error.mlir failed
// CHECK-NOT: {{.}}
