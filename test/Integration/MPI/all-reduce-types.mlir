// REQUIRES: mpi
// RUN: replica-run %s | sort | FileCheck %s
// RUN: replica-run %s --backend=mpi --np=2 | sort | FileCheck %s
// RUN: %if cuda-gpus-2 %{ replica-run %s --backend=nccl | sort | FileCheck %s %}
// RUN: %if cuda-gpus-2 %{ replica-run %s --backend=nccl --np=2 | sort | FileCheck %s %}

// replica.all_reduce on f64, i32 and i64 (tensors and scalars), in both forms,
// with every kind that applies (mean is for floats only). Lines are
// "<tag> r<replica>: <values>", printed inside replicate bodies.

func.func @show_f64(%tag: i64, %r: index, %t: tensor<?xf64>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = tensor.dim %t, %c0 : tensor<?xf64>
  %ri = arith.index_cast %r : index to i64
  vector.print %tag : i64 punctuation <no_punctuation>
  vector.print str " r"
  vector.print %ri : i64 punctuation <no_punctuation>
  vector.print str ":"
  scf.for %i = %c0 to %n step %c1 {
    %e = tensor.extract %t[%i] : tensor<?xf64>
    vector.print str " "
    vector.print %e : f64 punctuation <no_punctuation>
  }
  vector.print punctuation <newline>
  return
}
func.func @show_i32(%tag: i64, %r: index, %t: tensor<?xi32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = tensor.dim %t, %c0 : tensor<?xi32>
  %ri = arith.index_cast %r : index to i64
  vector.print %tag : i64 punctuation <no_punctuation>
  vector.print str " r"
  vector.print %ri : i64 punctuation <no_punctuation>
  vector.print str ":"
  scf.for %i = %c0 to %n step %c1 {
    %e = tensor.extract %t[%i] : tensor<?xi32>
    vector.print str " "
    vector.print %e : i32 punctuation <no_punctuation>
  }
  vector.print punctuation <newline>
  return
}
func.func @show_i64(%tag: i64, %r: index, %t: tensor<?xi64>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = tensor.dim %t, %c0 : tensor<?xi64>
  %ri = arith.index_cast %r : index to i64
  vector.print %tag : i64 punctuation <no_punctuation>
  vector.print str " r"
  vector.print %ri : i64 punctuation <no_punctuation>
  vector.print str ":"
  scf.for %i = %c0 to %n step %c1 {
    %e = tensor.extract %t[%i] : tensor<?xi64>
    vector.print str " "
    vector.print %e : i64 punctuation <no_punctuation>
  }
  vector.print punctuation <newline>
  return
}

