// REQUIRES: mpi
// RUN: replica-run %s | sort | FileCheck %s
// RUN: replica-run %s --backend=mpi --np=2 | sort | FileCheck %s
// RUN: %if cuda-gpus-2 %{ replica-run %s --backend=nccl | sort | FileCheck %s %}
// RUN: %if cuda-gpus-2 %{ replica-run %s --backend=nccl --np=2 | sort | FileCheck %s %}

// Nests (tuples) through replica-decompose-structures, executed: regroup of
// nested tuples, a replicate whose operand, body and result are nests (with
// tuple_get in the body and a call taking a nest), static and dynamic
// select_replica of a nest, a mirrored nest, and same-id leaves (a regroup of
// tuples that share a leaf keeps that leaf unwrapped).

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

// Prints the nest (t, (b, c)) as "t0 t1 b c".
func.func @show_nest(%tag: i64, %r: index, %n: tuple<tensor<2xf32>, tuple<i64, f32>>) {
  %t = replica.tuple_get %n[0] : tuple<tensor<2xf32>, tuple<i64, f32>> -> tensor<2xf32>
  %in = replica.tuple_get %n[1] : tuple<tensor<2xf32>, tuple<i64, f32>> -> tuple<i64, f32>
  %b = replica.tuple_get %in[0] : tuple<i64, f32> -> i64
  %c = replica.tuple_get %in[1] : tuple<i64, f32> -> f32
  %bf = arith.sitofp %b : i64 to f32
  %bc = tensor.from_elements %bf, %c : tensor<2xf32>
  %all = tensor.concat dim(0) %t, %bc : (tensor<2xf32>, tensor<2xf32>) -> tensor<4xf32>
  %d = tensor.cast %all : tensor<4xf32> to tensor<?xf32>
  func.call @show_f32(%tag, %r, %d) : (i64, index, tensor<?xf32>) -> ()
  return
}

