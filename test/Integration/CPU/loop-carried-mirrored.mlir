// RUN: replica-run %s | FileCheck %s

// A loop carries a per-replica tensor through a replicate whose all_reduce
// result is yielded: each replica's copy of the mirrored result must be its
// own buffer (pass 1: -12, -11, 6, -9 sum to -26; pass 2: -26, -25, -24,
// -23 sum to -98).
// CHECK: -98

func.func @main() {
  %a0 = arith.constant dense<-12.0> : tensor<1x1xf32>
  %a2 = arith.constant dense<4.0> : tensor<1x1xf32>
  %d = replica.regroup %a0, %a0, %a2, %a0 : tensor<1x1xf32> -> !replica.per_replica<4 x tensor<1x1xf32>>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %r = scf.for %i = %c0 to %c2 step %c1 iter_args(%a = %d) -> (!replica.per_replica<4 x tensor<1x1xf32>>) {
    %b = replica.replicate<4> (%x = %a) : (!replica.per_replica<4 x tensor<1x1xf32>>) -> (!replica.per_replica<4 x tensor<1x1xf32>>) {
      %id = replica.replica_id : index
      %j = arith.index_cast %id : index to i32
      %f = arith.sitofp %j : i32 to f32
      %s = tensor.splat %f : tensor<1x1xf32>
      %y = arith.addf %x, %s : tensor<1x1xf32>
      %z = replica.all_reduce sum %y : tensor<1x1xf32>
      replica.yield %z : tensor<1x1xf32>
    }
    scf.yield %b : !replica.per_replica<4 x tensor<1x1xf32>>
  }
  %v = replica.select_replica %r[0] : !replica.per_replica<4 x tensor<1x1xf32>> -> tensor<1x1xf32>
  %c00 = arith.constant 0 : index
  %e = tensor.extract %v[%c00, %c00] : tensor<1x1xf32>
  vector.print %e : f32
  return
}
