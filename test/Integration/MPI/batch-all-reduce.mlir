// REQUIRES: mpi
// RUN: replica-run %s | sort | FileCheck %s
// RUN: replica-run %s --backend=mpi --np=2 | sort | FileCheck %s
// RUN: %if cuda-gpus-2 %{ replica-run %s --backend=nccl | sort | FileCheck %s %}
// RUN: %if cuda-gpus-2 %{ replica-run %s --backend=nccl --np=2 | sort | FileCheck %s %}

// replica.batch_all_reduce over operands of different shapes and element types
// (f32, f64, f16, bf16, i32, i64; scalars, 1-D and 2-D tensors; a mirrored
// operand) in one batch, with every kind, in the cross-replica and the
// in-replica form. 2-D results are printed flattened in row-major order.

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
  %p0 = arith.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %p1 = arith.constant dense<[10.0, 20.0, 30.0, 40.0]> : tensor<4xf32>
  %P = replica.regroup %p0, %p1 : tensor<4xf32> -> !replica.per_replica<2 x tensor<4xf32>>
  %q0 = arith.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %q1 = arith.constant dense<[[0.5, 0.5, 0.5], [-1.0, -1.0, -1.0]]> : tensor<2x3xf32>
  %Q = replica.regroup %q0, %q1 : tensor<2x3xf32> -> !replica.per_replica<2 x tensor<2x3xf32>>
  %s0 = arith.constant 0.25 : f32
  %s1 = arith.constant 0.5 : f32
  %S = replica.regroup %s0, %s1 : f32 -> !replica.per_replica<2 x f32>
  %i0 = arith.constant dense<[1, -1, 100]> : tensor<3xi32>
  %i1 = arith.constant dense<[2, -2, 200]> : tensor<3xi32>
  %I = replica.regroup %i0, %i1 : tensor<3xi32> -> !replica.per_replica<2 x tensor<3xi32>>
  %l0 = arith.constant 40000000000 : i64
  %l1 = arith.constant 2 : i64
  %L = replica.regroup %l0, %l1 : i64 -> !replica.per_replica<2 x i64>
  %d0 = arith.constant dense<[0.125, 1.0]> : tensor<2xf64>
  %d1 = arith.constant dense<[0.125, -3.0]> : tensor<2xf64>
  %D = replica.regroup %d0, %d1 : tensor<2xf64> -> !replica.per_replica<2 x tensor<2xf64>>
  %c = arith.constant 2.5 : f32
  %M = replica.regroup %c, %c mirrored : f32 -> !replica.mirrored<2 x f32>
  %h0 = arith.constant dense<[1.0, 2.0]> : tensor<2xf16>
  %h1 = arith.constant dense<[3.0, 4.0]> : tensor<2xf16>
  %H = replica.regroup %h0, %h1 : tensor<2xf16> -> !replica.per_replica<2 x tensor<2xf16>>
  %b0 = arith.constant 1.5 : bf16
  %b1 = arith.constant 2.0 : bf16
  %B = replica.regroup %b0, %b1 : bf16 -> !replica.per_replica<2 x bf16>

  %sum:9 = replica.batch_all_reduce sum %P, %Q, %S, %I, %L, %D, %M, %H, %B
      : !replica.per_replica<2 x tensor<4xf32>>, !replica.per_replica<2 x tensor<2x3xf32>>,
        !replica.per_replica<2 x f32>, !replica.per_replica<2 x tensor<3xi32>>,
        !replica.per_replica<2 x i64>, !replica.per_replica<2 x tensor<2xf64>>,
        !replica.mirrored<2 x f32>, !replica.per_replica<2 x tensor<2xf16>>,
        !replica.per_replica<2 x bf16>
  %mean:6 = replica.batch_all_reduce mean %P, %Q, %S, %D, %M, %H
      : !replica.per_replica<2 x tensor<4xf32>>, !replica.per_replica<2 x tensor<2x3xf32>>,
        !replica.per_replica<2 x f32>, !replica.per_replica<2 x tensor<2xf64>>,
        !replica.mirrored<2 x f32>, !replica.per_replica<2 x tensor<2xf16>>
  %max:4 = replica.batch_all_reduce max %P, %Q, %I, %L
      : !replica.per_replica<2 x tensor<4xf32>>, !replica.per_replica<2 x tensor<2x3xf32>>,
        !replica.per_replica<2 x tensor<3xi32>>, !replica.per_replica<2 x i64>
  %min:4 = replica.batch_all_reduce min %P, %Q, %I, %L
      : !replica.per_replica<2 x tensor<4xf32>>, !replica.per_replica<2 x tensor<2x3xf32>>,
        !replica.per_replica<2 x tensor<3xi32>>, !replica.per_replica<2 x i64>
  %prod:4 = replica.batch_all_reduce prod %S, %I, %L, %H
      : !replica.per_replica<2 x f32>, !replica.per_replica<2 x tensor<3xi32>>,
        !replica.per_replica<2 x i64>, !replica.per_replica<2 x tensor<2xf16>>

  // Sum: tags 1x.
  replica.replicate<2> (%a = %sum#0, %b = %sum#1, %s = %sum#2, %i = %sum#3, %l = %sum#4,
                        %d = %sum#5, %m = %sum#6, %h = %sum#7, %bf = %sum#8)
      : (!replica.mirrored<2 x tensor<4xf32>>, !replica.mirrored<2 x tensor<2x3xf32>>,
         !replica.mirrored<2 x f32>, !replica.mirrored<2 x tensor<3xi32>>,
         !replica.mirrored<2 x i64>, !replica.mirrored<2 x tensor<2xf64>>,
         !replica.mirrored<2 x f32>, !replica.mirrored<2 x tensor<2xf16>>,
         !replica.mirrored<2 x bf16>) -> () {
    %id = replica.replica_id : index
    %t10 = arith.constant 10 : i64
    %t11 = arith.constant 11 : i64
    %t12 = arith.constant 12 : i64
    %t13 = arith.constant 13 : i64
    %t14 = arith.constant 14 : i64
    %t15 = arith.constant 15 : i64
    %t16 = arith.constant 16 : i64
    %ad = tensor.cast %a : tensor<4xf32> to tensor<?xf32>
    func.call @show_f32(%t10, %id, %ad) : (i64, index, tensor<?xf32>) -> ()
    %bc = tensor.collapse_shape %b [[0, 1]] : tensor<2x3xf32> into tensor<6xf32>
    %bd = tensor.cast %bc : tensor<6xf32> to tensor<?xf32>
    func.call @show_f32(%t11, %id, %bd) : (i64, index, tensor<?xf32>) -> ()
    %he = arith.extf %h : tensor<2xf16> to tensor<2xf32>
    %j0 = arith.constant 0 : index
    %j1 = arith.constant 1 : index
    %he0 = tensor.extract %he[%j0] : tensor<2xf32>
    %he1 = tensor.extract %he[%j1] : tensor<2xf32>
    %bfe = arith.extf %bf : bf16 to f32
    // scalar f32, mirrored f32, f16 pair, bf16
    %sc = tensor.from_elements %s, %m, %he0, %he1, %bfe : tensor<5xf32>
    %scd = tensor.cast %sc : tensor<5xf32> to tensor<?xf32>
    func.call @show_f32(%t12, %id, %scd) : (i64, index, tensor<?xf32>) -> ()
    %id3 = tensor.cast %i : tensor<3xi32> to tensor<?xi32>
    func.call @show_i32(%t13, %id, %id3) : (i64, index, tensor<?xi32>) -> ()
    %lt = tensor.from_elements %l : tensor<1xi64>
    %ld = tensor.cast %lt : tensor<1xi64> to tensor<?xi64>
    func.call @show_i64(%t14, %id, %ld) : (i64, index, tensor<?xi64>) -> ()
    %dd = tensor.cast %d : tensor<2xf64> to tensor<?xf64>
    func.call @show_f64(%t15, %id, %dd) : (i64, index, tensor<?xf64>) -> ()
    replica.yield
  }
  // CHECK:      10 r0: 11 22 33 44
  // CHECK-NEXT: 10 r1: 11 22 33 44
  // CHECK-NEXT: 11 r0: 1.5 2.5 3.5 3 4 5
  // CHECK-NEXT: 11 r1: 1.5 2.5 3.5 3 4 5
  // The mirrored 2.5 sums to 2 * 2.5.
  // CHECK-NEXT: 12 r0: 0.75 5 4 6 3.5
  // CHECK-NEXT: 12 r1: 0.75 5 4 6 3.5
  // CHECK-NEXT: 13 r0: 3 -3 300
  // CHECK-NEXT: 13 r1: 3 -3 300
  // CHECK-NEXT: 14 r0: 40000000002
  // CHECK-NEXT: 14 r1: 40000000002
  // CHECK-NEXT: 15 r0: 0.25 -2
  // CHECK-NEXT: 15 r1: 0.25 -2

  // Mean: tags 2x.
  replica.replicate<2> (%a = %mean#0, %b = %mean#1, %s = %mean#2, %d = %mean#3,
                        %m = %mean#4, %h = %mean#5)
      : (!replica.mirrored<2 x tensor<4xf32>>, !replica.mirrored<2 x tensor<2x3xf32>>,
         !replica.mirrored<2 x f32>, !replica.mirrored<2 x tensor<2xf64>>,
         !replica.mirrored<2 x f32>, !replica.mirrored<2 x tensor<2xf16>>) -> () {
    %id = replica.replica_id : index
    %t20 = arith.constant 20 : i64
    %t21 = arith.constant 21 : i64
    %t22 = arith.constant 22 : i64
    %t25 = arith.constant 25 : i64
    %ad = tensor.cast %a : tensor<4xf32> to tensor<?xf32>
    func.call @show_f32(%t20, %id, %ad) : (i64, index, tensor<?xf32>) -> ()
    %bc = tensor.collapse_shape %b [[0, 1]] : tensor<2x3xf32> into tensor<6xf32>
    %bd = tensor.cast %bc : tensor<6xf32> to tensor<?xf32>
    func.call @show_f32(%t21, %id, %bd) : (i64, index, tensor<?xf32>) -> ()
    %he = arith.extf %h : tensor<2xf16> to tensor<2xf32>
    %j0 = arith.constant 0 : index
    %j1 = arith.constant 1 : index
    %he0 = tensor.extract %he[%j0] : tensor<2xf32>
    %he1 = tensor.extract %he[%j1] : tensor<2xf32>
    %sc = tensor.from_elements %s, %m, %he0, %he1 : tensor<4xf32>
    %scd = tensor.cast %sc : tensor<4xf32> to tensor<?xf32>
    func.call @show_f32(%t22, %id, %scd) : (i64, index, tensor<?xf32>) -> ()
    %dd = tensor.cast %d : tensor<2xf64> to tensor<?xf64>
    func.call @show_f64(%t25, %id, %dd) : (i64, index, tensor<?xf64>) -> ()
    replica.yield
  }
  // CHECK-NEXT: 20 r0: 5.5 11 16.5 22
  // CHECK-NEXT: 20 r1: 5.5 11 16.5 22
  // CHECK-NEXT: 21 r0: 0.75 1.25 1.75 1.5 2 2.5
  // CHECK-NEXT: 21 r1: 0.75 1.25 1.75 1.5 2 2.5
  // CHECK-NEXT: 22 r0: 0.375 2.5 2 3
  // CHECK-NEXT: 22 r1: 0.375 2.5 2 3
  // CHECK-NEXT: 25 r0: 0.125 -1
  // CHECK-NEXT: 25 r1: 0.125 -1

  // Max (3x), min (4x), prod (5x).
  replica.replicate<2> (%a = %max#0, %b = %max#1, %i = %max#2, %l = %max#3,
                        %a2 = %min#0, %b2 = %min#1, %i2 = %min#2, %l2 = %min#3,
                        %s3 = %prod#0, %i3 = %prod#1, %l3 = %prod#2, %h3 = %prod#3)
      : (!replica.mirrored<2 x tensor<4xf32>>, !replica.mirrored<2 x tensor<2x3xf32>>,
         !replica.mirrored<2 x tensor<3xi32>>, !replica.mirrored<2 x i64>,
         !replica.mirrored<2 x tensor<4xf32>>, !replica.mirrored<2 x tensor<2x3xf32>>,
         !replica.mirrored<2 x tensor<3xi32>>, !replica.mirrored<2 x i64>,
         !replica.mirrored<2 x f32>, !replica.mirrored<2 x tensor<3xi32>>,
         !replica.mirrored<2 x i64>, !replica.mirrored<2 x tensor<2xf16>>) -> () {
    %id = replica.replica_id : index
    %t30 = arith.constant 30 : i64
    %t31 = arith.constant 31 : i64
    %t33 = arith.constant 33 : i64
    %t34 = arith.constant 34 : i64
    %t40 = arith.constant 40 : i64
    %t41 = arith.constant 41 : i64
    %t43 = arith.constant 43 : i64
    %t44 = arith.constant 44 : i64
    %t52 = arith.constant 52 : i64
    %t53 = arith.constant 53 : i64
    %t54 = arith.constant 54 : i64
    %ad = tensor.cast %a : tensor<4xf32> to tensor<?xf32>
    func.call @show_f32(%t30, %id, %ad) : (i64, index, tensor<?xf32>) -> ()
    %bc = tensor.collapse_shape %b [[0, 1]] : tensor<2x3xf32> into tensor<6xf32>
    %bd = tensor.cast %bc : tensor<6xf32> to tensor<?xf32>
    func.call @show_f32(%t31, %id, %bd) : (i64, index, tensor<?xf32>) -> ()
    %id3 = tensor.cast %i : tensor<3xi32> to tensor<?xi32>
    func.call @show_i32(%t33, %id, %id3) : (i64, index, tensor<?xi32>) -> ()
    %lt = tensor.from_elements %l : tensor<1xi64>
    %ld = tensor.cast %lt : tensor<1xi64> to tensor<?xi64>
    func.call @show_i64(%t34, %id, %ld) : (i64, index, tensor<?xi64>) -> ()

    %ad2 = tensor.cast %a2 : tensor<4xf32> to tensor<?xf32>
    func.call @show_f32(%t40, %id, %ad2) : (i64, index, tensor<?xf32>) -> ()
    %bc2 = tensor.collapse_shape %b2 [[0, 1]] : tensor<2x3xf32> into tensor<6xf32>
    %bd2 = tensor.cast %bc2 : tensor<6xf32> to tensor<?xf32>
    func.call @show_f32(%t41, %id, %bd2) : (i64, index, tensor<?xf32>) -> ()
    %id32 = tensor.cast %i2 : tensor<3xi32> to tensor<?xi32>
    func.call @show_i32(%t43, %id, %id32) : (i64, index, tensor<?xi32>) -> ()
    %lt2 = tensor.from_elements %l2 : tensor<1xi64>
    %ld2 = tensor.cast %lt2 : tensor<1xi64> to tensor<?xi64>
    func.call @show_i64(%t44, %id, %ld2) : (i64, index, tensor<?xi64>) -> ()

    %he = arith.extf %h3 : tensor<2xf16> to tensor<2xf32>
    %j0 = arith.constant 0 : index
    %j1 = arith.constant 1 : index
    %he0 = tensor.extract %he[%j0] : tensor<2xf32>
    %he1 = tensor.extract %he[%j1] : tensor<2xf32>
    %sc = tensor.from_elements %s3, %he0, %he1 : tensor<3xf32>
    %scd = tensor.cast %sc : tensor<3xf32> to tensor<?xf32>
    func.call @show_f32(%t52, %id, %scd) : (i64, index, tensor<?xf32>) -> ()
    %id33 = tensor.cast %i3 : tensor<3xi32> to tensor<?xi32>
    func.call @show_i32(%t53, %id, %id33) : (i64, index, tensor<?xi32>) -> ()
    %lt3 = tensor.from_elements %l3 : tensor<1xi64>
    %ld3 = tensor.cast %lt3 : tensor<1xi64> to tensor<?xi64>
    func.call @show_i64(%t54, %id, %ld3) : (i64, index, tensor<?xi64>) -> ()
    replica.yield
  }
  // CHECK-NEXT: 30 r0: 10 20 30 40
  // CHECK-NEXT: 30 r1: 10 20 30 40
  // CHECK-NEXT: 31 r0: 1 2 3 4 5 6
  // CHECK-NEXT: 31 r1: 1 2 3 4 5 6
  // CHECK-NEXT: 33 r0: 2 -1 200
  // CHECK-NEXT: 33 r1: 2 -1 200
  // CHECK-NEXT: 34 r0: 40000000000
  // CHECK-NEXT: 34 r1: 40000000000
  // CHECK-NEXT: 40 r0: 1 2 3 4
  // CHECK-NEXT: 40 r1: 1 2 3 4
  // CHECK-NEXT: 41 r0: 0.5 0.5 0.5 -1 -1 -1
  // CHECK-NEXT: 41 r1: 0.5 0.5 0.5 -1 -1 -1
  // CHECK-NEXT: 43 r0: 1 -2 100
  // CHECK-NEXT: 43 r1: 1 -2 100
  // CHECK-NEXT: 44 r0: 2
  // CHECK-NEXT: 44 r1: 2
  // CHECK-NEXT: 52 r0: 0.125 3 8
  // CHECK-NEXT: 52 r1: 0.125 3 8
  // CHECK-NEXT: 53 r0: 2 2 20000
  // CHECK-NEXT: 53 r1: 2 2 20000
  // CHECK-NEXT: 54 r0: 80000000000
  // CHECK-NEXT: 54 r1: 80000000000

  // In-replica form (6x, 7x): u = [1, 2, 3] + id (f32), v = 10 * (id + 1)
  // (i64), w per replica (i32 2x2), z = id + 0.5 (f64).
  %w0 = arith.constant dense<[[1, 2], [3, 4]]> : tensor<2x2xi32>
  %w1 = arith.constant dense<[[5, 6], [7, 8]]> : tensor<2x2xi32>
  %W = replica.regroup %w0, %w1 : tensor<2x2xi32> -> !replica.per_replica<2 x tensor<2x2xi32>>
  %base = arith.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  replica.replicate<2> (%w = %W, %ub = %base)
      : (!replica.per_replica<2 x tensor<2x2xi32>>, tensor<3xf32>) -> () {
    %id = replica.replica_id : index
    %idi = arith.index_cast %id : index to i64
    %idf = arith.sitofp %idi : i64 to f32
    %ids = tensor.splat %idf : tensor<3xf32>
    %u = arith.addf %ub, %ids : tensor<3xf32>
    %c1 = arith.constant 1 : i64
    %c10 = arith.constant 10 : i64
    %k = arith.addi %idi, %c1 : i64
    %v = arith.muli %k, %c10 : i64
    %idd = arith.sitofp %idi : i64 to f64
    %half = arith.constant 0.5 : f64
    %z = arith.addf %idd, %half : f64
    %s:4 = replica.batch_all_reduce sum %u, %v, %w, %z : tensor<3xf32>, i64, tensor<2x2xi32>, f64
    %x:4 = replica.batch_all_reduce max %u, %v, %w, %z : tensor<3xf32>, i64, tensor<2x2xi32>, f64
    %n:4 = replica.batch_all_reduce min %u, %v, %w, %z : tensor<3xf32>, i64, tensor<2x2xi32>, f64
    %p:4 = replica.batch_all_reduce prod %u, %v, %w, %z : tensor<3xf32>, i64, tensor<2x2xi32>, f64
    %m:2 = replica.batch_all_reduce mean %u, %z : tensor<3xf32>, f64

    %t60 = arith.constant 60 : i64
    %t61 = arith.constant 61 : i64
    %t62 = arith.constant 62 : i64
    %t63 = arith.constant 63 : i64
    %t64 = arith.constant 64 : i64
    %t70 = arith.constant 70 : i64
    %t71 = arith.constant 71 : i64
    %t72 = arith.constant 72 : i64
    %t73 = arith.constant 73 : i64
    // f32 u: sum, max, min, prod, mean on one line.
    %us = tensor.concat dim(0) %s#0, %x#0, %n#0, %p#0, %m#0
        : (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<15xf32>
    %usd = tensor.cast %us : tensor<15xf32> to tensor<?xf32>
    func.call @show_f32(%t60, %id, %usd) : (i64, index, tensor<?xf32>) -> ()
    // i64 v: sum, max, min, prod.
    %vs = tensor.from_elements %s#1, %x#1, %n#1, %p#1 : tensor<4xi64>
    %vsd = tensor.cast %vs : tensor<4xi64> to tensor<?xi64>
    func.call @show_i64(%t61, %id, %vsd) : (i64, index, tensor<?xi64>) -> ()
    // f64 z: sum, max, min, prod, mean.
    %zs = tensor.from_elements %s#3, %x#3, %n#3, %p#3, %m#1 : tensor<5xf64>
    %zsd = tensor.cast %zs : tensor<5xf64> to tensor<?xf64>
    func.call @show_f64(%t62, %id, %zsd) : (i64, index, tensor<?xf64>) -> ()
    // i32 w, flattened: sum, max, min, prod.
    %w_s = tensor.collapse_shape %s#2 [[0, 1]] : tensor<2x2xi32> into tensor<4xi32>
    %w_x = tensor.collapse_shape %x#2 [[0, 1]] : tensor<2x2xi32> into tensor<4xi32>
    %w_n = tensor.collapse_shape %n#2 [[0, 1]] : tensor<2x2xi32> into tensor<4xi32>
    %w_p = tensor.collapse_shape %p#2 [[0, 1]] : tensor<2x2xi32> into tensor<4xi32>
    %w_sd = tensor.cast %w_s : tensor<4xi32> to tensor<?xi32>
    %w_xd = tensor.cast %w_x : tensor<4xi32> to tensor<?xi32>
    %w_nd = tensor.cast %w_n : tensor<4xi32> to tensor<?xi32>
    %w_pd = tensor.cast %w_p : tensor<4xi32> to tensor<?xi32>
    func.call @show_i32(%t70, %id, %w_sd) : (i64, index, tensor<?xi32>) -> ()
    func.call @show_i32(%t71, %id, %w_xd) : (i64, index, tensor<?xi32>) -> ()
    func.call @show_i32(%t72, %id, %w_nd) : (i64, index, tensor<?xi32>) -> ()
    func.call @show_i32(%t73, %id, %w_pd) : (i64, index, tensor<?xi32>) -> ()
    replica.yield
  }
  // u = [1, 2, 3] and [2, 3, 4].
  // CHECK-NEXT: 60 r0: 3 5 7 2 3 4 1 2 3 2 6 12 1.5 2.5 3.5
  // CHECK-NEXT: 60 r1: 3 5 7 2 3 4 1 2 3 2 6 12 1.5 2.5 3.5
  // v = 10 and 20.
  // CHECK-NEXT: 61 r0: 30 20 10 200
  // CHECK-NEXT: 61 r1: 30 20 10 200
  // z = 0.5 and 1.5.
  // CHECK-NEXT: 62 r0: 2 1.5 0.5 0.75 1
  // CHECK-NEXT: 62 r1: 2 1.5 0.5 0.75 1
  // w = [[1, 2], [3, 4]] and [[5, 6], [7, 8]].
  // CHECK-NEXT: 70 r0: 6 8 10 12
  // CHECK-NEXT: 70 r1: 6 8 10 12
  // CHECK-NEXT: 71 r0: 5 6 7 8
  // CHECK-NEXT: 71 r1: 5 6 7 8
  // CHECK-NEXT: 72 r0: 1 2 3 4
  // CHECK-NEXT: 72 r1: 1 2 3 4
  // CHECK-NEXT: 73 r0: 5 12 21 32
  // CHECK-NEXT: 73 r1: 5 12 21 32
  // CHECK-NOT: {{.}}
  return
}
