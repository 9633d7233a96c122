// REQUIRES: mpi
// RUN: replica-run %s | sort | FileCheck %s
// RUN: replica-run %s --backend=mpi --np=2 | sort | FileCheck %s
// RUN: %if cuda-gpus-2 %{ replica-run %s --backend=nccl | sort | FileCheck %s %}
// RUN: %if cuda-gpus-2 %{ replica-run %s --backend=nccl --np=2 | sort | FileCheck %s %}

// replica.all_reduce with every reduction kind on f32 tensors over two
// replicas, in the cross-replica form (per_replica operand, mirrored result)
// and in the in-replica form (inside replica.replicate). Every line is printed
// inside a replicate body as "<tag> r<replica>: <values>", so both backends
// print the same lines (in a different order, hence the sort).

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
  // Replica 0 holds A, replica 1 holds B.
  %a = arith.constant dense<[1.0, -2.0, 3.0, 0.5]> : tensor<4xf32>
  %b = arith.constant dense<[4.0, 5.0, -6.0, 2.0]> : tensor<4xf32>
  %d = replica.regroup %a, %b : tensor<4xf32> -> !replica.per_replica<2 x tensor<4xf32>>

  %sum = replica.all_reduce sum %d : !replica.per_replica<2 x tensor<4xf32>>
  %mean = replica.all_reduce mean %d : !replica.per_replica<2 x tensor<4xf32>>
  %max = replica.all_reduce max %d : !replica.per_replica<2 x tensor<4xf32>>
  %min = replica.all_reduce min %d : !replica.per_replica<2 x tensor<4xf32>>
  %prod = replica.all_reduce prod %d : !replica.per_replica<2 x tensor<4xf32>>

  // Each replica prints its copy of every mirrored result.
  replica.replicate<2> (%s = %sum, %m = %mean, %hi = %max, %lo = %min, %p = %prod)
      : (!replica.mirrored<2 x tensor<4xf32>>, !replica.mirrored<2 x tensor<4xf32>>,
         !replica.mirrored<2 x tensor<4xf32>>, !replica.mirrored<2 x tensor<4xf32>>,
         !replica.mirrored<2 x tensor<4xf32>>) -> () {
    %id = replica.replica_id : index
    %t11 = arith.constant 11 : i64
    %t12 = arith.constant 12 : i64
    %t13 = arith.constant 13 : i64
    %t14 = arith.constant 14 : i64
    %t15 = arith.constant 15 : i64
    func.call @show(%t11, %id, %s) : (i64, index, tensor<4xf32>) -> ()
    func.call @show(%t12, %id, %m) : (i64, index, tensor<4xf32>) -> ()
    func.call @show(%t13, %id, %hi) : (i64, index, tensor<4xf32>) -> ()
    func.call @show(%t14, %id, %lo) : (i64, index, tensor<4xf32>) -> ()
    func.call @show(%t15, %id, %p) : (i64, index, tensor<4xf32>) -> ()
    replica.yield
  }
  // CHECK:      11 r0: 5 3 -3 2.5
  // CHECK-NEXT: 11 r1: 5 3 -3 2.5
  // CHECK-NEXT: 12 r0: 2.5 1.5 -1.5 1.25
  // CHECK-NEXT: 12 r1: 2.5 1.5 -1.5 1.25
  // CHECK-NEXT: 13 r0: 4 5 3 2
  // CHECK-NEXT: 13 r1: 4 5 3 2
  // CHECK-NEXT: 14 r0: 1 -2 -6 0.5
  // CHECK-NEXT: 14 r1: 1 -2 -6 0.5
  // CHECK-NEXT: 15 r0: 4 -10 -18 1
  // CHECK-NEXT: 15 r1: 4 -10 -18 1

  // In-replica form: replica r reduces A * (r + 1), i.e. A on replica 0 and
  // 2A = [2, -4, 6, 1] on replica 1.
  replica.replicate<2> (%x = %a) : (tensor<4xf32>) -> () {
    %id = replica.replica_id : index
    %c1 = arith.constant 1 : index
    %k = arith.addi %id, %c1 : index
    %ki = arith.index_cast %k : index to i64
    %kf = arith.sitofp %ki : i64 to f32
    %ks = tensor.splat %kf : tensor<4xf32>
    %y = arith.mulf %x, %ks : tensor<4xf32>
    %s = replica.all_reduce sum %y : tensor<4xf32>
    %m = replica.all_reduce mean %y : tensor<4xf32>
    %hi = replica.all_reduce max %y : tensor<4xf32>
    %lo = replica.all_reduce min %y : tensor<4xf32>
    %p = replica.all_reduce prod %y : tensor<4xf32>
    %t21 = arith.constant 21 : i64
    %t22 = arith.constant 22 : i64
    %t23 = arith.constant 23 : i64
    %t24 = arith.constant 24 : i64
    %t25 = arith.constant 25 : i64
    func.call @show(%t21, %id, %s) : (i64, index, tensor<4xf32>) -> ()
    func.call @show(%t22, %id, %m) : (i64, index, tensor<4xf32>) -> ()
    func.call @show(%t23, %id, %hi) : (i64, index, tensor<4xf32>) -> ()
    func.call @show(%t24, %id, %lo) : (i64, index, tensor<4xf32>) -> ()
    func.call @show(%t25, %id, %p) : (i64, index, tensor<4xf32>) -> ()
    replica.yield
  }
  // CHECK-NEXT: 21 r0: 3 -6 9 1.5
  // CHECK-NEXT: 21 r1: 3 -6 9 1.5
  // CHECK-NEXT: 22 r0: 1.5 -3 4.5 0.75
  // CHECK-NEXT: 22 r1: 1.5 -3 4.5 0.75
  // CHECK-NEXT: 23 r0: 2 -2 6 1
  // CHECK-NEXT: 23 r1: 2 -2 6 1
  // CHECK-NEXT: 24 r0: 1 -4 3 0.5
  // CHECK-NEXT: 24 r1: 1 -4 3 0.5
  // CHECK-NEXT: 25 r0: 2 8 18 0.5
  // CHECK-NEXT: 25 r1: 2 8 18 0.5
  // CHECK-NOT: {{.}}
  return
}
