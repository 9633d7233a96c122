// RUN: replica-run %s | sort | FileCheck %s
// RUN: replica-opt %s -replica-lower-to-cpu | mlir-runner -e main \
// RUN:   -entry-point-result=void -shared-libs=%mlir_runner_utils \
// RUN:   -shared-libs=%mlir_c_runner_utils | sort | FileCheck %s

// Three replicas on the reference backend (run by replica-run, and by the
// stock mlir-runner after -replica-lower-to-cpu): mean divides by 3 (with
// rounding), every collective in both forms with an odd count, K = 2 as the
// root of broadcast and reduce_to.

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
  %a0 = arith.constant dense<[1.0, 0.0]> : tensor<2xf32>
  %a1 = arith.constant dense<[2.0, 0.0]> : tensor<2xf32>
  %a2 = arith.constant dense<[4.0, 1.0]> : tensor<2xf32>
  %A = replica.regroup %a0, %a1, %a2 : tensor<2xf32> -> !replica.per_replica<3 x tensor<2xf32>>
  %Am = replica.all_reduce mean %A : !replica.per_replica<3 x tensor<2xf32>>
  %As = replica.all_reduce sum %A : !replica.per_replica<3 x tensor<2xf32>>
  %Ap = replica.all_reduce prod %A : !replica.per_replica<3 x tensor<2xf32>>
  %Ar = replica.reduce_to max %A to 2 : !replica.per_replica<3 x tensor<2xf32>>
  %Ag = replica.all_gather %A dim 0 : !replica.per_replica<3 x tensor<2xf32>> -> !replica.mirrored<3 x tensor<6xf32>>
  %b = arith.constant 0.125 : f32
  %Ab = replica.broadcast %b : f32 -> !replica.mirrored<3 x f32>

  replica.replicate<3> (%m = %Am, %s = %As, %p = %Ap, %r = %Ar, %g = %Ag, %bb = %Ab)
      : (!replica.mirrored<3 x tensor<2xf32>>, !replica.mirrored<3 x tensor<2xf32>>,
         !replica.mirrored<3 x tensor<2xf32>>, tensor<2xf32>,
         !replica.mirrored<3 x tensor<6xf32>>, !replica.mirrored<3 x f32>) -> () {
    %id = replica.replica_id : index
    %bt = tensor.from_elements %bb : tensor<1xf32>
    %all = tensor.concat dim(0) %m, %s, %p, %r, %g, %bt
        : (tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<6xf32>, tensor<1xf32>) -> tensor<15xf32>
    %alld = tensor.cast %all : tensor<15xf32> to tensor<?xf32>
    %t11 = arith.constant 11 : i64
    func.call @show_f32(%t11, %id, %alld) : (i64, index, tensor<?xf32>) -> ()

    // In-replica on r (i64), r + 1 / 2 (f64) and [[r], [2 r]] (f32):
    %i = arith.index_cast %id : index to i64
    %f = arith.sitofp %i : i64 to f64
    %h = arith.constant 0.5 : f64
    %fh = arith.addf %f, %h : f64
    %x32 = arith.sitofp %i : i64 to f32
    %x2 = arith.addf %x32, %x32 : f32
    %col = tensor.from_elements %x32, %x2 : tensor<2x1xf32>
    %si = replica.all_reduce sum %i : i64
    %pi = replica.all_reduce prod %i : i64
    %xi = replica.all_reduce max %i : i64
    %ri = replica.reduce_to min %i to 2 : i64
    %bi = replica.broadcast %i from 2 : i64
    %mf:2 = replica.batch_all_reduce mean %fh, %f : f64, f64
    %g0 = replica.all_gather %col dim 0 : tensor<2x1xf32> -> tensor<6x1xf32>
    %g1 = replica.all_gather %col dim 1 : tensor<2x1xf32> -> tensor<2x3xf32>
    %iv = tensor.from_elements %si, %pi, %xi, %bi : tensor<4xi64>
    %ivd = tensor.cast %iv : tensor<4xi64> to tensor<?xi64>
    %t21 = arith.constant 21 : i64
    func.call @show_i64(%t21, %id, %ivd) : (i64, index, tensor<?xi64>) -> ()
    %fv = tensor.from_elements %mf#0, %mf#1 : tensor<2xf64>
    %fvd = tensor.cast %fv : tensor<2xf64> to tensor<?xf64>
    %t22 = arith.constant 22 : i64
    func.call @show_f64(%t22, %id, %fvd) : (i64, index, tensor<?xf64>) -> ()
    %g0c = tensor.collapse_shape %g0 [[0, 1]] : tensor<6x1xf32> into tensor<6xf32>
    %g1c = tensor.collapse_shape %g1 [[0, 1]] : tensor<2x3xf32> into tensor<6xf32>
    %gg = tensor.concat dim(0) %g0c, %g1c : (tensor<6xf32>, tensor<6xf32>) -> tensor<12xf32>
    %ggd = tensor.cast %gg : tensor<12xf32> to tensor<?xf32>
    %t23 = arith.constant 23 : i64
    func.call @show_f32(%t23, %id, %ggd) : (i64, index, tensor<?xf32>) -> ()
    %c2 = arith.constant 2 : index
    %on2 = arith.cmpi eq, %id, %c2 : index
    scf.if %on2 {
      %rt = tensor.from_elements %ri : tensor<1xi64>
      %rtd = tensor.cast %rt : tensor<1xi64> to tensor<?xi64>
      %t24 = arith.constant 24 : i64
      func.call @show_i64(%t24, %id, %rtd) : (i64, index, tensor<?xi64>) -> ()
    }
    replica.yield
  }
  // mean [7/3, 1/3], sum, prod, reduce_to max, all_gather, broadcast:
  // CHECK:      11 r0: 2.33333 0.333333 7 1 8 0 4 1 1 0 2 0 4 1 0.125
  // CHECK-NEXT: 11 r1: 2.33333 0.333333 7 1 8 0 4 1 1 0 2 0 4 1 0.125
  // CHECK-NEXT: 11 r2: 2.33333 0.333333 7 1 8 0 4 1 1 0 2 0 4 1 0.125
  // r = 0, 1, 2: sum, prod, max, broadcast from 2:
  // CHECK-NEXT: 21 r0: 3 0 2 2
  // CHECK-NEXT: 21 r1: 3 0 2 2
  // CHECK-NEXT: 21 r2: 3 0 2 2
  // mean of 0.5, 1.5, 2.5 and of 0, 1, 2:
  // CHECK-NEXT: 22 r0: 1.5 1
  // CHECK-NEXT: 22 r1: 1.5 1
  // CHECK-NEXT: 22 r2: 1.5 1
  // columns [[r], [2 r]] gathered along dim 0 (6x1), then dim 1 (2x3):
  // CHECK-NEXT: 23 r0: 0 0 1 2 2 4 0 1 2 0 2 4
  // CHECK-NEXT: 23 r1: 0 0 1 2 2 4 0 1 2 0 2 4
  // CHECK-NEXT: 23 r2: 0 0 1 2 2 4 0 1 2 0 2 4
  // CHECK-NEXT: 24 r2: 0
  // CHECK-NOT: {{.}}
  return
}
