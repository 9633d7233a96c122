// REQUIRES: mpi
// RUN: replica-run %s | sort | FileCheck %s
// RUN: replica-run %s --backend=mpi --np=2 | sort | FileCheck %s
// RUN: %if cuda-gpus-2 %{ replica-run %s --backend=nccl | sort | FileCheck %s %}
// RUN: %if cuda-gpus-2 %{ replica-run %s --backend=nccl --np=2 | sort | FileCheck %s %}

// replica.reduce_to to replica 0 and to replica 1, several kinds and element
// types, in both forms. The cross-replica result is a local value that every
// replica can use; the in-replica result is printed on its destination only
// (what the other replicas hold is not specified).

func.func @show_f32(%tag: i64, %r: index, %t: tensor<?xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = tensor.dim %t, %c0 : tensor<?xf32>
  %ri = arith.index_cast %r : index to i64
  vector.print %tag : i64 punctuation <no_punctuation>
  vector.print str " r"
  vector.print %ri : i64 punctuation <no_punctuation>
  vector.print str ":"
  scf.for %i = %c0 to %n step %c1 {
    %e = tensor.extract %t[%i] : tensor<?xf32>
    vector.print str " "
    vector.print %e : f32 punctuation <no_punctuation>
  }
  vector.print punctuation <newline>
  return
}
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
  %a = arith.constant dense<[1.0, -2.0, 3.0, 0.5]> : tensor<4xf32>
  %b = arith.constant dense<[4.0, 5.0, -6.0, 2.0]> : tensor<4xf32>
  %d = replica.regroup %a, %b : tensor<4xf32> -> !replica.per_replica<2 x tensor<4xf32>>
  %sum0 = replica.reduce_to sum %d to 0 : !replica.per_replica<2 x tensor<4xf32>>
  %max1 = replica.reduce_to max %d to 1 : !replica.per_replica<2 x tensor<4xf32>>
  %mean1 = replica.reduce_to mean %d to 1 : !replica.per_replica<2 x tensor<4xf32>>
  %l0 = arith.constant 123456789 : i64
  %l1 = arith.constant -1000 : i64
  %ld = replica.regroup %l0, %l1 : i64 -> !replica.per_replica<2 x i64>
  %lprod = replica.reduce_to prod %ld to 0 : !replica.per_replica<2 x i64>
  %f0 = arith.constant dense<[0.5, -8.0]> : tensor<2xf64>
  %f1 = arith.constant dense<[0.25, 8.0]> : tensor<2xf64>
  %fd = replica.regroup %f0, %f1 : tensor<2xf64> -> !replica.per_replica<2 x tensor<2xf64>>
  %fmin = replica.reduce_to min %fd to 1 : !replica.per_replica<2 x tensor<2xf64>>

  %i0 = arith.constant dense<[10, -20, 30]> : tensor<3xi32>
  %i1 = arith.constant dense<[1, 2, 3]> : tensor<3xi32>
  %I = replica.regroup %i0, %i1 : tensor<3xi32> -> !replica.per_replica<2 x tensor<3xi32>>

  replica.replicate<2> (%s0 = %sum0, %x1 = %max1, %m1 = %mean1, %lp = %lprod, %fm = %fmin,
                        %y = %d, %i = %I)
      : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, i64, tensor<2xf64>,
         !replica.per_replica<2 x tensor<4xf32>>, !replica.per_replica<2 x tensor<3xi32>>) -> () {
    %id = replica.replica_id : index
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    // Cross-replica results, on every replica (tags 1x).
    %t11 = arith.constant 11 : i64
    %t12 = arith.constant 12 : i64
    %t13 = arith.constant 13 : i64
    %t14 = arith.constant 14 : i64
    %t15 = arith.constant 15 : i64
    %s0d = tensor.cast %s0 : tensor<4xf32> to tensor<?xf32>
    %x1d = tensor.cast %x1 : tensor<4xf32> to tensor<?xf32>
    %m1d = tensor.cast %m1 : tensor<4xf32> to tensor<?xf32>
    func.call @show_f32(%t11, %id, %s0d) : (i64, index, tensor<?xf32>) -> ()
    func.call @show_f32(%t12, %id, %x1d) : (i64, index, tensor<?xf32>) -> ()
    func.call @show_f32(%t13, %id, %m1d) : (i64, index, tensor<?xf32>) -> ()
    %lpt = tensor.from_elements %lp : tensor<1xi64>
    %lpd = tensor.cast %lpt : tensor<1xi64> to tensor<?xi64>
    func.call @show_i64(%t14, %id, %lpd) : (i64, index, tensor<?xi64>) -> ()
    %fmd = tensor.cast %fm : tensor<2xf64> to tensor<?xf64>
    func.call @show_f64(%t15, %id, %fmd) : (i64, index, tensor<?xf64>) -> ()

    // In-replica results, on their destination (tags 2x).
    %p1 = replica.reduce_to prod %y to 1 : tensor<4xf32>
    %n0 = replica.reduce_to min %y to 0 : tensor<4xf32>
    %is1 = replica.reduce_to sum %i to 1 : tensor<3xi32>
    %im0 = replica.reduce_to max %i to 0 : tensor<3xi32>
    // Scalars that depend on the replica id: 1.5 + id, i.e. 1.5 and 2.5.
    %idi = arith.index_cast %id : index to i32
    %idf = arith.sitofp %idi : i32 to f16
    %k = arith.constant 1.5 : f16
    %h = arith.addf %idf, %k : f16
    %hm0 = replica.reduce_to mean %h to 0 : f16
    %hs1 = replica.reduce_to sum %h to 1 : f16
    %t21 = arith.constant 21 : i64
    %t22 = arith.constant 22 : i64
    %t23 = arith.constant 23 : i64
    %t24 = arith.constant 24 : i64
    %t25 = arith.constant 25 : i64
    %t26 = arith.constant 26 : i64
    %on0 = arith.cmpi eq, %id, %c0 : index
    %on1 = arith.cmpi eq, %id, %c1 : index
    scf.if %on0 {
      %n0d = tensor.cast %n0 : tensor<4xf32> to tensor<?xf32>
      func.call @show_f32(%t22, %id, %n0d) : (i64, index, tensor<?xf32>) -> ()
      %im0d = tensor.cast %im0 : tensor<3xi32> to tensor<?xi32>
      func.call @show_i32(%t24, %id, %im0d) : (i64, index, tensor<?xi32>) -> ()
      %he = arith.extf %hm0 : f16 to f32
      %het = tensor.from_elements %he : tensor<1xf32>
      %hed = tensor.cast %het : tensor<1xf32> to tensor<?xf32>
      func.call @show_f32(%t25, %id, %hed) : (i64, index, tensor<?xf32>) -> ()
    }
    scf.if %on1 {
      %p1d = tensor.cast %p1 : tensor<4xf32> to tensor<?xf32>
      func.call @show_f32(%t21, %id, %p1d) : (i64, index, tensor<?xf32>) -> ()
      %is1d = tensor.cast %is1 : tensor<3xi32> to tensor<?xi32>
      func.call @show_i32(%t23, %id, %is1d) : (i64, index, tensor<?xi32>) -> ()
      %he = arith.extf %hs1 : f16 to f32
      %het = tensor.from_elements %he : tensor<1xf32>
      %hed = tensor.cast %het : tensor<1xf32> to tensor<?xf32>
      func.call @show_f32(%t26, %id, %hed) : (i64, index, tensor<?xf32>) -> ()
    }
    replica.yield
  }
  // [1, -2, 3, 0.5] and [4, 5, -6, 2]: sum to 0, max to 1, mean to 1.
  // CHECK:      11 r0: 5 3 -3 2.5
  // CHECK-NEXT: 11 r1: 5 3 -3 2.5
  // CHECK-NEXT: 12 r0: 4 5 3 2
  // CHECK-NEXT: 12 r1: 4 5 3 2
  // CHECK-NEXT: 13 r0: 2.5 1.5 -1.5 1.25
  // CHECK-NEXT: 13 r1: 2.5 1.5 -1.5 1.25
  // 123456789 * -1000:
  // CHECK-NEXT: 14 r0: -123456789000
  // CHECK-NEXT: 14 r1: -123456789000
  // min of [0.5, -8] and [0.25, 8]:
  // CHECK-NEXT: 15 r0: 0.25 -8
  // CHECK-NEXT: 15 r1: 0.25 -8
  // prod to 1, min to 0:
  // CHECK-NEXT: 21 r1: 4 -10 -18 1
  // CHECK-NEXT: 22 r0: 1 -2 -6 0.5
  // [10, -20, 30] and [1, 2, 3]: sum to 1, max to 0.
  // CHECK-NEXT: 23 r1: 11 -18 33
  // CHECK-NEXT: 24 r0: 10 2 30
  // f16 1.5 and 2.5: mean to 0, sum to 1.
  // CHECK-NEXT: 25 r0: 2
  // CHECK-NEXT: 26 r1: 4
  // CHECK-NOT: {{.}}
  return
}
