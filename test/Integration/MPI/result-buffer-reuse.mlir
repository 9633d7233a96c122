// REQUIRES: mpi
// RUN: replica-run %s | FileCheck %s
// RUN: replica-run %s --backend=mpi --np=2 | FileCheck %s --check-prefix=MPI

// A collective result that is read again after an elementwise op used it:
// bufferization must not reuse its buffer in place before the second read.
// CHECK: 5
// MPI: 5
// MPI: 5

func.func @main() {
  %a0 = arith.constant dense<[4.0, 8.0]> : tensor<2xf64>
  %a1 = arith.constant dense<[6.0, 6.0]> : tensor<2xf64>
  %d = replica.regroup %a0, %a1 : tensor<2xf64> -> !replica.per_replica<2 x tensor<2xf64>>
  %m = replica.all_reduce mean %d : !replica.per_replica<2 x tensor<2xf64>>
  %r:2 = replica.replicate<2> (%x = %m) : (!replica.mirrored<2 x tensor<2xf64>>)
      -> (!replica.per_replica<2 x tensor<2xf64>>, !replica.per_replica<2 x tensor<2xf64>>) {
    %y = arith.addf %x, %x : tensor<2xf64>
    %z = replica.all_reduce sum %y : tensor<2xf64>
    replica.yield %z, %x : tensor<2xf64>, tensor<2xf64>
  }
  %x1 = replica.select_replica %r#1[1] : !replica.per_replica<2 x tensor<2xf64>> -> tensor<2xf64>
  %c0 = arith.constant 0 : index
  %e = tensor.extract %x1[%c0] : tensor<2xf64>
  vector.print %e : f64
  return
}
