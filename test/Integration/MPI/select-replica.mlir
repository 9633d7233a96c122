// REQUIRES: mpi
// RUN: replica-run %s | sort | FileCheck %s
// RUN: replica-run %s --backend=mpi --np=4 | sort | FileCheck %s
// RUN: %if cuda-gpus-4 %{ replica-run %s --backend=nccl | sort | FileCheck %s %}
// RUN: %if cuda-gpus-4 %{ replica-run %s --backend=nccl --np=4 | sort | FileCheck %s %}

// replica.select_replica over four replicas: static indices, dynamic indices
// from a loop and computed from the induction variable, a dynamic index
// passed to a function that takes a distributed argument, select of a
// mirrored value, and replica.unpack. On MPI a component that lives on
// another process reaches every process.

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

// Returns 10 * x[0] + x[1] of component %i.
func.func @pick(%d: !replica.per_replica<4 x tensor<2xi32>>, %i: index) -> i32 {
  %x = replica.select_replica %d[%i] : !replica.per_replica<4 x tensor<2xi32>> -> tensor<2xi32>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %x0 = tensor.extract %x[%c0] : tensor<2xi32>
  %x1 = tensor.extract %x[%c1] : tensor<2xi32>
  %c10 = arith.constant 10 : i32
  %t = arith.muli %x0, %c10 : i32
  %r = arith.addi %t, %x1 : i32
  return %r : i32
}

