// REQUIRES: mpi
// RUN: replica-run %s | sort | FileCheck %s
// RUN: replica-run %s --backend=mpi --np=4 | sort | FileCheck %s
// RUN: %if cuda-gpus-4 %{ replica-run %s --backend=nccl | sort | FileCheck %s %}
// RUN: %if cuda-gpus-4 %{ replica-run %s --backend=nccl --np=4 | sort | FileCheck %s %}

// Four replicas. Integer reductions are exact at the edges of i64 and i32
// (a sum that is exactly INT64_MAX, a product near it, sums that a detour
// through f64 or f32 would round), also when integers share a batch with
// floats; mean divides by four on f32, f64, f16 and bf16, and on a mirrored
// operand (where sum multiplies by four).

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
  // 2^61 + 1, + 2, + 3, - 7: the sum is 2^63 - 1.
  %l0 = arith.constant 2305843009213693953 : i64
  %l1 = arith.constant 2305843009213693954 : i64
  %l2 = arith.constant 2305843009213693955 : i64
  %l3 = arith.constant 2305843009213693945 : i64
  %L = replica.regroup %l0, %l1, %l2, %l3 : i64 -> !replica.per_replica<4 x i64>
  %Ls = replica.all_reduce sum %L : !replica.per_replica<4 x i64>
  %Lx = replica.all_reduce max %L : !replica.per_replica<4 x i64>
  %Ln = replica.all_reduce min %L : !replica.per_replica<4 x i64>
  %p0 = arith.constant 1000003 : i64
  %p1 = arith.constant 1000033 : i64
  %p2 = arith.constant 1000037 : i64
  %p3 = arith.constant 3 : i64
  %P = replica.regroup %p0, %p1, %p2, %p3 : i64 -> !replica.per_replica<4 x i64>
  %Pp = replica.all_reduce prod %P : !replica.per_replica<4 x i64>
  %n0 = arith.constant -9223372036854775807 : i64
  %n1 = arith.constant 5 : i64
  %n2 = arith.constant 0 : i64
  %n3 = arith.constant -1 : i64
  %N = replica.regroup %n0, %n1, %n2, %n3 : i64 -> !replica.per_replica<4 x i64>
  %Nb:3 = replica.batch_all_reduce min %N, %L, %P
      : !replica.per_replica<4 x i64>, !replica.per_replica<4 x i64>, !replica.per_replica<4 x i64>
  %Ns = replica.all_reduce sum %N : !replica.per_replica<4 x i64>
  // i32 sums: 3 * 2^29 + (2^29 - 1) = 2^31 - 1, and 46340 * 2 - 2.
  %i0 = arith.constant dense<[536870912, 46340]> : tensor<2xi32>
  %i1 = arith.constant dense<[536870912, 46340]> : tensor<2xi32>
  %i2 = arith.constant dense<[536870912, -1]> : tensor<2xi32>
  %i3 = arith.constant dense<[536870911, -1]> : tensor<2xi32>
  %I = replica.regroup %i0, %i1, %i2, %i3 : tensor<2xi32> -> !replica.per_replica<4 x tensor<2xi32>>
  %Is = replica.all_reduce sum %I : !replica.per_replica<4 x tensor<2xi32>>
  %Ix = replica.all_reduce max %I : !replica.per_replica<4 x tensor<2xi32>>
  // i32 products: 46340 * 46340 * -1 * -1 and -2 * 3 * -5 * 7.
  %j0 = arith.constant dense<[46340, -2]> : tensor<2xi32>
  %j1 = arith.constant dense<[46340, 3]> : tensor<2xi32>
  %j2 = arith.constant dense<[-1, -5]> : tensor<2xi32>
  %j3 = arith.constant dense<[-1, 7]> : tensor<2xi32>
  %J = replica.regroup %j0, %j1, %j2, %j3 : tensor<2xi32> -> !replica.per_replica<4 x tensor<2xi32>>
  %Jp = replica.all_reduce prod %J : !replica.per_replica<4 x tensor<2xi32>>
  // A mirrored f32 2.5: mean and max keep it, sum multiplies by 4.
  %c25 = arith.constant 2.5 : f32
  %M = replica.regroup %c25, %c25, %c25, %c25 mirrored : f32 -> !replica.mirrored<4 x f32>
  %Mm = replica.all_reduce mean %M : !replica.mirrored<4 x f32>
  %Ms = replica.all_reduce sum %M : !replica.mirrored<4 x f32>
  %Mx = replica.all_reduce max %M : !replica.mirrored<4 x f32>

  replica.replicate<4> (%ls = %Ls, %lx = %Lx, %ln = %Ln, %pp = %Pp, %nb0 = %Nb#0, %nb1 = %Nb#1,
                        %nb2 = %Nb#2, %ns = %Ns, %is = %Is, %ix = %Ix, %jp = %Jp,
                        %mm = %Mm, %ms = %Ms, %mx = %Mx)
      : (!replica.mirrored<4 x i64>, !replica.mirrored<4 x i64>, !replica.mirrored<4 x i64>,
         !replica.mirrored<4 x i64>, !replica.mirrored<4 x i64>, !replica.mirrored<4 x i64>,
         !replica.mirrored<4 x i64>, !replica.mirrored<4 x i64>,
         !replica.mirrored<4 x tensor<2xi32>>, !replica.mirrored<4 x tensor<2xi32>>,
         !replica.mirrored<4 x tensor<2xi32>>,
         !replica.mirrored<4 x f32>, !replica.mirrored<4 x f32>, !replica.mirrored<4 x f32>) -> () {
    %id = replica.replica_id : index
    %t11 = arith.constant 11 : i64
    %t12 = arith.constant 12 : i64
    %t13 = arith.constant 13 : i64
    %t14 = arith.constant 14 : i64
    %t15 = arith.constant 15 : i64
    %t16 = arith.constant 16 : i64
    %t17 = arith.constant 17 : i64
    %a = tensor.from_elements %ls, %lx, %ln : tensor<3xi64>
    %ad = tensor.cast %a : tensor<3xi64> to tensor<?xi64>
    func.call @show_i64(%t11, %id, %ad) : (i64, index, tensor<?xi64>) -> ()
    %b = tensor.from_elements %pp : tensor<1xi64>
    %bd = tensor.cast %b : tensor<1xi64> to tensor<?xi64>
    func.call @show_i64(%t12, %id, %bd) : (i64, index, tensor<?xi64>) -> ()
    %c = tensor.from_elements %nb0, %nb1, %nb2, %ns : tensor<4xi64>
    %cd = tensor.cast %c : tensor<4xi64> to tensor<?xi64>
    func.call @show_i64(%t13, %id, %cd) : (i64, index, tensor<?xi64>) -> ()
    %isd = tensor.cast %is : tensor<2xi32> to tensor<?xi32>
    %ixd = tensor.cast %ix : tensor<2xi32> to tensor<?xi32>
    %jpd = tensor.cast %jp : tensor<2xi32> to tensor<?xi32>
    func.call @show_i32(%t14, %id, %isd) : (i64, index, tensor<?xi32>) -> ()
    func.call @show_i32(%t15, %id, %ixd) : (i64, index, tensor<?xi32>) -> ()
    func.call @show_i32(%t16, %id, %jpd) : (i64, index, tensor<?xi32>) -> ()
    %m = tensor.from_elements %mm, %ms, %mx : tensor<3xf32>
    %md = tensor.cast %m : tensor<3xf32> to tensor<?xf32>
    func.call @show_f32(%t17, %id, %md) : (i64, index, tensor<?xf32>) -> ()

    // In-replica: one batch mixes i64 2^60 + id, f32 id / 2 and i32
    // 2^28 + id: sums 2^62 + 6, 3, 2^30 + 6.
    %idi = arith.index_cast %id : index to i64
    %big = arith.constant 1152921504606846976 : i64
    %bi = arith.addi %big, %idi : i64
    %idf = arith.sitofp %idi : i64 to f32
    %half = arith.constant 0.5 : f32
    %hf = arith.mulf %idf, %half : f32
    %id32 = arith.index_cast %id : index to i32
    %mid = arith.constant 268435456 : i32
    %mi = arith.addi %mid, %id32 : i32
    %s:3 = replica.batch_all_reduce sum %bi, %hf, %mi : i64, f32, i32
    %t21 = arith.constant 21 : i64
    %t22 = arith.constant 22 : i64
    %s2 = arith.extsi %s#2 : i32 to i64
    %sv = tensor.from_elements %s#0, %s2 : tensor<2xi64>
    %svd = tensor.cast %sv : tensor<2xi64> to tensor<?xi64>
    func.call @show_i64(%t21, %id, %svd) : (i64, index, tensor<?xi64>) -> ()
    %st = tensor.from_elements %s#1 : tensor<1xf32>
    %std = tensor.cast %st : tensor<1xf32> to tensor<?xf32>
    func.call @show_f32(%t22, %id, %std) : (i64, index, tensor<?xf32>) -> ()

    // Mean over four replicas of id + 1 (f32), (id + 1) / 10 (f64),
    // (id + 1) / 2 (f16 and bf16), and [id, -id] (f32 tensor):
    // 2.5, 0.25, 1.25, 1.25, [1.5, -1.5].
    %one = arith.constant 1.0 : f32
    %k = arith.addf %idf, %one : f32
    %kd = arith.extf %k : f32 to f64
    %tenth = arith.constant 0.1 : f64
    %kt = arith.mulf %kd, %tenth : f64
    %kh0 = arith.mulf %k, %half : f32
    %kh = arith.truncf %kh0 : f32 to f16
    %kb = arith.truncf %kh0 : f32 to bf16
    %nid = arith.negf %idf : f32
    %v = tensor.from_elements %idf, %nid : tensor<2xf32>
    %mean:5 = replica.batch_all_reduce mean %k, %kt, %kh, %kb, %v : f32, f64, f16, bf16, tensor<2xf32>
    %m1 = arith.truncf %mean#1 : f64 to f32
    %m2 = arith.extf %mean#2 : f16 to f32
    %m3 = arith.extf %mean#3 : bf16 to f32
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %m40 = tensor.extract %mean#4[%c0] : tensor<2xf32>
    %m41 = tensor.extract %mean#4[%c1] : tensor<2xf32>
    %mt = tensor.from_elements %mean#0, %m1, %m2, %m3, %m40, %m41 : tensor<6xf32>
    %mtd = tensor.cast %mt : tensor<6xf32> to tensor<?xf32>
    %t23 = arith.constant 23 : i64
    func.call @show_f32(%t23, %id, %mtd) : (i64, index, tensor<?xf32>) -> ()
    replica.yield
  }
  // sum = 2^63 - 1, max, min:
  // CHECK:      11 r0: 9223372036854775807 2305843009213693955 2305843009213693945
  // CHECK-NEXT: 11 r1: 9223372036854775807 2305843009213693955 2305843009213693945
  // CHECK-NEXT: 11 r2: 9223372036854775807 2305843009213693955 2305843009213693945
  // CHECK-NEXT: 11 r3: 9223372036854775807 2305843009213693955 2305843009213693945
  // 1000003 * 1000033 * 1000037 * 3:
  // CHECK-NEXT: 12 r0: 3000219004293010989
  // CHECK-NEXT: 12 r1: 3000219004293010989
  // CHECK-NEXT: 12 r2: 3000219004293010989
  // CHECK-NEXT: 12 r3: 3000219004293010989
  // min of N, L, P; sum of N = -(2^63 - 1) + 5 + 0 - 1:
  // CHECK-NEXT: 13 r0: -9223372036854775807 2305843009213693945 3 -9223372036854775803
  // CHECK-NEXT: 13 r1: -9223372036854775807 2305843009213693945 3 -9223372036854775803
  // CHECK-NEXT: 13 r2: -9223372036854775807 2305843009213693945 3 -9223372036854775803
  // CHECK-NEXT: 13 r3: -9223372036854775807 2305843009213693945 3 -9223372036854775803
  // i32 sum and max of I, product of J:
  // CHECK-NEXT: 14 r0: 2147483647 92678
  // CHECK-NEXT: 14 r1: 2147483647 92678
  // CHECK-NEXT: 14 r2: 2147483647 92678
  // CHECK-NEXT: 14 r3: 2147483647 92678
  // CHECK-NEXT: 15 r0: 536870912 46340
  // CHECK-NEXT: 15 r1: 536870912 46340
  // CHECK-NEXT: 15 r2: 536870912 46340
  // CHECK-NEXT: 15 r3: 536870912 46340
  // CHECK-NEXT: 16 r0: 2147395600 210
  // CHECK-NEXT: 16 r1: 2147395600 210
  // CHECK-NEXT: 16 r2: 2147395600 210
  // CHECK-NEXT: 16 r3: 2147395600 210
  // mirrored 2.5: mean, sum, max:
  // CHECK-NEXT: 17 r0: 2.5 10 2.5
  // CHECK-NEXT: 17 r1: 2.5 10 2.5
  // CHECK-NEXT: 17 r2: 2.5 10 2.5
  // CHECK-NEXT: 17 r3: 2.5 10 2.5
  // 2^62 + 6 and 2^30 + 6, then 3:
  // CHECK-NEXT: 21 r0: 4611686018427387910 1073741830
  // CHECK-NEXT: 21 r1: 4611686018427387910 1073741830
  // CHECK-NEXT: 21 r2: 4611686018427387910 1073741830
  // CHECK-NEXT: 21 r3: 4611686018427387910 1073741830
  // CHECK-NEXT: 22 r0: 3
  // CHECK-NEXT: 22 r1: 3
  // CHECK-NEXT: 22 r2: 3
  // CHECK-NEXT: 22 r3: 3
  // CHECK-NEXT: 23 r0: 2.5 0.25 1.25 1.25 1.5 -1.5
  // CHECK-NEXT: 23 r1: 2.5 0.25 1.25 1.25 1.5 -1.5
  // CHECK-NEXT: 23 r2: 2.5 0.25 1.25 1.25 1.5 -1.5
  // CHECK-NEXT: 23 r3: 2.5 0.25 1.25 1.25 1.5 -1.5
  // CHECK-NOT: {{.}}
  return
}
