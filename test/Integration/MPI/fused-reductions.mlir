// REQUIRES: mpi
// RUN: replica-run %s | sort | FileCheck %s
// RUN: replica-run %s --backend=mpi --np=2 | sort | FileCheck %s
// RUN: replica-run %s --fuse=false | sort | FileCheck %s
// RUN: replica-run %s --backend=mpi --np=2 --fuse=false | sort | FileCheck %s
// RUN: replica-run %s --bytes-per-pack=0 | sort | FileCheck %s
// RUN: replica-run %s --backend=mpi --np=2 --bytes-per-pack=16 | sort | FileCheck %s
//
// The same program packed by replica-fuse-reductions with several options
// (and run without further fusion) prints the same values on both backends.
// RUN: replica-opt %s -replica-fuse-reductions -o %t.auto.mlir
// RUN: replica-run %t.auto.mlir --fuse=false | sort | FileCheck %s
// RUN: replica-run %t.auto.mlir --backend=mpi --np=2 --fuse=false | sort | FileCheck %s
// RUN: replica-opt %s -replica-fuse-reductions=bytes-per-pack=0 -o %t.tf.mlir
// RUN: replica-run %t.tf.mlir --fuse=false | sort | FileCheck %s
// RUN: replica-opt %s "-replica-fuse-reductions=bytes-per-pack=16 order=program alignment=4" -o %t.small.mlir
// RUN: replica-run %t.small.mlir --fuse=false | sort | FileCheck %s
// RUN: replica-run %t.small.mlir --backend=mpi --np=2 --fuse=false | sort | FileCheck %s
// RUN: %if cuda-gpus-2 %{ replica-run %t.small.mlir --backend=nccl --fuse=false | sort | FileCheck %s %}
// RUN: %if cuda-gpus-2 %{ replica-run %t.small.mlir --backend=nccl --np=2 --fuse=false | sort | FileCheck %s %}
// RUN: replica-opt %s -replica-fuse-reductions=max-ops-per-pack=1 -o %t.one.mlir
// RUN: replica-run %t.one.mlir --fuse=false | sort | FileCheck %s
//
// The fusion did pack something (otherwise the runs above prove nothing).
// RUN: FileCheck %s --input-file=%t.auto.mlir --check-prefix=FUSED
// FUSED: replica.pack
// FUSED: replica.all_reduce {{sum|mean}} %{{.*}} : tensor<{{[0-9]+}}x

// Many independent in-replica reductions in one block, of mixed kinds,
// element types (f32, f64, f16, i32, i64) and shapes, plus one that depends
// on another's result: the candidates of replica-fuse-reductions. Fused
// (replica-run's default, or replica-opt first) or not, with any pack size,
// the values are the same.

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

// sum over i of (i + 1) * t[i]: a checksum that also sees misplaced elements.
func.func @checksum_f32(%t: tensor<?xf32>) -> i64 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = tensor.dim %t, %c0 : tensor<?xf32>
  %z = arith.constant 0.0 : f64
  %s = scf.for %i = %c0 to %n step %c1 iter_args(%a = %z) -> (f64) {
    %e = tensor.extract %t[%i] : tensor<?xf32>
    %d = arith.extf %e : f32 to f64
    %j = arith.addi %i, %c1 : index
    %ji = arith.index_cast %j : index to i64
    %jf = arith.sitofp %ji : i64 to f64
    %p = arith.mulf %d, %jf : f64
    %b = arith.addf %a, %p : f64
    scf.yield %b : f64
  }
  %r = arith.fptosi %s : f64 to i64
  return %r : i64
}