func.func @main() {
  %a0 = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %b0 = arith.constant 3 : i64
  %c0 = arith.constant 0.5 : f32
  %a1 = arith.constant dense<[10.0, 20.0]> : tensor<2xf32>
  %b1 = arith.constant 4 : i64
  %c1 = arith.constant 0.25 : f32
  %i0 = replica.tuple %b0, %c0 : tuple<i64, f32>
  %t0 = replica.tuple %a0, %i0 : tuple<tensor<2xf32>, tuple<i64, f32>>
  %i1 = replica.tuple %b1, %c1 : tuple<i64, f32>
  %t1 = replica.tuple %a1, %i1 : tuple<tensor<2xf32>, tuple<i64, f32>>
  %S = replica.regroup %t0, %t1 : tuple<tensor<2xf32>, tuple<i64, f32>>
      -> tuple<!replica.per_replica<2 x tensor<2xf32>>, tuple<!replica.per_replica<2 x i64>, !replica.per_replica<2 x f32>>>
  %w = arith.constant 1.0 : f32

  // Each replica reads its view of the nest: x, (b, c). It yields
  // (x * c + sum(x), (b * prod(b) + id, c + w + id)):
  //   replica 0: ([11.5, 23], (36, 1.5)), replica 1: ([13.5, 27], (49, 2.25)).
  %R = replica.replicate<2> (%s = %S, %ww = %w)
      : (tuple<!replica.per_replica<2 x tensor<2xf32>>, tuple<!replica.per_replica<2 x i64>, !replica.per_replica<2 x f32>>>, f32)
      -> tuple<!replica.per_replica<2 x tensor<2xf32>>, tuple<!replica.per_replica<2 x i64>, !replica.per_replica<2 x f32>>> {
    %id = replica.replica_id : index
    %idi = arith.index_cast %id : index to i64
    %idf = arith.sitofp %idi : i64 to f32
    %x = replica.tuple_get %s[0] : tuple<tensor<2xf32>, tuple<i64, f32>> -> tensor<2xf32>
    %in = replica.tuple_get %s[1] : tuple<tensor<2xf32>, tuple<i64, f32>> -> tuple<i64, f32>
    %b = replica.tuple_get %in[0] : tuple<i64, f32> -> i64
    %c = replica.tuple_get %in[1] : tuple<i64, f32> -> f32
    %sx = replica.all_reduce sum %x : tensor<2xf32>
    %pb = replica.all_reduce prod %b : i64
    %cs = tensor.splat %c : tensor<2xf32>
    %xc = arith.mulf %x, %cs : tensor<2xf32>
    %y = arith.addf %xc, %sx : tensor<2xf32>
    %bp = arith.muli %b, %pb : i64
    %b2 = arith.addi %bp, %idi : i64
    %cw = arith.addf %c, %ww : f32
    %c2 = arith.addf %cw, %idf : f32
    %on = replica.tuple %b2, %c2 : tuple<i64, f32>
    %o = replica.tuple %y, %on : tuple<tensor<2xf32>, tuple<i64, f32>>
    replica.yield %o : tuple<tensor<2xf32>, tuple<i64, f32>>
  }

  // Each replica prints its own view of the result nest (tag 11).
  replica.replicate<2> (%n = %R)
      : (tuple<!replica.per_replica<2 x tensor<2xf32>>, tuple<!replica.per_replica<2 x i64>, !replica.per_replica<2 x f32>>>) -> () {
    %id = replica.replica_id : index
    %t11 = arith.constant 11 : i64
    func.call @show_nest(%t11, %id, %n) : (i64, index, tuple<tensor<2xf32>, tuple<i64, f32>>) -> ()
    replica.yield
  }
  // CHECK:      11 r0: 11.5 23 36 1.5
  // CHECK-NEXT: 11 r1: 13.5 27 49 2.25

  // Static select_replica of the nest, and dynamic select_replica in a loop
  // that adds up both replicas' views: ([25, 50], (85, 3.75)).
  %sel1 = replica.select_replica %R[1]
      : tuple<!replica.per_replica<2 x tensor<2xf32>>, tuple<!replica.per_replica<2 x i64>, !replica.per_replica<2 x f32>>>
      -> tuple<tensor<2xf32>, tuple<i64, f32>>
  %lb = arith.constant 0 : index
  %ub = arith.constant 2 : index
  %st = arith.constant 1 : index
  %z2 = arith.constant dense<0.0> : tensor<2xf32>
  %zi = arith.constant 0 : i64
  %zf = arith.constant 0.0 : f32
  %acc:3 = scf.for %i = %lb to %ub step %st iter_args(%at = %z2, %ab = %zi, %ac = %zf)
      -> (tensor<2xf32>, i64, f32) {
    %v = replica.select_replica %R[%i]
        : tuple<!replica.per_replica<2 x tensor<2xf32>>, tuple<!replica.per_replica<2 x i64>, !replica.per_replica<2 x f32>>>
        -> tuple<tensor<2xf32>, tuple<i64, f32>>
    %vt = replica.tuple_get %v[0] : tuple<tensor<2xf32>, tuple<i64, f32>> -> tensor<2xf32>
    %vin = replica.tuple_get %v[1] : tuple<tensor<2xf32>, tuple<i64, f32>> -> tuple<i64, f32>
    %vb = replica.tuple_get %vin[0] : tuple<i64, f32> -> i64
    %vc = replica.tuple_get %vin[1] : tuple<i64, f32> -> f32
    %nt = arith.addf %at, %vt : tensor<2xf32>
    %nb = arith.addi %ab, %vb : i64
    %nc = arith.addf %ac, %vc : f32
    scf.yield %nt, %nb, %nc : tensor<2xf32>, i64, f32
  }
  %accin = replica.tuple %acc#1, %acc#2 : tuple<i64, f32>
  %accn = replica.tuple %acc#0, %accin : tuple<tensor<2xf32>, tuple<i64, f32>>

  // A mirrored nest: its tensor leaf summed over both replicas doubles.
  %MN = replica.regroup %t0, %t0 mirrored : tuple<tensor<2xf32>, tuple<i64, f32>>
      -> tuple<!replica.mirrored<2 x tensor<2xf32>>, tuple<!replica.mirrored<2 x i64>, !replica.mirrored<2 x f32>>>
  %ml = replica.tuple_get %MN[0]
      : tuple<!replica.mirrored<2 x tensor<2xf32>>, tuple<!replica.mirrored<2 x i64>, !replica.mirrored<2 x f32>>>
      -> !replica.mirrored<2 x tensor<2xf32>>
  %msum = replica.all_reduce sum %ml : !replica.mirrored<2 x tensor<2xf32>>

  replica.replicate<2> (%p = %sel1, %q = %accn, %m = %MN, %ms = %msum)
      : (tuple<tensor<2xf32>, tuple<i64, f32>>, tuple<tensor<2xf32>, tuple<i64, f32>>,
         tuple<!replica.mirrored<2 x tensor<2xf32>>, tuple<!replica.mirrored<2 x i64>, !replica.mirrored<2 x f32>>>,
         !replica.mirrored<2 x tensor<2xf32>>) -> () {
    %id = replica.replica_id : index
    %t21 = arith.constant 21 : i64
    %t22 = arith.constant 22 : i64
    %t23 = arith.constant 23 : i64
    %t24 = arith.constant 24 : i64
    func.call @show_nest(%t21, %id, %p) : (i64, index, tuple<tensor<2xf32>, tuple<i64, f32>>) -> ()
    func.call @show_nest(%t22, %id, %q) : (i64, index, tuple<tensor<2xf32>, tuple<i64, f32>>) -> ()
    func.call @show_nest(%t23, %id, %m) : (i64, index, tuple<tensor<2xf32>, tuple<i64, f32>>) -> ()
    %msd = tensor.cast %ms : tensor<2xf32> to tensor<?xf32>
    func.call @show_f32(%t24, %id, %msd) : (i64, index, tensor<?xf32>) -> ()
    replica.yield
  }
  // CHECK-NEXT: 21 r0: 13.5 27 49 2.25
  // CHECK-NEXT: 21 r1: 13.5 27 49 2.25
  // CHECK-NEXT: 22 r0: 25 50 85 3.75
  // CHECK-NEXT: 22 r1: 25 50 85 3.75
  // CHECK-NEXT: 23 r0: 1 2 3 0.5
  // CHECK-NEXT: 23 r1: 1 2 3 0.5
  // CHECK-NEXT: 24 r0: 2 4
  // CHECK-NEXT: 24 r1: 2 4

  // Same-id leaves: both replicas' tuples hold the same %shared, so the
  // result keeps it as a plain tensor; only the i64 leaf is per-replica.
  %shared = arith.constant dense<[7.0, 8.0]> : tensor<2xf32>
  %u0 = replica.tuple %shared, %b0 : tuple<tensor<2xf32>, i64>
  %u1 = replica.tuple %shared, %b1 : tuple<tensor<2xf32>, i64>
  %U = replica.regroup %u0, %u1 : tuple<tensor<2xf32>, i64>
      -> tuple<tensor<2xf32>, !replica.per_replica<2 x i64>>
  %usel = replica.select_replica %U[1] : tuple<tensor<2xf32>, !replica.per_replica<2 x i64>>
      -> tuple<tensor<2xf32>, i64>
  %ush = replica.tuple_get %U[0] : tuple<tensor<2xf32>, !replica.per_replica<2 x i64>> -> tensor<2xf32>
  // Each replica computes shared * b + id: [21, 24] and [29, 33].
  replica.replicate<2> (%u = %U, %v = %usel, %sh = %ush)
      : (tuple<tensor<2xf32>, !replica.per_replica<2 x i64>>, tuple<tensor<2xf32>, i64>, tensor<2xf32>) -> () {
    %id = replica.replica_id : index
    %idi = arith.index_cast %id : index to i64
    %x = replica.tuple_get %u[0] : tuple<tensor<2xf32>, i64> -> tensor<2xf32>
    %b = replica.tuple_get %u[1] : tuple<tensor<2xf32>, i64> -> i64
    %kf = arith.sitofp %b : i64 to f32
    %idf = arith.sitofp %idi : i64 to f32
    %ks = tensor.splat %kf : tensor<2xf32>
    %is = tensor.splat %idf : tensor<2xf32>
    %xb = arith.mulf %x, %ks : tensor<2xf32>
    %y = arith.addf %xb, %is : tensor<2xf32>
    %t31 = arith.constant 31 : i64
    %t32 = arith.constant 32 : i64
    %yd = tensor.cast %y : tensor<2xf32> to tensor<?xf32>
    func.call @show_f32(%t31, %id, %yd) : (i64, index, tensor<?xf32>) -> ()
    // replica 1's view: ([7, 8], 4), and the shared leaf taken out directly.
    %vx = replica.tuple_get %v[0] : tuple<tensor<2xf32>, i64> -> tensor<2xf32>
    %vb = replica.tuple_get %v[1] : tuple<tensor<2xf32>, i64> -> i64
    %vbf = arith.sitofp %vb : i64 to f32
    %vbt = tensor.from_elements %vbf : tensor<1xf32>
    %vv = tensor.concat dim(0) %vx, %vbt, %sh : (tensor<2xf32>, tensor<1xf32>, tensor<2xf32>) -> tensor<5xf32>
    %vvd = tensor.cast %vv : tensor<5xf32> to tensor<?xf32>
    func.call @show_f32(%t32, %id, %vvd) : (i64, index, tensor<?xf32>) -> ()
    replica.yield
  }
  // CHECK-NEXT: 31 r0: 21 24
  // CHECK-NEXT: 31 r1: 29 33
  // CHECK-NEXT: 32 r0: 7 8 4 7 8
  // CHECK-NEXT: 32 r1: 7 8 4 7 8
  // CHECK-NOT: {{.}}
  return
}
