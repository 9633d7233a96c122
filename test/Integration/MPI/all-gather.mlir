// REQUIRES: mpi
// RUN: replica-run %s | sort | FileCheck %s
// RUN: replica-run %s --backend=mpi --np=2 | sort | FileCheck %s
// RUN: %if cuda-gpus-2 %{ replica-run %s --backend=nccl | sort | FileCheck %s %}
// RUN: %if cuda-gpus-2 %{ replica-run %s --backend=nccl --np=2 | sort | FileCheck %s %}

// replica.all_gather along dim 0 and dim 1, in both forms, on f32, i32, i64
// and f16. 2-D results are printed flattened in row-major order, so a dim-0
// gather shows replica 0's rows then replica 1's, and a dim-1 gather shows
// each row of replica 0 followed by the same row of replica 1.

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
  %a = arith.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %b = arith.constant dense<[[7.0, 8.0, 9.0], [10.0, 11.0, 12.0]]> : tensor<2x3xf32>
  %d = replica.regroup %a, %b : tensor<2x3xf32> -> !replica.per_replica<2 x tensor<2x3xf32>>
  %g0 = replica.all_gather %d dim 0 : !replica.per_replica<2 x tensor<2x3xf32>> -> !replica.mirrored<2 x tensor<4x3xf32>>
  %g1 = replica.all_gather %d dim 1 : !replica.per_replica<2 x tensor<2x3xf32>> -> !replica.mirrored<2 x tensor<2x6xf32>>
  %i0 = arith.constant dense<[5, -6]> : tensor<2xi32>
  %i1 = arith.constant dense<[7, -8]> : tensor<2xi32>
  %id = replica.regroup %i0, %i1 : tensor<2xi32> -> !replica.per_replica<2 x tensor<2xi32>>
  %gi = replica.all_gather %id dim 0 : !replica.per_replica<2 x tensor<2xi32>> -> !replica.mirrored<2 x tensor<4xi32>>

  %base = arith.constant dense<[[1, 2], [3, 4]]> : tensor<2x2xi64>
  %hb = arith.constant dense<[[0.5], [1.5]]> : tensor<2x1xf16>
  replica.replicate<2> (%x = %g0, %y = %g1, %z = %gi, %u = %base, %hu = %hb)
      : (!replica.mirrored<2 x tensor<4x3xf32>>, !replica.mirrored<2 x tensor<2x6xf32>>,
         !replica.mirrored<2 x tensor<4xi32>>, tensor<2x2xi64>, tensor<2x1xf16>) -> () {
    %r = replica.replica_id : index
    %t11 = arith.constant 11 : i64
    %t12 = arith.constant 12 : i64
    %t13 = arith.constant 13 : i64
    %xc = tensor.collapse_shape %x [[0, 1]] : tensor<4x3xf32> into tensor<12xf32>
    %xd = tensor.cast %xc : tensor<12xf32> to tensor<?xf32>
    func.call @show_f32(%t11, %r, %xd) : (i64, index, tensor<?xf32>) -> ()
    %yc = tensor.collapse_shape %y [[0, 1]] : tensor<2x6xf32> into tensor<12xf32>
    %yd = tensor.cast %yc : tensor<12xf32> to tensor<?xf32>
    func.call @show_f32(%t12, %r, %yd) : (i64, index, tensor<?xf32>) -> ()
    %zd = tensor.cast %z : tensor<4xi32> to tensor<?xi32>
    func.call @show_i32(%t13, %r, %zd) : (i64, index, tensor<?xi32>) -> ()

    // In-replica: w = base + 10 * id, i.e. [[1, 2], [3, 4]] and
    // [[11, 12], [13, 14]]; h = hb + 2 * id, i.e. [[0.5], [1.5]] and [[2.5], [3.5]].
    %ri = arith.index_cast %r : index to i64
    %c10 = arith.constant 10 : i64
    %off = arith.muli %ri, %c10 : i64
    %offs = tensor.splat %off : tensor<2x2xi64>
    %w = arith.addi %u, %offs : tensor<2x2xi64>
    %w0 = replica.all_gather %w dim 0 : tensor<2x2xi64> -> tensor<4x2xi64>
    %w1 = replica.all_gather %w dim 1 : tensor<2x2xi64> -> tensor<2x4xi64>
    %rh = arith.sitofp %ri : i64 to f16
    %two = arith.constant 2.0 : f16
    %rh2 = arith.mulf %rh, %two : f16
    %rhs = tensor.splat %rh2 : tensor<2x1xf16>
    %h = arith.addf %hu, %rhs : tensor<2x1xf16>
    %h0 = replica.all_gather %h dim 0 : tensor<2x1xf16> -> tensor<4x1xf16>
    %h1 = replica.all_gather %h dim 1 : tensor<2x1xf16> -> tensor<2x2xf16>
    %t21 = arith.constant 21 : i64
    %t22 = arith.constant 22 : i64
    %t23 = arith.constant 23 : i64
    %t24 = arith.constant 24 : i64
    %w0c = tensor.collapse_shape %w0 [[0, 1]] : tensor<4x2xi64> into tensor<8xi64>
    %w0d = tensor.cast %w0c : tensor<8xi64> to tensor<?xi64>
    func.call @show_i64(%t21, %r, %w0d) : (i64, index, tensor<?xi64>) -> ()
    %w1c = tensor.collapse_shape %w1 [[0, 1]] : tensor<2x4xi64> into tensor<8xi64>
    %w1d = tensor.cast %w1c : tensor<8xi64> to tensor<?xi64>
    func.call @show_i64(%t22, %r, %w1d) : (i64, index, tensor<?xi64>) -> ()
    %h0e = arith.extf %h0 : tensor<4x1xf16> to tensor<4x1xf32>
    %h0c = tensor.collapse_shape %h0e [[0, 1]] : tensor<4x1xf32> into tensor<4xf32>
    %h0d = tensor.cast %h0c : tensor<4xf32> to tensor<?xf32>
    func.call @show_f32(%t23, %r, %h0d) : (i64, index, tensor<?xf32>) -> ()
    %h1e = arith.extf %h1 : tensor<2x2xf16> to tensor<2x2xf32>
    %h1c = tensor.collapse_shape %h1e [[0, 1]] : tensor<2x2xf32> into tensor<4xf32>
    %h1d = tensor.cast %h1c : tensor<4xf32> to tensor<?xf32>
    func.call @show_f32(%t24, %r, %h1d) : (i64, index, tensor<?xf32>) -> ()
    replica.yield
  }
  // CHECK:      11 r0: 1 2 3 4 5 6 7 8 9 10 11 12
  // CHECK-NEXT: 11 r1: 1 2 3 4 5 6 7 8 9 10 11 12
  // CHECK-NEXT: 12 r0: 1 2 3 7 8 9 4 5 6 10 11 12
  // CHECK-NEXT: 12 r1: 1 2 3 7 8 9 4 5 6 10 11 12
  // CHECK-NEXT: 13 r0: 5 -6 7 -8
  // CHECK-NEXT: 13 r1: 5 -6 7 -8
  // CHECK-NEXT: 21 r0: 1 2 3 4 11 12 13 14
  // CHECK-NEXT: 21 r1: 1 2 3 4 11 12 13 14
  // CHECK-NEXT: 22 r0: 1 2 11 12 3 4 13 14
  // CHECK-NEXT: 22 r1: 1 2 11 12 3 4 13 14
  // CHECK-NEXT: 23 r0: 0.5 1.5 2.5 3.5
  // CHECK-NEXT: 23 r1: 0.5 1.5 2.5 3.5
  // CHECK-NEXT: 24 r0: 0.5 2.5 1.5 3.5
  // CHECK-NEXT: 24 r1: 0.5 2.5 1.5 3.5
  // CHECK-NOT: {{.}}
  return
}