func.func @checksum_f64(%t: tensor<?xf64>) -> i64 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = tensor.dim %t, %c0 : tensor<?xf64>
  %z = arith.constant 0.0 : f64
  %s = scf.for %i = %c0 to %n step %c1 iter_args(%a = %z) -> (f64) {
    %d = tensor.extract %t[%i] : tensor<?xf64>
    %j = arith.addi %i, %c1 : index
    %ji = arith.index_cast %j : index to i64
    %jf = arith.sitofp %ji : i64 to f64
    %p = arith.mulf %d, %jf : f64
    %b = arith.addf %a, %p : f64
    scf.yield %b : f64
  }
  %r = arith.fptosi %s : f64 to i64
  return %r : i64
}

func.func @checksum_i32(%t: tensor<?xi32>) -> i64 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = tensor.dim %t, %c0 : tensor<?xi32>
  %z = arith.constant 0 : i64
  %s = scf.for %i = %c0 to %n step %c1 iter_args(%a = %z) -> (i64) {
    %e = tensor.extract %t[%i] : tensor<?xi32>
    %d = arith.extsi %e : i32 to i64
    %j = arith.addi %i, %c1 : index
    %ji = arith.index_cast %j : index to i64
    %p = arith.muli %d, %ji : i64
    %b = arith.addi %a, %p : i64
    scf.yield %b : i64
  }
  return %s : i64
}

