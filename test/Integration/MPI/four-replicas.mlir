// REQUIRES: mpi
// RUN: replica-run %s | sort | FileCheck %s
// RUN: replica-run %s --backend=mpi --np=4 | sort | FileCheck %s
// RUN: %if cuda-gpus-4 %{ replica-run %s --backend=nccl | sort | FileCheck %s %}
// RUN: %if cuda-gpus-4 %{ replica-run %s --backend=nccl --np=4 | sort | FileCheck %s %}

// Every collective over four replicas, in both forms: all_reduce of every
// kind, batch_all_reduce, reduce_to, broadcast, all_gather along dim 0 and
// dim 1. Values depend on the replica id r.

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
  // Cross-replica form on [1, -1], [2, -2], [4, -4], [8, -8].
  %k0 = arith.constant dense<[1.0, -1.0]> : tensor<2xf64>
  %k1 = arith.constant dense<[2.0, -2.0]> : tensor<2xf64>
  %k2 = arith.constant dense<[4.0, -4.0]> : tensor<2xf64>
  %k3 = arith.constant dense<[8.0, -8.0]> : tensor<2xf64>
  %C = replica.regroup %k0, %k1, %k2, %k3 : tensor<2xf64> -> !replica.per_replica<4 x tensor<2xf64>>
  %Cs = replica.all_reduce sum %C : !replica.per_replica<4 x tensor<2xf64>>
  %Cm = replica.all_reduce mean %C : !replica.per_replica<4 x tensor<2xf64>>
  %Cb:3 = replica.batch_all_reduce max %C, %C, %C
      : !replica.per_replica<4 x tensor<2xf64>>, !replica.per_replica<4 x tensor<2xf64>>, !replica.per_replica<4 x tensor<2xf64>>
  %Cn = replica.all_reduce min %C : !replica.per_replica<4 x tensor<2xf64>>
  %Cp = replica.all_reduce prod %C : !replica.per_replica<4 x tensor<2xf64>>
  %Cr = replica.reduce_to min %C to 3 : !replica.per_replica<4 x tensor<2xf64>>
  %half = arith.constant dense<[0.5, 0.25]> : tensor<2xf64>
  %Cc = replica.broadcast %half : tensor<2xf64> -> !replica.mirrored<4 x tensor<2xf64>>
  // [[r], [-r]] per replica, gathered.
  %G = replica.replicate<4> () : () -> !replica.per_replica<4 x tensor<2x1xi64>> {
    %id = replica.replica_id : index
    %i = arith.index_cast %id : index to i64
    %z = arith.constant 0 : i64
    %n = arith.subi %z, %i : i64
    %t = tensor.from_elements %i, %n : tensor<2x1xi64>
    replica.yield %t : tensor<2x1xi64>
  }
  %G0 = replica.all_gather %G dim 0 : !replica.per_replica<4 x tensor<2x1xi64>> -> !replica.mirrored<4 x tensor<8x1xi64>>
  %G1 = replica.all_gather %G dim 1 : !replica.per_replica<4 x tensor<2x1xi64>> -> !replica.mirrored<4 x tensor<2x4xi64>>

  replica.replicate<4> (%s = %Cs, %m = %Cm, %x = %Cb#1, %n = %Cn, %p = %Cp, %r = %Cr, %b = %Cc,
                        %g0 = %G0, %g1 = %G1)
      : (!replica.mirrored<4 x tensor<2xf64>>, !replica.mirrored<4 x tensor<2xf64>>,
         !replica.mirrored<4 x tensor<2xf64>>, !replica.mirrored<4 x tensor<2xf64>>,
         !replica.mirrored<4 x tensor<2xf64>>, tensor<2xf64>, !replica.mirrored<4 x tensor<2xf64>>,
         !replica.mirrored<4 x tensor<8x1xi64>>, !replica.mirrored<4 x tensor<2x4xi64>>) -> () {
    %id = replica.replica_id : index
    %t11 = arith.constant 11 : i64
    %t12 = arith.constant 12 : i64
    %all = tensor.concat dim(0) %s, %m, %x, %n, %p, %r, %b
        : (tensor<2xf64>, tensor<2xf64>, tensor<2xf64>, tensor<2xf64>, tensor<2xf64>,
           tensor<2xf64>, tensor<2xf64>) -> tensor<14xf64>
    %alld = tensor.cast %all : tensor<14xf64> to tensor<?xf64>
    func.call @show_f64(%t11, %id, %alld) : (i64, index, tensor<?xf64>) -> ()
    %f0 = tensor.collapse_shape %g0 [[0, 1]] : tensor<8x1xi64> into tensor<8xi64>
    %f1 = tensor.collapse_shape %g1 [[0, 1]] : tensor<2x4xi64> into tensor<8xi64>
    %ff = tensor.concat dim(0) %f0, %f1 : (tensor<8xi64>, tensor<8xi64>) -> tensor<16xi64>
    %ffd = tensor.cast %ff : tensor<16xi64> to tensor<?xi64>
    func.call @show_i64(%t12, %id, %ffd) : (i64, index, tensor<?xi64>) -> ()
    replica.yield
  }
  // sum, mean, max, min, prod, reduce_to min, broadcast:
  // CHECK:      11 r0: 15 -15 3.75 -3.75 8 -1 1 -8 64 64 1 -8 0.5 0.25
  // CHECK-NEXT: 11 r1: 15 -15 3.75 -3.75 8 -1 1 -8 64 64 1 -8 0.5 0.25
  // CHECK-NEXT: 11 r2: 15 -15 3.75 -3.75 8 -1 1 -8 64 64 1 -8 0.5 0.25
  // CHECK-NEXT: 11 r3: 15 -15 3.75 -3.75 8 -1 1 -8 64 64 1 -8 0.5 0.25
  // dim 0 (8x1), then dim 1 (2x4):
  // CHECK-NEXT: 12 r0: 0 0 1 -1 2 -2 3 -3 0 1 2 3 0 -1 -2 -3
  // CHECK-NEXT: 12 r1: 0 0 1 -1 2 -2 3 -3 0 1 2 3 0 -1 -2 -3
  // CHECK-NEXT: 12 r2: 0 0 1 -1 2 -2 3 -3 0 1 2 3 0 -1 -2 -3
  // CHECK-NEXT: 12 r3: 0 0 1 -1 2 -2 3 -3 0 1 2 3 0 -1 -2 -3

  // In-replica form on x = [r, r * r, 5 - r]:
  // [0, 0, 5], [1, 1, 4], [2, 4, 3], [3, 9, 2].
  replica.replicate<4> () : () -> () {
    %id = replica.replica_id : index
    %i = arith.index_cast %id : index to i64
    %f = arith.sitofp %i : i64 to f32
    %ff = arith.mulf %f, %f : f32
    %five = arith.constant 5.0 : f32
    %fv = arith.subf %five, %f : f32
    %x = tensor.from_elements %f, %ff, %fv : tensor<3xf32>
    %s = replica.all_reduce sum %x : tensor<3xf32>
    %m = replica.all_reduce mean %x : tensor<3xf32>
    %b:2 = replica.batch_all_reduce max %x, %f : tensor<3xf32>, f32
    %n = replica.all_reduce min %x : tensor<3xf32>
    %p = replica.all_reduce prod %x : tensor<3xf32>
    %h2 = replica.broadcast %x from 2 : tensor<3xf32>
    %h3 = replica.broadcast %x from 3 : tensor<3xf32>
    %r3 = replica.reduce_to sum %x to 3 : tensor<3xf32>
    %r2 = replica.reduce_to max %x to 2 : tensor<3xf32>
    %t21 = arith.constant 21 : i64
    %t22 = arith.constant 22 : i64
    %t23 = arith.constant 23 : i64
    %t24 = arith.constant 24 : i64
    %bt = tensor.from_elements %b#1 : tensor<1xf32>
    %all = tensor.concat dim(0) %s, %m, %b#0, %bt, %n, %p
        : (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<1xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<16xf32>
    %alld = tensor.cast %all : tensor<16xf32> to tensor<?xf32>
    func.call @show_f32(%t21, %id, %alld) : (i64, index, tensor<?xf32>) -> ()
    %hh = tensor.concat dim(0) %h2, %h3 : (tensor<3xf32>, tensor<3xf32>) -> tensor<6xf32>
    %hhd = tensor.cast %hh : tensor<6xf32> to tensor<?xf32>
    func.call @show_f32(%t22, %id, %hhd) : (i64, index, tensor<?xf32>) -> ()
    %c2 = arith.constant 2 : index
    %c3 = arith.constant 3 : index
    %on2 = arith.cmpi eq, %id, %c2 : index
    %on3 = arith.cmpi eq, %id, %c3 : index
    scf.if %on2 {
      %r2d = tensor.cast %r2 : tensor<3xf32> to tensor<?xf32>
      func.call @show_f32(%t23, %id, %r2d) : (i64, index, tensor<?xf32>) -> ()
    }
    scf.if %on3 {
      %r3d = tensor.cast %r3 : tensor<3xf32> to tensor<?xf32>
      func.call @show_f32(%t24, %id, %r3d) : (i64, index, tensor<?xf32>) -> ()
    }
    // all_gather of [[r], [10 r]] (i32): dim 0 then dim 1.
    %r32 = arith.index_cast %id : index to i32
    %ten = arith.constant 10 : i32
    %r10 = arith.muli %r32, %ten : i32
    %y = tensor.from_elements %r32, %r10 : tensor<2x1xi32>
    %y0 = replica.all_gather %y dim 0 : tensor<2x1xi32> -> tensor<8x1xi32>
    %y1 = replica.all_gather %y dim 1 : tensor<2x1xi32> -> tensor<2x4xi32>
    %y0c = tensor.collapse_shape %y0 [[0, 1]] : tensor<8x1xi32> into tensor<8xi32>
    %y1c = tensor.collapse_shape %y1 [[0, 1]] : tensor<2x4xi32> into tensor<8xi32>
    %yy = tensor.concat dim(0) %y0c, %y1c : (tensor<8xi32>, tensor<8xi32>) -> tensor<16xi32>
    %yyd = tensor.cast %yy : tensor<16xi32> to tensor<?xi32>
    %t25 = arith.constant 25 : i64
    func.call @show_i32(%t25, %id, %yyd) : (i64, index, tensor<?xi32>) -> ()
    replica.yield
  }
  // sum, mean, max (and max of r), min, prod:
  // CHECK-NEXT: 21 r0: 6 14 14 1.5 3.5 3.5 3 9 5 3 0 0 2 0 0 120
  // CHECK-NEXT: 21 r1: 6 14 14 1.5 3.5 3.5 3 9 5 3 0 0 2 0 0 120
  // CHECK-NEXT: 21 r2: 6 14 14 1.5 3.5 3.5 3 9 5 3 0 0 2 0 0 120
  // CHECK-NEXT: 21 r3: 6 14 14 1.5 3.5 3.5 3 9 5 3 0 0 2 0 0 120
  // broadcast from 2, from 3:
  // CHECK-NEXT: 22 r0: 2 4 3 3 9 2
  // CHECK-NEXT: 22 r1: 2 4 3 3 9 2
  // CHECK-NEXT: 22 r2: 2 4 3 3 9 2
  // CHECK-NEXT: 22 r3: 2 4 3 3 9 2
  // reduce_to max to 2, sum to 3:
  // CHECK-NEXT: 23 r2: 3 9 5
  // CHECK-NEXT: 24 r3: 6 14 14
  // CHECK-NEXT: 25 r0: 0 0 1 10 2 20 3 30 0 1 2 3 0 10 20 30
  // CHECK-NEXT: 25 r1: 0 0 1 10 2 20 3 30 0 1 2 3 0 10 20 30
  // CHECK-NEXT: 25 r2: 0 0 1 10 2 20 3 30 0 1 2 3 0 10 20 30
  // CHECK-NEXT: 25 r3: 0 0 1 10 2 20 3 30 0 1 2 3 0 10 20 30
  // CHECK-NOT: {{.}}
  return
}
