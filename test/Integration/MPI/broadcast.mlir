// REQUIRES: mpi
// RUN: replica-run %s | sort | FileCheck %s
// RUN: replica-run %s --backend=mpi --np=2 | sort | FileCheck %s
// RUN: %if cuda-gpus-2 %{ replica-run %s --backend=nccl | sort | FileCheck %s %}
// RUN: %if cuda-gpus-2 %{ replica-run %s --backend=nccl --np=2 | sort | FileCheck %s %}

// replica.broadcast: the cross-replica form mirrors a local value on every
// replica; the in-replica form gives every replica the value of replica K,
// for K = 0 and K = 1, on values that differ per replica.

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
  %v = arith.constant dense<[1, -2, 3]> : tensor<3xi64>
  %bv = replica.broadcast %v : tensor<3xi64> -> !replica.mirrored<2 x tensor<3xi64>>
  %s = arith.constant 2.75 : f32
  %bs = replica.broadcast %s : f32 -> !replica.mirrored<2 x f32>

  %m0 = arith.constant dense<[[1, 2], [3, 4]]> : tensor<2x2xi32>
  %m1 = arith.constant dense<[[-5, -6], [-7, -8]]> : tensor<2x2xi32>
  %M = replica.regroup %m0, %m1 : tensor<2x2xi32> -> !replica.per_replica<2 x tensor<2x2xi32>>
  %base = arith.constant dense<[0.5, 1.0, 1.5, 2.0]> : tensor<4xf32>

  replica.replicate<2> (%x = %bv, %y = %bs, %m = %M, %u = %base)
      : (!replica.mirrored<2 x tensor<3xi64>>, !replica.mirrored<2 x f32>,
         !replica.per_replica<2 x tensor<2x2xi32>>, tensor<4xf32>) -> () {
    %id = replica.replica_id : index
    %t11 = arith.constant 11 : i64
    %t12 = arith.constant 12 : i64
    %xd = tensor.cast %x : tensor<3xi64> to tensor<?xi64>
    func.call @show_i64(%t11, %id, %xd) : (i64, index, tensor<?xi64>) -> ()
    %yt = tensor.from_elements %y : tensor<1xf32>
    %yd = tensor.cast %yt : tensor<1xf32> to tensor<?xf32>
    func.call @show_f32(%t12, %id, %yd) : (i64, index, tensor<?xf32>) -> ()

    // w = base + 10 * id: [0.5, 1, 1.5, 2] and [10.5, 11, 11.5, 12].
    %idi = arith.index_cast %id : index to i64
    %idf = arith.sitofp %idi : i64 to f32
    %ten = arith.constant 10.0 : f32
    %off = arith.mulf %idf, %ten : f32
    %offs = tensor.splat %off : tensor<4xf32>
    %w = arith.addf %u, %offs : tensor<4xf32>
    %w0 = replica.broadcast %w from 0 : tensor<4xf32>
    %w1 = replica.broadcast %w from 1 : tensor<4xf32>
    %m_0 = replica.broadcast %m from 0 : tensor<2x2xi32>
    %m_1 = replica.broadcast %m from 1 : tensor<2x2xi32>
    // Scalars: 7 + id (i64) and 0.5 - id (f16).
    %c7 = arith.constant 7 : i64
    %k = arith.addi %idi, %c7 : i64
    %k1 = replica.broadcast %k from 1 : i64
    %k0 = replica.broadcast %k from 0 : i64
    %idh = arith.sitofp %idi : i64 to f16
    %half = arith.constant 0.5 : f16
    %h = arith.subf %half, %idh : f16
    %h1 = replica.broadcast %h from 1 : f16
    %h0 = replica.broadcast %h from 0 : f16

    %t21 = arith.constant 21 : i64
    %t22 = arith.constant 22 : i64
    %t23 = arith.constant 23 : i64
    %t24 = arith.constant 24 : i64
    %t25 = arith.constant 25 : i64
    %t26 = arith.constant 26 : i64
    %w0d = tensor.cast %w0 : tensor<4xf32> to tensor<?xf32>
    %w1d = tensor.cast %w1 : tensor<4xf32> to tensor<?xf32>
    func.call @show_f32(%t21, %id, %w0d) : (i64, index, tensor<?xf32>) -> ()
    func.call @show_f32(%t22, %id, %w1d) : (i64, index, tensor<?xf32>) -> ()
    %mc0 = tensor.collapse_shape %m_0 [[0, 1]] : tensor<2x2xi32> into tensor<4xi32>
    %mc1 = tensor.collapse_shape %m_1 [[0, 1]] : tensor<2x2xi32> into tensor<4xi32>
    %md0 = tensor.cast %mc0 : tensor<4xi32> to tensor<?xi32>
    %md1 = tensor.cast %mc1 : tensor<4xi32> to tensor<?xi32>
    func.call @show_i32(%t23, %id, %md0) : (i64, index, tensor<?xi32>) -> ()
    func.call @show_i32(%t24, %id, %md1) : (i64, index, tensor<?xi32>) -> ()
    %kt = tensor.from_elements %k0, %k1 : tensor<2xi64>
    %kd = tensor.cast %kt : tensor<2xi64> to tensor<?xi64>
    func.call @show_i64(%t25, %id, %kd) : (i64, index, tensor<?xi64>) -> ()
    %he0 = arith.extf %h0 : f16 to f32
    %he1 = arith.extf %h1 : f16 to f32
    %ht = tensor.from_elements %he0, %he1 : tensor<2xf32>
    %hd = tensor.cast %ht : tensor<2xf32> to tensor<?xf32>
    func.call @show_f32(%t26, %id, %hd) : (i64, index, tensor<?xf32>) -> ()
    replica.yield
  }
  // CHECK:      11 r0: 1 -2 3
  // CHECK-NEXT: 11 r1: 1 -2 3
  // CHECK-NEXT: 12 r0: 2.75
  // CHECK-NEXT: 12 r1: 2.75
  // CHECK-NEXT: 21 r0: 0.5 1 1.5 2
  // CHECK-NEXT: 21 r1: 0.5 1 1.5 2
  // CHECK-NEXT: 22 r0: 10.5 11 11.5 12
  // CHECK-NEXT: 22 r1: 10.5 11 11.5 12
  // CHECK-NEXT: 23 r0: 1 2 3 4
  // CHECK-NEXT: 23 r1: 1 2 3 4
  // CHECK-NEXT: 24 r0: -5 -6 -7 -8
  // CHECK-NEXT: 24 r1: -5 -6 -7 -8
  // from 0, from 1:
  // CHECK-NEXT: 25 r0: 7 8
  // CHECK-NEXT: 25 r1: 7 8
  // CHECK-NEXT: 26 r0: 0.5 -0.5
  // CHECK-NEXT: 26 r1: 0.5 -0.5
  // CHECK-NOT: {{.}}
  return
}