func.func @main() {
  %g0 = arith.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  %w0 = arith.constant dense<[[0.5, 1.5], [2.5, 3.5]]> : tensor<2x2xf64>
  %n0 = arith.constant dense<[10, 20, 30, 40, 50]> : tensor<5xi32>
  replica.replicate<2> (%g = %g0, %w = %w0, %n = %n0)
      : (tensor<3xf32>, tensor<2x2xf64>, tensor<5xi32>) -> () {
    %id = replica.replica_id : index
    %idi = arith.index_cast %id : index to i64
    %idf = arith.sitofp %idi : i64 to f32
    %one = arith.constant 1.0 : f32
    // k = id + 1: 1 and 2.
    %k = arith.addf %idf, %one : f32
    %ks = tensor.splat %k : tensor<3xf32>
    // a = g * k: [1, 2, 3] and [2, 4, 6]; b = g + k: [2, 3, 4] and [3, 4, 5].
    %a = arith.mulf %g, %ks : tensor<3xf32>
    %b = arith.addf %g, %ks : tensor<3xf32>
    // v = w * k (f64); h = k / 2 (f16): 0.5 and 1.
    %kd = arith.extf %k : f32 to f64
    %kds = tensor.splat %kd : tensor<2x2xf64>
    %v = arith.mulf %w, %kds : tensor<2x2xf64>
    %half = arith.constant 0.5 : f32
    %h32 = arith.mulf %k, %half : f32
    %h = arith.truncf %h32 : f32 to f16
    // m = n + id (i32): [10 .. 50] and [11 .. 51].
    %id32 = arith.index_cast %id : index to i32
    %ids32 = tensor.splat %id32 : tensor<5xi32>
    %m = arith.addi %n, %ids32 : tensor<5xi32>

    %sa = replica.all_reduce sum %a : tensor<3xf32>
    %sb = replica.all_reduce sum %b : tensor<3xf32>
    %sk = replica.all_reduce sum %k : f32
    %ma = replica.all_reduce mean %a : tensor<3xf32>
    %mk = replica.all_reduce mean %k : f32
    %xa = replica.all_reduce max %a : tensor<3xf32>
    %nb = replica.all_reduce min %b : tensor<3xf32>
    %sv = replica.all_reduce sum %v : tensor<2x2xf64>
    %mv = replica.all_reduce mean %v : tensor<2x2xf64>
    %sh = replica.all_reduce sum %h : f16
    %mh = replica.all_reduce mean %h : f16
    %sm = replica.all_reduce sum %m : tensor<5xi32>
    %pm = replica.all_reduce prod %m : tensor<5xi32>
    %si = replica.all_reduce sum %idi : i64
    %xi = replica.all_reduce max %idi : i64
    %bt:2 = replica.batch_all_reduce sum %a, %k : tensor<3xf32>, f32
    // Depends on %sa: the sum over replicas of [3, 6, 9].
    %dep = replica.all_reduce sum %sa : tensor<3xf32>

    %t11 = arith.constant 11 : i64
    %t12 = arith.constant 12 : i64
    %t13 = arith.constant 13 : i64
    %t14 = arith.constant 14 : i64
    %t15 = arith.constant 15 : i64
    %shf = arith.extf %sh : f16 to f32
    %mhf = arith.extf %mh : f16 to f32
    %sc = tensor.from_elements %sk, %mk, %shf, %mhf, %bt#1 : tensor<5xf32>
    %f1 = tensor.concat dim(0) %sa, %sb, %ma, %xa, %nb : (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<15xf32>
    %f1d = tensor.cast %f1 : tensor<15xf32> to tensor<?xf32>
    func.call @show_f32(%t11, %id, %f1d) : (i64, index, tensor<?xf32>) -> ()
    %f2 = tensor.concat dim(0) %sc, %bt#0, %dep : (tensor<5xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<11xf32>
    %f2d = tensor.cast %f2 : tensor<11xf32> to tensor<?xf32>
    func.call @show_f32(%t12, %id, %f2d) : (i64, index, tensor<?xf32>) -> ()
    %vv = tensor.concat dim(0) %sv, %mv : (tensor<2x2xf64>, tensor<2x2xf64>) -> tensor<4x2xf64>
    %vf = tensor.collapse_shape %vv [[0, 1]] : tensor<4x2xf64> into tensor<8xf64>
    %vd = tensor.cast %vf : tensor<8xf64> to tensor<?xf64>
    func.call @show_f64(%t13, %id, %vd) : (i64, index, tensor<?xf64>) -> ()
    %mm = tensor.concat dim(0) %sm, %pm : (tensor<5xi32>, tensor<5xi32>) -> tensor<10xi32>
    %mmd = tensor.cast %mm : tensor<10xi32> to tensor<?xi32>
    func.call @show_i32(%t14, %id, %mmd) : (i64, index, tensor<?xi32>) -> ()
    %ii = tensor.from_elements %si, %xi : tensor<2xi64>
    %iid = tensor.cast %ii : tensor<2xi64> to tensor<?xi64>
    func.call @show_i64(%t15, %id, %iid) : (i64, index, tensor<?xi64>) -> ()
    replica.yield
  }
  // sum a, sum b, mean a, max a, min b:
  // CHECK:      11 r0: 3 6 9 5 7 9 1.5 3 4.5 2 4 6 2 3 4
  // CHECK-NEXT: 11 r1: 3 6 9 5 7 9 1.5 3 4.5 2 4 6 2 3 4
  // sum k, mean k, sum h, mean h, batch (sum a, sum k), sum of sum a:
  // CHECK-NEXT: 12 r0: 3 1.5 1.5 0.75 3 3 6 9 6 12 18
  // CHECK-NEXT: 12 r1: 3 1.5 1.5 0.75 3 3 6 9 6 12 18
  // sum v = 3 w, mean v = 1.5 w:
  // CHECK-NEXT: 13 r0: 1.5 4.5 7.5 10.5 0.75 2.25 3.75 5.25
  // CHECK-NEXT: 13 r1: 1.5 4.5 7.5 10.5 0.75 2.25 3.75 5.25
  // sum m, prod m:
  // CHECK-NEXT: 14 r0: 21 41 61 81 101 110 420 930 1640 2550
  // CHECK-NEXT: 14 r1: 21 41 61 81 101 110 420 930 1640 2550
  // CHECK-NEXT: 15 r0: 1 1
  // CHECK-NEXT: 15 r1: 1 1

  // Larger tensors of odd sizes, so that packs need padding and offsets:
  // element i on replica r is i + 1000 r, so sum over replicas is 2 i + 1000
  // and max is i + 1000. Printed as checksums sum_i (i + 1) * x[i].
  replica.replicate<2> () : () -> () {
    %id = replica.replica_id : index
    %idi = arith.index_cast %id : index to i64
    %k = arith.constant 1000 : i64
    %off = arith.muli %idi, %k : i64
    %a = tensor.generate {
    ^bb0(%i: index):
      %ii = arith.index_cast %i : index to i64
      %v = arith.addi %ii, %off : i64
      %f = arith.sitofp %v : i64 to f32
      tensor.yield %f : f32
    } : tensor<1000xf32>
    %b = tensor.generate {
    ^bb0(%i: index):
      %ii = arith.index_cast %i : index to i64
      %v = arith.addi %ii, %off : i64
      %f = arith.sitofp %v : i64 to f32
      tensor.yield %f : f32
    } : tensor<333xf32>
    %c = tensor.generate {
    ^bb0(%i: index):
      %ii = arith.index_cast %i : index to i64
      %v = arith.addi %ii, %off : i64
      %f = arith.sitofp %v : i64 to f32
      tensor.yield %f : f32
    } : tensor<17xf32>
    %d = tensor.generate {
    ^bb0(%i: index):
      %ii = arith.index_cast %i : index to i64
      %v = arith.addi %ii, %off : i64
      %f = arith.sitofp %v : i64 to f64
      tensor.yield %f : f64
    } : tensor<129xf64>
    %e = tensor.generate {
    ^bb0(%i: index):
      %ii = arith.index_cast %i : index to i64
      %v = arith.addi %ii, %off : i64
      %f = arith.trunci %v : i64 to i32
      tensor.yield %f : i32
    } : tensor<65xi32>
    %sa = replica.all_reduce sum %a : tensor<1000xf32>
    %sb = replica.all_reduce sum %b : tensor<333xf32>
    %sc = replica.all_reduce sum %c : tensor<17xf32>
    %xb = replica.all_reduce max %b : tensor<333xf32>
    %sd = replica.all_reduce sum %d : tensor<129xf64>
    %se = replica.all_reduce sum %e : tensor<65xi32>
    %sad = tensor.cast %sa : tensor<1000xf32> to tensor<?xf32>
    %sbd = tensor.cast %sb : tensor<333xf32> to tensor<?xf32>
    %scd = tensor.cast %sc : tensor<17xf32> to tensor<?xf32>
    %xbd = tensor.cast %xb : tensor<333xf32> to tensor<?xf32>
    %sdd = tensor.cast %sd : tensor<129xf64> to tensor<?xf64>
    %sed = tensor.cast %se : tensor<65xi32> to tensor<?xi32>
    %k1 = func.call @checksum_f32(%sad) : (tensor<?xf32>) -> i64
    %k2 = func.call @checksum_f32(%sbd) : (tensor<?xf32>) -> i64
    %k3 = func.call @checksum_f32(%scd) : (tensor<?xf32>) -> i64
    %k4 = func.call @checksum_f32(%xbd) : (tensor<?xf32>) -> i64
    %k5 = func.call @checksum_f64(%sdd) : (tensor<?xf64>) -> i64
    %k6 = func.call @checksum_i32(%sed) : (tensor<?xi32>) -> i64
    %ks = tensor.from_elements %k1, %k2, %k3, %k4, %k5, %k6 : tensor<6xi64>
    %ksd = tensor.cast %ks : tensor<6xi64> to tensor<?xi64>
    %t21 = arith.constant 21 : i64
    func.call @show_i64(%t21, %id, %ksd) : (i64, index, tensor<?xi64>) -> ()
    replica.yield
  }
  // CHECK-NEXT: 21 r0: 1167166000 80228136 156264 67919568 9816040 2328040
  // CHECK-NEXT: 21 r1: 1167166000 80228136 156264 67919568 9816040 2328040
  // CHECK-NOT: {{.}}
  return
}
