// REQUIRES: mpi
// RUN: replica-run %s | FileCheck %s
// RUN: replica-run %s --backend=mpi --np=1 | FileCheck %s
// RUN: %if cuda-gpu %{ replica-run %s --backend=nccl | FileCheck %s %}
// RUN: %if cuda-gpu %{ replica-run %s --backend=nccl --np=1 | FileCheck %s %}

// One replica: regroup folds to its operand without always_wrap and wraps
// with it; every collective is the identity on the one component (mean
// divides by 1), in both forms; replica_id is 0.

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
  %a = arith.constant dense<[[1.5, -2.0], [3.0, 4.25]]> : tensor<2x2xf32>
  %same = replica.regroup %a : tensor<2x2xf32> -> tensor<2x2xf32>
  %d = replica.regroup %same always_wrap : tensor<2x2xf32> -> !replica.per_replica<1 x tensor<2x2xf32>>
  %s = replica.all_reduce sum %d : !replica.per_replica<1 x tensor<2x2xf32>>
  %m = replica.all_reduce mean %d : !replica.per_replica<1 x tensor<2x2xf32>>
  %x = replica.all_reduce max %d : !replica.per_replica<1 x tensor<2x2xf32>>
  %n = replica.all_reduce min %d : !replica.per_replica<1 x tensor<2x2xf32>>
  %p = replica.all_reduce prod %d : !replica.per_replica<1 x tensor<2x2xf32>>
  %b:2 = replica.batch_all_reduce sum %d, %d
      : !replica.per_replica<1 x tensor<2x2xf32>>, !replica.per_replica<1 x tensor<2x2xf32>>
  %r = replica.reduce_to sum %d to 0 : !replica.per_replica<1 x tensor<2x2xf32>>
  %c = replica.broadcast %a : tensor<2x2xf32> -> !replica.mirrored<1 x tensor<2x2xf32>>
  %g0 = replica.all_gather %d dim 0 : !replica.per_replica<1 x tensor<2x2xf32>> -> !replica.mirrored<1 x tensor<2x2xf32>>
  %g1 = replica.all_gather %d dim 1 : !replica.per_replica<1 x tensor<2x2xf32>> -> !replica.mirrored<1 x tensor<2x2xf32>>
  %u:1 = replica.unpack %s : !replica.mirrored<1 x tensor<2x2xf32>>
  %sel = replica.select_replica %p[0] : !replica.mirrored<1 x tensor<2x2xf32>> -> tensor<2x2xf32>

  %big = arith.constant 9223372036854775807 : i64
  %B = replica.regroup %big always_wrap : i64 -> !replica.per_replica<1 x i64>
  %Bs = replica.all_reduce sum %B : !replica.per_replica<1 x i64>
  %Bp = replica.all_reduce prod %B : !replica.per_replica<1 x i64>

  %out:2 = replica.replicate<1> (%s1 = %u#0, %m1 = %m, %x1 = %x, %n1 = %n, %p1 = %sel, %b0 = %b#0,
                                 %b1 = %b#1, %r1 = %r, %c1 = %c, %h0 = %g0, %h1 = %g1,
                                 %bs = %Bs, %bp = %Bp, %y = %d)
      : (tensor<2x2xf32>, !replica.mirrored<1 x tensor<2x2xf32>>, !replica.mirrored<1 x tensor<2x2xf32>>,
         !replica.mirrored<1 x tensor<2x2xf32>>, tensor<2x2xf32>, !replica.mirrored<1 x tensor<2x2xf32>>,
         !replica.mirrored<1 x tensor<2x2xf32>>, tensor<2x2xf32>, !replica.mirrored<1 x tensor<2x2xf32>>,
         !replica.mirrored<1 x tensor<2x2xf32>>, !replica.mirrored<1 x tensor<2x2xf32>>,
         !replica.mirrored<1 x i64>, !replica.mirrored<1 x i64>, !replica.per_replica<1 x tensor<2x2xf32>>)
      -> (!replica.per_replica<1 x tensor<2x2xf32>>, !replica.per_replica<1 x i64>) {
    %id = replica.replica_id : index
    %all = tensor.concat dim(0) %s1, %m1, %x1, %n1, %p1, %b0, %b1, %r1, %c1, %h0, %h1
        : (tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>,
           tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>,
           tensor<2x2xf32>) -> tensor<22x2xf32>
    %flat = tensor.collapse_shape %all [[0, 1]] : tensor<22x2xf32> into tensor<44xf32>
    %fd = tensor.cast %flat : tensor<44xf32> to tensor<?xf32>
    %t11 = arith.constant 11 : i64
    func.call @show_f32(%t11, %id, %fd) : (i64, index, tensor<?xf32>) -> ()
    // In-replica collectives.
    %e0 = replica.all_reduce mean %y : tensor<2x2xf32>
    %e1:2 = replica.batch_all_reduce prod %y, %bs : tensor<2x2xf32>, i64
    %e2 = replica.reduce_to min %y to 0 : tensor<2x2xf32>
    %e3 = replica.broadcast %y from 0 : tensor<2x2xf32>
    %e4 = replica.all_gather %y dim 0 : tensor<2x2xf32> -> tensor<2x2xf32>
    %e5 = replica.all_gather %y dim 1 : tensor<2x2xf32> -> tensor<2x2xf32>
    %ins = tensor.concat dim(0) %e0, %e1#0, %e2, %e3, %e4, %e5
        : (tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>,
           tensor<2x2xf32>) -> tensor<12x2xf32>
    %iflat = tensor.collapse_shape %ins [[0, 1]] : tensor<12x2xf32> into tensor<24xf32>
    %ifd = tensor.cast %iflat : tensor<24xf32> to tensor<?xf32>
    %t12 = arith.constant 12 : i64
    func.call @show_f32(%t12, %id, %ifd) : (i64, index, tensor<?xf32>) -> ()
    %idi = arith.index_cast %id : index to i64
    %iv = tensor.from_elements %idi, %bs, %bp, %e1#1 : tensor<4xi64>
    %ivd = tensor.cast %iv : tensor<4xi64> to tensor<?xi64>
    %t13 = arith.constant 13 : i64
    func.call @show_i64(%t13, %id, %ivd) : (i64, index, tensor<?xi64>) -> ()
    replica.yield %e3, %idi : tensor<2x2xf32>, i64
  }
  // CHECK: 11 r0: 1.5 -2 3 4.25 1.5 -2 3 4.25 1.5 -2 3 4.25 1.5 -2 3 4.25 1.5 -2 3 4.25 1.5 -2 3 4.25 1.5 -2 3 4.25 1.5 -2 3 4.25 1.5 -2 3 4.25 1.5 -2 3 4.25 1.5 -2 3 4.25{{$}}
  // CHECK-NEXT: 12 r0: 1.5 -2 3 4.25 1.5 -2 3 4.25 1.5 -2 3 4.25 1.5 -2 3 4.25 1.5 -2 3 4.25 1.5 -2 3 4.25{{$}}
  // CHECK-NEXT: 13 r0: 0 9223372036854775807 9223372036854775807 9223372036854775807{{$}}
  // CHECK-NOT: {{.}}
  return
}
