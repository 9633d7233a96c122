// REQUIRES: mpi
// RUN: replica-run %s --backend=mpi --np=2 | FileCheck %s
// RUN: replica-opt %s -replica-lower-to-mpi | FileCheck %s --check-prefix=LLVM

// 300,000 steps of a loop whose body ends in a runtime call (the broadcast
// select_replica becomes). Runtime calls once took unranked memrefs, whose
// descriptors live on the stack: a call whose scope was lost grew the stack
// every iteration and the run crashed after ~100,000 steps.

// The calls take their buffers by value: nothing on the stack.
// LLVM-LABEL: llvm.func @main(
// LLVM-NOT:     llvm.alloca
// LLVM-NOT:     llvm.intr.stacksave
// LLVM:         llvm.call @replica_mpi_all_reduce_f32
// LLVM-NOT:     llvm.alloca
// LLVM:         llvm.call @replica_mpi_broadcast_f32

// CHECK: 1
// CHECK-NEXT: 1
// CHECK-NOT: {{.}}
func.func @main() {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = arith.constant 300000 : index
  %x = arith.constant dense<1.0> : tensor<256xf32>
  %r = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %x) -> tensor<256xf32> {
    %y = replica.replicate<2> (%a = %acc) : (tensor<256xf32>) -> !replica.per_replica<2 x tensor<256xf32>> {
      %s = replica.all_reduce mean %a : tensor<256xf32>
      replica.yield %s : tensor<256xf32>
    }
    %z = replica.select_replica %y[0] : !replica.per_replica<2 x tensor<256xf32>> -> tensor<256xf32>
    scf.yield %z : tensor<256xf32>
  }
  %c5 = arith.constant 5 : index
  %e = tensor.extract %r[%c5] : tensor<256xf32>
  vector.print %e : f32
  return
}
