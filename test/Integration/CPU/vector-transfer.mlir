// RUN: replica-run %s | FileCheck %s

// User code reading and writing vectors of tensors and buffers around a
// collective: the pipelines lower vector.transfer_read/write (they used to
// reach the JIT unlowered).

func.func @main() {
  %a = arith.constant dense<[1.0, -2.0, 3.0, 0.5]> : tensor<4xf32>
  %b = arith.constant dense<[4.0, 5.0, -6.0, 2.0]> : tensor<4xf32>
  %d = replica.regroup %a, %b : tensor<4xf32> -> !replica.per_replica<2 x tensor<4xf32>>
  %s = replica.all_reduce sum %d : !replica.per_replica<2 x tensor<4xf32>>
  %t = replica.select_replica %s[1] : !replica.mirrored<2 x tensor<4xf32>> -> tensor<4xf32>
  %c0 = arith.constant 0 : index
  %pad = arith.constant 0.0 : f32
  %v = vector.transfer_read %t[%c0], %pad : tensor<4xf32>, vector<4xf32>
  // CHECK: ( 5, 3, -3, 2.5 )
  vector.print %v : vector<4xf32>
  %buf = memref.alloca() : memref<4xf32>
  %twice = arith.addf %v, %v : vector<4xf32>
  vector.transfer_write %twice, %buf[%c0] : vector<4xf32>, memref<4xf32>
  %w = vector.transfer_read %buf[%c0], %pad : memref<4xf32>, vector<4xf32>
  // CHECK-NEXT: ( 10, 6, -6, 5 )
  vector.print %w : vector<4xf32>
  return
}
