// REQUIRES: mpi
// RUN: replica-run %s | sort | FileCheck %s
// RUN: replica-run %s --backend=mpi --np=2 | sort | FileCheck %s
// RUN: %if cuda-gpus-2 %{ replica-run %s --backend=nccl | sort | FileCheck %s %}
// RUN: %if cuda-gpus-2 %{ replica-run %s --backend=nccl --np=2 | sort | FileCheck %s %}

// A per-replica and a mirrored value regrouped from the same value, both
// all-reduced (replica-unroll used to give them one materialization of the
// wrong type). Every replica holds C, so sum = 2C and prod = C * C.

func.func @show(%tag: i64, %r: index, %t: tensor<4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %ri = arith.index_cast %r : index to i64
  vector.print %tag : i64 punctuation <no_punctuation>
  vector.print str " r"
  vector.print %ri : i64 punctuation <no_punctuation>
  vector.print str ":"
  scf.for %i = %c0 to %c4 step %c1 {
    %e = tensor.extract %t[%i] : tensor<4xf32>
    vector.print str " "
    vector.print %e : f32 punctuation <no_punctuation>
  }
  vector.print punctuation <newline>
  return
}

func.func @main() {
  %c = arith.constant dense<[1.0, -2.0, 3.0, 0.5]> : tensor<4xf32>
  %p = replica.regroup %c, %c : tensor<4xf32> -> !replica.per_replica<2 x tensor<4xf32>>
  %m = replica.regroup %c, %c mirrored : tensor<4xf32> -> !replica.mirrored<2 x tensor<4xf32>>
  %sum = replica.all_reduce sum %p : !replica.per_replica<2 x tensor<4xf32>>
  %prod = replica.all_reduce prod %m : !replica.mirrored<2 x tensor<4xf32>>
  replica.replicate<2> (%s = %sum, %q = %prod)
      : (!replica.mirrored<2 x tensor<4xf32>>, !replica.mirrored<2 x tensor<4xf32>>) -> () {
    %id = replica.replica_id : index
    %t1 = arith.constant 1 : i64
    %t2 = arith.constant 2 : i64
    func.call @show(%t1, %id, %s) : (i64, index, tensor<4xf32>) -> ()
    func.call @show(%t2, %id, %q) : (i64, index, tensor<4xf32>) -> ()
    replica.yield
  }
  // CHECK:      1 r0: 2 -4 6 1
  // CHECK-NEXT: 1 r1: 2 -4 6 1
  // CHECK-NEXT: 2 r0: 1 4 9 0.25
  // CHECK-NEXT: 2 r1: 1 4 9 0.25
  // CHECK-NOT: {{.}}
  return
}
