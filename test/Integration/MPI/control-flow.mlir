// REQUIRES: mpi
// RUN: replica-run %s | sort | FileCheck %s
// RUN: replica-run %s --backend=mpi --np=2 | sort | FileCheck %s
// RUN: %if cuda-gpus-2 %{ replica-run %s --backend=nccl | sort | FileCheck %s %}
// RUN: %if cuda-gpus-2 %{ replica-run %s --backend=nccl --np=2 | sort | FileCheck %s %}

// Collectives under control flow that is the same on every replica:
// loop-carried all_reduce / batch_all_reduce of scalars in scf.for inside a
// replicate, an scf.for at function level that carries a mirrored scalar
// through a replicate and a cross-replica all_reduce, scf.if on uniform
// conditions (an all_reduce result, a local operand, a mirrored operand) with
// collectives in both branches, and scf.while whose condition is an
// all_reduce result. Loops that carry tensors are in loop-carried-tensors.mlir.

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
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  %false = arith.constant false

  replica.replicate<2> (%flag = %false) : (i1) -> () {
    %id = replica.replica_id : index
    %idi = arith.index_cast %id : index to i64
    %idf = arith.sitofp %idi : i64 to f32
    %one = arith.constant 1.0 : f32
    // x <- sum over replicas of (x + id), four times from 1: 3, 7, 15, 31.
    %x = scf.for %i = %c0 to %c4 step %c1 iter_args(%a = %one) -> (f32) {
      %b = arith.addf %a, %idf : f32
      %s = replica.all_reduce sum %b : f32
      scf.yield %s : f32
    }
    // (p, q) <- (sum(p + id), max(2 q + id)), three times from (0, 1):
    // p: 1, 3, 7; q: 3, 7, 15.
    %z = arith.constant 0 : i64
    %o = arith.constant 1 : i64
    %two = arith.constant 2 : i64
    %pq:2 = scf.for %i = %c0 to %c3 step %c1 iter_args(%p = %z, %q = %o) -> (i64, i64) {
      %p1 = arith.addi %p, %idi : i64
      %q2 = arith.muli %q, %two : i64
      %q1 = arith.addi %q2, %idi : i64
      %r:2 = replica.batch_all_reduce sum %p1, %q1 : i64, i64
      %mx = replica.all_reduce max %q1 : i64
      scf.yield %r#0, %mx : i64, i64
    }
    %t11 = arith.constant 11 : i64
    %t12 = arith.constant 12 : i64
    %xt = tensor.from_elements %x : tensor<1xf32>
    %xd = tensor.cast %xt : tensor<1xf32> to tensor<?xf32>
    func.call @show_f32(%t11, %id, %xd) : (i64, index, tensor<?xf32>) -> ()
    %pqt = tensor.from_elements %pq#0, %pq#1 : tensor<2xi64>
    %pqd = tensor.cast %pqt : tensor<2xi64> to tensor<?xi64>
    func.call @show_i64(%t12, %id, %pqd) : (i64, index, tensor<?xi64>) -> ()

    // scf.if on max over replicas of id (= 1 > 0): the then-branch runs on
    // every replica. y = id + 2: 2 and 3.
    %y = arith.addf %idf, %one : f32
    %y2 = arith.addf %y, %one : f32
    %mid = replica.all_reduce max %idf : f32
    %zf = arith.constant 0.0 : f32
    %pos = arith.cmpf ogt, %mid, %zf : f32
    %r1 = scf.if %pos -> (f32) {
      %s = replica.all_reduce sum %y2 : f32
      scf.yield %s : f32
    } else {
      %s = replica.all_reduce min %y2 : f32
      scf.yield %s : f32
    }
    // scf.if on a local operand (false): the else-branch.
    %r2 = scf.if %flag -> (f32) {
      %s = replica.all_reduce sum %y2 : f32
      scf.yield %s : f32
    } else {
      %s = replica.all_reduce prod %y2 : f32
      scf.yield %s : f32
    }
    %t13 = arith.constant 13 : i64
    %rt = tensor.from_elements %r1, %r2 : tensor<2xf32>
    %rd = tensor.cast %rt : tensor<2xf32> to tensor<?xf32>
    func.call @show_f32(%t13, %id, %rd) : (i64, index, tensor<?xf32>) -> ()

    // scf.while: w = id + 1, doubled until the sum over replicas reaches
    // 100: sums 3, 6, 12, 24, 48, 96, 192; ends with w = 64 and 128.
    %w0 = arith.addi %idi, %o : i64
    %lim = arith.constant 100 : i64
    %res:2 = scf.while (%w = %w0) : (i64) -> (i64, i64) {
      %s = replica.all_reduce sum %w : i64
      %go = arith.cmpi slt, %s, %lim : i64
      scf.condition(%go) %w, %s : i64, i64
    } do {
    ^bb0(%w: i64, %s: i64):
      %w2 = arith.muli %w, %two : i64
      scf.yield %w2 : i64
    }
    %t14 = arith.constant 14 : i64
    %wt = tensor.from_elements %res#0, %res#1 : tensor<2xi64>
    %wd = tensor.cast %wt : tensor<2xi64> to tensor<?xi64>
    func.call @show_i64(%t14, %id, %wd) : (i64, index, tensor<?xi64>) -> ()
    replica.yield
  }
  // CHECK:      11 r0: 31
  // CHECK-NEXT: 11 r1: 31
  // CHECK-NEXT: 12 r0: 7 15
  // CHECK-NEXT: 12 r1: 7 15
  // CHECK-NEXT: 13 r0: 5 6
  // CHECK-NEXT: 13 r1: 5 6
  // CHECK-NEXT: 14 r0: 64 192
  // CHECK-NEXT: 14 r1: 128 192

  // At function level, a loop carries a mirrored scalar through a replicate
  // and a cross-replica all_reduce: m <- sum over replicas of (2 m + id),
  // i.e. 4 m + 1, three times from 1: 5, 21, 85.
  %onef = arith.constant 1.0 : f32
  %m0 = replica.broadcast %onef : f32 -> !replica.mirrored<2 x f32>
  %ms = scf.for %i = %c0 to %c3 step %c1 iter_args(%m = %m0) -> (!replica.mirrored<2 x f32>) {
    %pr = replica.replicate<2> (%x = %m) : (!replica.mirrored<2 x f32>) -> !replica.per_replica<2 x f32> {
      %id = replica.replica_id : index
      %idi = arith.index_cast %id : index to i64
      %idf = arith.sitofp %idi : i64 to f32
      %x2 = arith.addf %x, %x : f32
      %y = arith.addf %x2, %idf : f32
      replica.yield %y : f32
    }
    %s = replica.all_reduce sum %pr : !replica.per_replica<2 x f32>
    scf.yield %s : !replica.mirrored<2 x f32>
  }
  %init = arith.constant dense<[1.0, 0.5]> : tensor<2xf32>
  %mf = replica.replicate<2> (%x = %ms, %v = %init) : (!replica.mirrored<2 x f32>, tensor<2xf32>)
      -> !replica.per_replica<2 x tensor<2xf32>> {
    %xs = tensor.splat %x : tensor<2xf32>
    %y = arith.mulf %v, %xs : tensor<2xf32>
    %b = replica.broadcast %y from 0 : tensor<2xf32>
    replica.yield %b : tensor<2xf32>
  }
  // scf.if on a mirrored condition (true): max over replicas of
  // [85, 42.5] + id is [86, 43.5].
  %tr = arith.constant true
  %C = replica.broadcast %tr : i1 -> !replica.mirrored<2 x i1>
  replica.replicate<2> (%m = %mf, %c = %C)
      : (!replica.per_replica<2 x tensor<2xf32>>, !replica.mirrored<2 x i1>) -> () {
    %id = replica.replica_id : index
    %t21 = arith.constant 21 : i64
    %t22 = arith.constant 22 : i64
    %md = tensor.cast %m : tensor<2xf32> to tensor<?xf32>
    func.call @show_f32(%t21, %id, %md) : (i64, index, tensor<?xf32>) -> ()
    %idi = arith.index_cast %id : index to i64
    %idf = arith.sitofp %idi : i64 to f32
    %ids = tensor.splat %idf : tensor<2xf32>
    %u = arith.addf %m, %ids : tensor<2xf32>
    %r = scf.if %c -> (tensor<2xf32>) {
      %s = replica.all_reduce max %u : tensor<2xf32>
      scf.yield %s : tensor<2xf32>
    } else {
      %s = replica.all_reduce min %u : tensor<2xf32>
      scf.yield %s : tensor<2xf32>
    }
    %rd = tensor.cast %r : tensor<2xf32> to tensor<?xf32>
    func.call @show_f32(%t22, %id, %rd) : (i64, index, tensor<?xf32>) -> ()
    replica.yield
  }
  // CHECK-NEXT: 21 r0: 85 42.5
  // CHECK-NEXT: 21 r1: 85 42.5
  // CHECK-NEXT: 22 r0: 86 43.5
  // CHECK-NEXT: 22 r1: 86 43.5
  // CHECK-NOT: {{.}}
  return
}
