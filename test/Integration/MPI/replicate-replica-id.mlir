// REQUIRES: mpi
// RUN: replica-run %s | sort | FileCheck %s
// RUN: replica-run %s --backend=mpi --np=2 | sort | FileCheck %s
// RUN: %if cuda-gpus-2 %{ replica-run %s --backend=nccl | sort | FileCheck %s %}
// RUN: %if cuda-gpus-2 %{ replica-run %s --backend=nccl --np=2 | sort | FileCheck %s %}

// replica.replicate bodies whose values depend on replica.replica_id: each
// replica adds its id to per-replica, local and mirrored operands; results
// are per_replica values that feed a second replicate, replica.unpack and
// static replica.select_replica.

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
  // No operands: every replica yields its id as index, i64 and f32.
  %ids:3 = replica.replicate<2> () : ()
      -> (!replica.per_replica<2 x index>, !replica.per_replica<2 x i64>, !replica.per_replica<2 x f32>) {
    %id = replica.replica_id : index
    %i = arith.index_cast %id : index to i64
    %f = arith.sitofp %i : i64 to f32
    replica.yield %id, %i, %f : index, i64, f32
  }

  // Per-replica x, local w and mirrored m: y = x + w + m + id.
  %x0 = arith.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  %x1 = arith.constant dense<[10.0, 20.0, 30.0]> : tensor<3xf32>
  %X = replica.regroup %x0, %x1 : tensor<3xf32> -> !replica.per_replica<2 x tensor<3xf32>>
  %w = arith.constant dense<[0.5, 0.5, 0.5]> : tensor<3xf32>
  %c100 = arith.constant 100.0 : f32
  %M = replica.regroup %c100, %c100 mirrored : f32 -> !replica.mirrored<2 x f32>
  %Y = replica.replicate<2> (%x = %X, %ww = %w, %m = %M)
      : (!replica.per_replica<2 x tensor<3xf32>>, tensor<3xf32>, !replica.mirrored<2 x f32>)
      -> !replica.per_replica<2 x tensor<3xf32>> {
    %id = replica.replica_id : index
    %i = arith.index_cast %id : index to i64
    %f = arith.sitofp %i : i64 to f32
    %k = arith.addf %f, %m : f32
    %ks = tensor.splat %k : tensor<3xf32>
    %xw = arith.addf %x, %ww : tensor<3xf32>
    %y = arith.addf %xw, %ks : tensor<3xf32>
    replica.yield %y : tensor<3xf32>
  }

  // Each replica prints its own component (tags 1x).
  replica.replicate<2> (%a = %ids#0, %b = %ids#1, %c = %ids#2, %y = %Y)
      : (!replica.per_replica<2 x index>, !replica.per_replica<2 x i64>,
         !replica.per_replica<2 x f32>, !replica.per_replica<2 x tensor<3xf32>>) -> () {
    %id = replica.replica_id : index
    %t11 = arith.constant 11 : i64
    %t12 = arith.constant 12 : i64
    %ai = arith.index_cast %a : index to i64
    %c7 = arith.constant 7 : i64
    %b7 = arith.addi %b, %c7 : i64
    %v = tensor.from_elements %ai, %b7 : tensor<2xi64>
    %vd = tensor.cast %v : tensor<2xi64> to tensor<?xi64>
    func.call @show_i64(%t11, %id, %vd) : (i64, index, tensor<?xi64>) -> ()
    %ct = tensor.from_elements %c : tensor<1xf32>
    %cy = tensor.concat dim(0) %ct, %y : (tensor<1xf32>, tensor<3xf32>) -> tensor<4xf32>
    %cyd = tensor.cast %cy : tensor<4xf32> to tensor<?xf32>
    func.call @show_f32(%t12, %id, %cyd) : (i64, index, tensor<?xf32>) -> ()
    replica.yield
  }
  // CHECK:      11 r0: 0 7
  // CHECK-NEXT: 11 r1: 1 8
  // CHECK-NEXT: 12 r0: 0 101.5 102.5 103.5
  // CHECK-NEXT: 12 r1: 1 111.5 121.5 131.5

  // A chain: the per_replica result of one replicate is the operand of the
  // next, which multiplies by (id + 2) and sums across replicas:
  // 2 * [101.5, 102.5, 103.5] + 3 * [111.5, 121.5, 131.5] = [537.5, 569.5, 601.5].
  %Z:2 = replica.replicate<2> (%y = %Y) : (!replica.per_replica<2 x tensor<3xf32>>)
      -> (!replica.per_replica<2 x tensor<3xf32>>, !replica.per_replica<2 x tensor<3xf32>>) {
    %id = replica.replica_id : index
    %i = arith.index_cast %id : index to i64
    %f = arith.sitofp %i : i64 to f32
    %two = arith.constant 2.0 : f32
    %k = arith.addf %f, %two : f32
    %ks = tensor.splat %k : tensor<3xf32>
    %z = arith.mulf %y, %ks : tensor<3xf32>
    %s = replica.all_reduce sum %z : tensor<3xf32>
    replica.yield %z, %s : tensor<3xf32>, tensor<3xf32>
  }

  // unpack and static select_replica outside the bodies give local values
  // that every replica sees (tags 2x).
  %u:2 = replica.unpack %Z#0 : !replica.per_replica<2 x tensor<3xf32>>
  %s1 = replica.select_replica %Z#1[1] : !replica.per_replica<2 x tensor<3xf32>> -> tensor<3xf32>
  %i1 = replica.select_replica %ids#1[1] : !replica.per_replica<2 x i64> -> i64
  %i0 = replica.select_replica %ids#1[0] : !replica.per_replica<2 x i64> -> i64
  replica.replicate<2> (%p = %u#0, %q = %u#1, %s = %s1, %j0 = %i0, %j1 = %i1)
      : (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, i64, i64) -> () {
    %id = replica.replica_id : index
    %t21 = arith.constant 21 : i64
    %t22 = arith.constant 22 : i64
    %t23 = arith.constant 23 : i64
    %t24 = arith.constant 24 : i64
    %pd = tensor.cast %p : tensor<3xf32> to tensor<?xf32>
    %qd = tensor.cast %q : tensor<3xf32> to tensor<?xf32>
    %sd = tensor.cast %s : tensor<3xf32> to tensor<?xf32>
    func.call @show_f32(%t21, %id, %pd) : (i64, index, tensor<?xf32>) -> ()
    func.call @show_f32(%t22, %id, %qd) : (i64, index, tensor<?xf32>) -> ()
    func.call @show_f32(%t23, %id, %sd) : (i64, index, tensor<?xf32>) -> ()
    %jt = tensor.from_elements %j0, %j1 : tensor<2xi64>
    %jd = tensor.cast %jt : tensor<2xi64> to tensor<?xi64>
    func.call @show_i64(%t24, %id, %jd) : (i64, index, tensor<?xi64>) -> ()
    replica.yield
  }
  // CHECK-NEXT: 21 r0: 203 205 207
  // CHECK-NEXT: 21 r1: 203 205 207
  // CHECK-NEXT: 22 r0: 334.5 364.5 394.5
  // CHECK-NEXT: 22 r1: 334.5 364.5 394.5
  // CHECK-NEXT: 23 r0: 537.5 569.5 601.5
  // CHECK-NEXT: 23 r1: 537.5 569.5 601.5
  // CHECK-NEXT: 24 r0: 0 1
  // CHECK-NEXT: 24 r1: 0 1
  // CHECK-NOT: {{.}}
  return
}