func.func @main() {
  // f64, cross-replica.
  %fa = arith.constant dense<[0.25, -3.0, 10.0, 7.0]> : tensor<4xf64>
  %fb = arith.constant dense<[0.5, 2.0, -10.0, 7.0]> : tensor<4xf64>
  %fd = replica.regroup %fa, %fb : tensor<4xf64> -> !replica.per_replica<2 x tensor<4xf64>>
  %f1 = replica.all_reduce sum %fd : !replica.per_replica<2 x tensor<4xf64>>
  %f2 = replica.all_reduce mean %fd : !replica.per_replica<2 x tensor<4xf64>>
  %f3 = replica.all_reduce max %fd : !replica.per_replica<2 x tensor<4xf64>>
  %f4 = replica.all_reduce min %fd : !replica.per_replica<2 x tensor<4xf64>>
  %f5 = replica.all_reduce prod %fd : !replica.per_replica<2 x tensor<4xf64>>

  // i64, cross-replica.
  %la = arith.constant dense<[3, -4, 1000000, 1]> : tensor<4xi64>
  %lb = arith.constant dense<[-5, 6, 3000000, 1]> : tensor<4xi64>
  %ld = replica.regroup %la, %lb : tensor<4xi64> -> !replica.per_replica<2 x tensor<4xi64>>
  %l1 = replica.all_reduce sum %ld : !replica.per_replica<2 x tensor<4xi64>>
  %l3 = replica.all_reduce max %ld : !replica.per_replica<2 x tensor<4xi64>>
  %l4 = replica.all_reduce min %ld : !replica.per_replica<2 x tensor<4xi64>>
  %l5 = replica.all_reduce prod %ld : !replica.per_replica<2 x tensor<4xi64>>

  // i32, cross-replica, scalars.
  %s0 = arith.constant -7 : i32
  %s1 = arith.constant 3 : i32
  %sd = replica.regroup %s0, %s1 : i32 -> !replica.per_replica<2 x i32>
  %s2 = replica.all_reduce sum %sd : !replica.per_replica<2 x i32>
  %s3 = replica.all_reduce max %sd : !replica.per_replica<2 x i32>
  %s4 = replica.all_reduce min %sd : !replica.per_replica<2 x i32>
  %s5 = replica.all_reduce prod %sd : !replica.per_replica<2 x i32>

  // i32 tensors for the in-replica form.
  %ia = arith.constant dense<[7, -3, 100, 0]> : tensor<4xi32>
  %ib = arith.constant dense<[-2, 5, 20, 9]> : tensor<4xi32>
  %id32 = replica.regroup %ia, %ib : tensor<4xi32> -> !replica.per_replica<2 x tensor<4xi32>>

  replica.replicate<2> (%g1 = %f1, %g2 = %f2, %g3 = %f3, %g4 = %f4, %g5 = %f5,
                        %m1 = %l1, %m3 = %l3, %m4 = %l4, %m5 = %l5,
                        %q2 = %s2, %q3 = %s3, %q4 = %s4, %q5 = %s5, %x = %id32)
      : (!replica.mirrored<2 x tensor<4xf64>>, !replica.mirrored<2 x tensor<4xf64>>,
         !replica.mirrored<2 x tensor<4xf64>>, !replica.mirrored<2 x tensor<4xf64>>,
         !replica.mirrored<2 x tensor<4xf64>>,
         !replica.mirrored<2 x tensor<4xi64>>, !replica.mirrored<2 x tensor<4xi64>>,
         !replica.mirrored<2 x tensor<4xi64>>, !replica.mirrored<2 x tensor<4xi64>>,
         !replica.mirrored<2 x i32>, !replica.mirrored<2 x i32>,
         !replica.mirrored<2 x i32>, !replica.mirrored<2 x i32>,
         !replica.per_replica<2 x tensor<4xi32>>) -> () {
    %id = replica.replica_id : index
    %t11 = arith.constant 11 : i64
    %t12 = arith.constant 12 : i64
    %t13 = arith.constant 13 : i64
    %t14 = arith.constant 14 : i64
    %t15 = arith.constant 15 : i64
    %d1 = tensor.cast %g1 : tensor<4xf64> to tensor<?xf64>
    %d2 = tensor.cast %g2 : tensor<4xf64> to tensor<?xf64>
    %d3 = tensor.cast %g3 : tensor<4xf64> to tensor<?xf64>
    %d4 = tensor.cast %g4 : tensor<4xf64> to tensor<?xf64>
    %d5 = tensor.cast %g5 : tensor<4xf64> to tensor<?xf64>
    func.call @show_f64(%t11, %id, %d1) : (i64, index, tensor<?xf64>) -> ()
    func.call @show_f64(%t12, %id, %d2) : (i64, index, tensor<?xf64>) -> ()
    func.call @show_f64(%t13, %id, %d3) : (i64, index, tensor<?xf64>) -> ()
    func.call @show_f64(%t14, %id, %d4) : (i64, index, tensor<?xf64>) -> ()
    func.call @show_f64(%t15, %id, %d5) : (i64, index, tensor<?xf64>) -> ()

    %t21 = arith.constant 21 : i64
    %t23 = arith.constant 23 : i64
    %t24 = arith.constant 24 : i64
    %t25 = arith.constant 25 : i64
    %e1 = tensor.cast %m1 : tensor<4xi64> to tensor<?xi64>
    %e3 = tensor.cast %m3 : tensor<4xi64> to tensor<?xi64>
    %e4 = tensor.cast %m4 : tensor<4xi64> to tensor<?xi64>
    %e5 = tensor.cast %m5 : tensor<4xi64> to tensor<?xi64>
    func.call @show_i64(%t21, %id, %e1) : (i64, index, tensor<?xi64>) -> ()
    func.call @show_i64(%t23, %id, %e3) : (i64, index, tensor<?xi64>) -> ()
    func.call @show_i64(%t24, %id, %e4) : (i64, index, tensor<?xi64>) -> ()
    func.call @show_i64(%t25, %id, %e5) : (i64, index, tensor<?xi64>) -> ()

    %t31 = arith.constant 31 : i64
    %q = tensor.from_elements %q2, %q3, %q4, %q5 : tensor<4xi32>
    %qd = tensor.cast %q : tensor<4xi32> to tensor<?xi32>
    func.call @show_i32(%t31, %id, %qd) : (i64, index, tensor<?xi32>) -> ()

    // In-replica, i32 tensors.
    %r1 = replica.all_reduce sum %x : tensor<4xi32>
    %r3 = replica.all_reduce max %x : tensor<4xi32>
    %r4 = replica.all_reduce min %x : tensor<4xi32>
    %r5 = replica.all_reduce prod %x : tensor<4xi32>
    %t41 = arith.constant 41 : i64
    %t43 = arith.constant 43 : i64
    %t44 = arith.constant 44 : i64
    %t45 = arith.constant 45 : i64
    %h1 = tensor.cast %r1 : tensor<4xi32> to tensor<?xi32>
    %h3 = tensor.cast %r3 : tensor<4xi32> to tensor<?xi32>
    %h4 = tensor.cast %r4 : tensor<4xi32> to tensor<?xi32>
    %h5 = tensor.cast %r5 : tensor<4xi32> to tensor<?xi32>
    func.call @show_i32(%t41, %id, %h1) : (i64, index, tensor<?xi32>) -> ()
    func.call @show_i32(%t43, %id, %h3) : (i64, index, tensor<?xi32>) -> ()
    func.call @show_i32(%t44, %id, %h4) : (i64, index, tensor<?xi32>) -> ()
    func.call @show_i32(%t45, %id, %h5) : (i64, index, tensor<?xi32>) -> ()

    // In-replica, scalars that depend on the replica id: v = id + 5 (i64)
    // and w = 1 + id / 2 (f64), i.e. 5 and 6, 1 and 1.5.
    %idi = arith.index_cast %id : index to i64
    %c5 = arith.constant 5 : i64
    %v = arith.addi %idi, %c5 : i64
    %v1 = replica.all_reduce sum %v : i64
    %v3 = replica.all_reduce max %v : i64
    %v4 = replica.all_reduce min %v : i64
    %v5 = replica.all_reduce prod %v : i64
    %t51 = arith.constant 51 : i64
    %vt = tensor.from_elements %v1, %v3, %v4, %v5 : tensor<4xi64>
    %vd = tensor.cast %vt : tensor<4xi64> to tensor<?xi64>
    func.call @show_i64(%t51, %id, %vd) : (i64, index, tensor<?xi64>) -> ()

    %idf = arith.sitofp %idi : i64 to f64
    %half = arith.constant 0.5 : f64
    %one = arith.constant 1.0 : f64
    %w0 = arith.mulf %idf, %half : f64
    %w = arith.addf %w0, %one : f64
    %w1 = replica.all_reduce sum %w : f64
    %w2 = replica.all_reduce mean %w : f64
    %w3 = replica.all_reduce max %w : f64
    %w4 = replica.all_reduce min %w : f64
    %w5 = replica.all_reduce prod %w : f64
    %t61 = arith.constant 61 : i64
    %wt = tensor.from_elements %w1, %w2, %w3, %w4, %w5 : tensor<5xf64>
    %wd = tensor.cast %wt : tensor<5xf64> to tensor<?xf64>
    func.call @show_f64(%t61, %id, %wd) : (i64, index, tensor<?xf64>) -> ()
    replica.yield
  }
  // f64 [0.25, -3, 10, 7] and [0.5, 2, -10, 7]:
  // CHECK:      11 r0: 0.75 -1 0 14
  // CHECK-NEXT: 11 r1: 0.75 -1 0 14
  // CHECK-NEXT: 12 r0: 0.375 -0.5 0 7
  // CHECK-NEXT: 12 r1: 0.375 -0.5 0 7
  // CHECK-NEXT: 13 r0: 0.5 2 10 7
  // CHECK-NEXT: 13 r1: 0.5 2 10 7
  // CHECK-NEXT: 14 r0: 0.25 -3 -10 7
  // CHECK-NEXT: 14 r1: 0.25 -3 -10 7
  // CHECK-NEXT: 15 r0: 0.125 -6 -100 49
  // CHECK-NEXT: 15 r1: 0.125 -6 -100 49
  // i64 [3, -4, 1e6, 1] and [-5, 6, 3e6, 1]: sum, max, min, prod.
  // CHECK-NEXT: 21 r0: -2 2 4000000 2
  // CHECK-NEXT: 21 r1: -2 2 4000000 2
  // CHECK-NEXT: 23 r0: 3 6 3000000 1
  // CHECK-NEXT: 23 r1: 3 6 3000000 1
  // CHECK-NEXT: 24 r0: -5 -4 1000000 1
  // CHECK-NEXT: 24 r1: -5 -4 1000000 1
  // CHECK-NEXT: 25 r0: -15 -24 3000000000000 1
  // CHECK-NEXT: 25 r1: -15 -24 3000000000000 1
  // i32 scalars -7 and 3: sum, max, min, prod.
  // CHECK-NEXT: 31 r0: -4 3 -7 -21
  // CHECK-NEXT: 31 r1: -4 3 -7 -21
  // i32 [7, -3, 100, 0] and [-2, 5, 20, 9]:
  // CHECK-NEXT: 41 r0: 5 2 120 9
  // CHECK-NEXT: 41 r1: 5 2 120 9
  // CHECK-NEXT: 43 r0: 7 5 100 9
  // CHECK-NEXT: 43 r1: 7 5 100 9
  // CHECK-NEXT: 44 r0: -2 -3 20 0
  // CHECK-NEXT: 44 r1: -2 -3 20 0
  // CHECK-NEXT: 45 r0: -14 -15 2000 0
  // CHECK-NEXT: 45 r1: -14 -15 2000 0
  // i64 5 and 6: sum, max, min, prod.
  // CHECK-NEXT: 51 r0: 11 6 5 30
  // CHECK-NEXT: 51 r1: 11 6 5 30
  // f64 1 and 1.5: sum, mean, max, min, prod.
  // CHECK-NEXT: 61 r0: 2.5 1.25 1.5 1 1.5
  // CHECK-NEXT: 61 r1: 2.5 1.25 1.5 1 1.5
  // CHECK-NOT: {{.}}
  return
}