func.func @main() {
  %d0 = arith.constant dense<[1, 2]> : tensor<2xi32>
  %d1 = arith.constant dense<[3, 4]> : tensor<2xi32>
  %d2 = arith.constant dense<[5, 6]> : tensor<2xi32>
  %d3 = arith.constant dense<[7, 8]> : tensor<2xi32>
  %D = replica.regroup %d0, %d1, %d2, %d3 : tensor<2xi32> -> !replica.per_replica<4 x tensor<2xi32>>
  // E_r = (r + 1)^2 / 4: 0.25, 1, 2.25, 4.
  %E = replica.replicate<4> () : () -> !replica.per_replica<4 x f64> {
    %id = replica.replica_id : index
    %i = arith.index_cast %id : index to i64
    %f = arith.sitofp %i : i64 to f64
    %one = arith.constant 1.0 : f64
    %k = arith.addf %f, %one : f64
    %k2 = arith.mulf %k, %k : f64
    %q = arith.constant 0.25 : f64
    %e = arith.mulf %k2, %q : f64
    replica.yield %e : f64
  }
  %c9 = arith.constant 9.5 : f64
  %M = replica.broadcast %c9 : f64 -> !replica.mirrored<4 x f64>

  // Static.
  %s0 = replica.select_replica %D[0] : !replica.per_replica<4 x tensor<2xi32>> -> tensor<2xi32>
  %s3 = replica.select_replica %D[3] : !replica.per_replica<4 x tensor<2xi32>> -> tensor<2xi32>
  %e2 = replica.select_replica %E[2] : !replica.per_replica<4 x f64> -> f64
  %e:4 = replica.unpack %E : !replica.per_replica<4 x f64>

  // Dynamic: component 3 - i goes to slot i, so the result is D reversed.
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  %init = arith.constant dense<0> : tensor<8xi32>
  %zero = arith.constant 0.0 : f64
  %rev:2 = scf.for %i = %c0 to %c4 step %c1 iter_args(%acc = %init, %es = %zero) -> (tensor<8xi32>, f64) {
    %j = arith.subi %c3, %i : index
    %x = replica.select_replica %D[%j] : !replica.per_replica<4 x tensor<2xi32>> -> tensor<2xi32>
    %off = arith.muli %i, %c2 : index
    %n = tensor.insert_slice %x into %acc[%off] [2] [1] : tensor<2xi32> into tensor<8xi32>
    // Weighted sum of E and M: sum_i (i + 1) * (E_i + M_i).
    %y = replica.select_replica %E[%i] : !replica.per_replica<4 x f64> -> f64
    %m = replica.select_replica %M[%i] : !replica.mirrored<4 x f64> -> f64
    %ii = arith.index_cast %i : index to i64
    %if = arith.sitofp %ii : i64 to f64
    %one = arith.constant 1.0 : f64
    %w = arith.addf %if, %one : f64
    %ym = arith.addf %y, %m : f64
    %wy = arith.mulf %w, %ym : f64
    %es2 = arith.addf %es, %wy : f64
    scf.yield %n, %es2 : tensor<8xi32>, f64
  }
  // Through a function: component (2 + 3) mod 4 = 1.
  %k5 = arith.addi %c2, %c3 : index
  %k = arith.remui %k5, %c4 : index
  %p = func.call @pick(%D, %k) : (!replica.per_replica<4 x tensor<2xi32>>, index) -> i32

  replica.replicate<4> (%a = %s0, %b = %s3, %r = %rev#0, %q = %p, %f = %e2, %ws = %rev#1,
                        %u0 = %e#0, %u1 = %e#1, %u2 = %e#2, %u3 = %e#3)
      : (tensor<2xi32>, tensor<2xi32>, tensor<8xi32>, i32, f64, f64, f64, f64, f64, f64) -> () {
    %id = replica.replica_id : index
    %t11 = arith.constant 11 : i64
    %t12 = arith.constant 12 : i64
    %t13 = arith.constant 13 : i64
    %t14 = arith.constant 14 : i64
    %ab = tensor.concat dim(0) %a, %b : (tensor<2xi32>, tensor<2xi32>) -> tensor<4xi32>
    %abd = tensor.cast %ab : tensor<4xi32> to tensor<?xi32>
    func.call @show_i32(%t11, %id, %abd) : (i64, index, tensor<?xi32>) -> ()
    %rd = tensor.cast %r : tensor<8xi32> to tensor<?xi32>
    func.call @show_i32(%t12, %id, %rd) : (i64, index, tensor<?xi32>) -> ()
    %qt = tensor.from_elements %q : tensor<1xi32>
    %qd = tensor.cast %qt : tensor<1xi32> to tensor<?xi32>
    func.call @show_i32(%t13, %id, %qd) : (i64, index, tensor<?xi32>) -> ()
    %ft = tensor.from_elements %f, %ws, %u0, %u1, %u2, %u3 : tensor<6xf64>
    %fd = tensor.cast %ft : tensor<6xf64> to tensor<?xf64>
    func.call @show_f64(%t14, %id, %fd) : (i64, index, tensor<?xf64>) -> ()
    replica.yield
  }
  // CHECK:      11 r0: 1 2 7 8
  // CHECK-NEXT: 11 r1: 1 2 7 8
  // CHECK-NEXT: 11 r2: 1 2 7 8
  // CHECK-NEXT: 11 r3: 1 2 7 8
  // CHECK-NEXT: 12 r0: 7 8 5 6 3 4 1 2
  // CHECK-NEXT: 12 r1: 7 8 5 6 3 4 1 2
  // CHECK-NEXT: 12 r2: 7 8 5 6 3 4 1 2
  // CHECK-NEXT: 12 r3: 7 8 5 6 3 4 1 2
  // CHECK-NEXT: 13 r0: 34
  // CHECK-NEXT: 13 r1: 34
  // CHECK-NEXT: 13 r2: 34
  // CHECK-NEXT: 13 r3: 34
  // E_2 = 2.25; 1 * 9.75 + 2 * 10.5 + 3 * 11.75 + 4 * 13.5 = 120;
  // then E_0 .. E_3.
  // CHECK-NEXT: 14 r0: 2.25 120 0.25 1 2.25 4
  // CHECK-NEXT: 14 r1: 2.25 120 0.25 1 2.25 4
  // CHECK-NEXT: 14 r2: 2.25 120 0.25 1 2.25 4
  // CHECK-NEXT: 14 r3: 2.25 120 0.25 1 2.25 4
  // CHECK-NOT: {{.}}
  return
}
