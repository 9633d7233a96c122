// REQUIRES: mpi
// RUN: replica-run %s | sort | FileCheck %s
// RUN: replica-run %s --backend=mpi --np=2 | sort | FileCheck %s
// RUN: %if cuda-gpus-2 %{ replica-run %s --backend=nccl | sort | FileCheck %s %}
// RUN: %if cuda-gpus-2 %{ replica-run %s --backend=nccl --np=2 | sort | FileCheck %s %}

// replica.all_reduce on f16 (cross-replica form) and bf16 (in-replica form)
// with every kind. Inputs and results are exact in both types; results are
// printed after arith.extf to f32.

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

func.func @main() {
  %a = arith.constant dense<[1.5, -2.0, 0.25, 8.0]> : tensor<4xf16>
  %b = arith.constant dense<[2.5, 3.0, 0.5, -4.0]> : tensor<4xf16>
  %d = replica.regroup %a, %b : tensor<4xf16> -> !replica.per_replica<2 x tensor<4xf16>>
  %h1 = replica.all_reduce sum %d : !replica.per_replica<2 x tensor<4xf16>>
  %h2 = replica.all_reduce mean %d : !replica.per_replica<2 x tensor<4xf16>>
  %h3 = replica.all_reduce max %d : !replica.per_replica<2 x tensor<4xf16>>
  %h4 = replica.all_reduce min %d : !replica.per_replica<2 x tensor<4xf16>>
  %h5 = replica.all_reduce prod %d : !replica.per_replica<2 x tensor<4xf16>>

  %ba = arith.constant dense<[1.5, -2.0, 0.25, 8.0]> : tensor<4xbf16>
  %bb = arith.constant dense<[2.5, 3.0, 0.5, -4.0]> : tensor<4xbf16>
  %bd = replica.regroup %ba, %bb : tensor<4xbf16> -> !replica.per_replica<2 x tensor<4xbf16>>

  replica.replicate<2> (%g1 = %h1, %g2 = %h2, %g3 = %h3, %g4 = %h4, %g5 = %h5, %x = %bd)
      : (!replica.mirrored<2 x tensor<4xf16>>, !replica.mirrored<2 x tensor<4xf16>>,
         !replica.mirrored<2 x tensor<4xf16>>, !replica.mirrored<2 x tensor<4xf16>>,
         !replica.mirrored<2 x tensor<4xf16>>, !replica.per_replica<2 x tensor<4xbf16>>) -> () {
    %id = replica.replica_id : index
    %t11 = arith.constant 11 : i64
    %t12 = arith.constant 12 : i64
    %t13 = arith.constant 13 : i64
    %t14 = arith.constant 14 : i64
    %t15 = arith.constant 15 : i64
    %e1 = arith.extf %g1 : tensor<4xf16> to tensor<4xf32>
    %e2 = arith.extf %g2 : tensor<4xf16> to tensor<4xf32>
    %e3 = arith.extf %g3 : tensor<4xf16> to tensor<4xf32>
    %e4 = arith.extf %g4 : tensor<4xf16> to tensor<4xf32>
    %e5 = arith.extf %g5 : tensor<4xf16> to tensor<4xf32>
    %d1 = tensor.cast %e1 : tensor<4xf32> to tensor<?xf32>
    %d2 = tensor.cast %e2 : tensor<4xf32> to tensor<?xf32>
    %d3 = tensor.cast %e3 : tensor<4xf32> to tensor<?xf32>
    %d4 = tensor.cast %e4 : tensor<4xf32> to tensor<?xf32>
    %d5 = tensor.cast %e5 : tensor<4xf32> to tensor<?xf32>
    func.call @show_f32(%t11, %id, %d1) : (i64, index, tensor<?xf32>) -> ()
    func.call @show_f32(%t12, %id, %d2) : (i64, index, tensor<?xf32>) -> ()
    func.call @show_f32(%t13, %id, %d3) : (i64, index, tensor<?xf32>) -> ()
    func.call @show_f32(%t14, %id, %d4) : (i64, index, tensor<?xf32>) -> ()
    func.call @show_f32(%t15, %id, %d5) : (i64, index, tensor<?xf32>) -> ()

    %r1 = replica.all_reduce sum %x : tensor<4xbf16>
    %r2 = replica.all_reduce mean %x : tensor<4xbf16>
    %r3 = replica.all_reduce max %x : tensor<4xbf16>
    %r4 = replica.all_reduce min %x : tensor<4xbf16>
    %r5 = replica.all_reduce prod %x : tensor<4xbf16>
    %t21 = arith.constant 21 : i64
    %t22 = arith.constant 22 : i64
    %t23 = arith.constant 23 : i64
    %t24 = arith.constant 24 : i64
    %t25 = arith.constant 25 : i64
    %f1 = arith.extf %r1 : tensor<4xbf16> to tensor<4xf32>
    %f2 = arith.extf %r2 : tensor<4xbf16> to tensor<4xf32>
    %f3 = arith.extf %r3 : tensor<4xbf16> to tensor<4xf32>
    %f4 = arith.extf %r4 : tensor<4xbf16> to tensor<4xf32>
    %f5 = arith.extf %r5 : tensor<4xbf16> to tensor<4xf32>
    %k1 = tensor.cast %f1 : tensor<4xf32> to tensor<?xf32>
    %k2 = tensor.cast %f2 : tensor<4xf32> to tensor<?xf32>
    %k3 = tensor.cast %f3 : tensor<4xf32> to tensor<?xf32>
    %k4 = tensor.cast %f4 : tensor<4xf32> to tensor<?xf32>
    %k5 = tensor.cast %f5 : tensor<4xf32> to tensor<?xf32>
    func.call @show_f32(%t21, %id, %k1) : (i64, index, tensor<?xf32>) -> ()
    func.call @show_f32(%t22, %id, %k2) : (i64, index, tensor<?xf32>) -> ()
    func.call @show_f32(%t23, %id, %k3) : (i64, index, tensor<?xf32>) -> ()
    func.call @show_f32(%t24, %id, %k4) : (i64, index, tensor<?xf32>) -> ()
    func.call @show_f32(%t25, %id, %k5) : (i64, index, tensor<?xf32>) -> ()

    // Scalars that depend on the replica id: 0.5 + id, i.e. 0.5 and 1.5.
    %idi = arith.index_cast %id : index to i32
    %idh = arith.sitofp %idi : i32 to f16
    %half = arith.constant 0.5 : f16
    %s = arith.addf %idh, %half : f16
    %s1 = replica.all_reduce sum %s : f16
    %s2 = replica.all_reduce mean %s : f16
    %s5 = replica.all_reduce prod %s : f16
    %idb = arith.sitofp %idi : i32 to bf16
    %halfb = arith.constant 0.5 : bf16
    %sb = arith.addf %idb, %halfb : bf16
    %b1 = replica.all_reduce sum %sb : bf16
    %b2 = replica.all_reduce mean %sb : bf16
    %b5 = replica.all_reduce prod %sb : bf16
    %x1 = arith.extf %s1 : f16 to f32
    %x2 = arith.extf %s2 : f16 to f32
    %x5 = arith.extf %s5 : f16 to f32
    %y1 = arith.extf %b1 : bf16 to f32
    %y2 = arith.extf %b2 : bf16 to f32
    %y5 = arith.extf %b5 : bf16 to f32
    %st = tensor.from_elements %x1, %x2, %x5, %y1, %y2, %y5 : tensor<6xf32>
    %sd = tensor.cast %st : tensor<6xf32> to tensor<?xf32>
    %t31 = arith.constant 31 : i64
    func.call @show_f32(%t31, %id, %sd) : (i64, index, tensor<?xf32>) -> ()
    replica.yield
  }
  // [1.5, -2, 0.25, 8] and [2.5, 3, 0.5, -4]: sum, mean, max, min, prod.
  // CHECK:      11 r0: 4 1 0.75 4
  // CHECK-NEXT: 11 r1: 4 1 0.75 4
  // CHECK-NEXT: 12 r0: 2 0.5 0.375 2
  // CHECK-NEXT: 12 r1: 2 0.5 0.375 2
  // CHECK-NEXT: 13 r0: 2.5 3 0.5 8
  // CHECK-NEXT: 13 r1: 2.5 3 0.5 8
  // CHECK-NEXT: 14 r0: 1.5 -2 0.25 -4
  // CHECK-NEXT: 14 r1: 1.5 -2 0.25 -4
  // CHECK-NEXT: 15 r0: 3.75 -6 0.125 -32
  // CHECK-NEXT: 15 r1: 3.75 -6 0.125 -32
  // CHECK-NEXT: 21 r0: 4 1 0.75 4
  // CHECK-NEXT: 21 r1: 4 1 0.75 4
  // CHECK-NEXT: 22 r0: 2 0.5 0.375 2
  // CHECK-NEXT: 22 r1: 2 0.5 0.375 2
  // CHECK-NEXT: 23 r0: 2.5 3 0.5 8
  // CHECK-NEXT: 23 r1: 2.5 3 0.5 8
  // CHECK-NEXT: 24 r0: 1.5 -2 0.25 -4
  // CHECK-NEXT: 24 r1: 1.5 -2 0.25 -4
  // CHECK-NEXT: 25 r0: 3.75 -6 0.125 -32
  // CHECK-NEXT: 25 r1: 3.75 -6 0.125 -32
  // 0.5 and 1.5: sum 2, mean 1, prod 0.75 in f16, then in bf16.
  // CHECK-NEXT: 31 r0: 2 1 0.75 2 1 0.75
  // CHECK-NEXT: 31 r1: 2 1 0.75 2 1 0.75
  // CHECK-NOT: {{.}}
  return
}
