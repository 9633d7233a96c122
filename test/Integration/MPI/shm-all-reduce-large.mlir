// REQUIRES: mpi
// RUN: replica-run %s | sort | FileCheck %s
// RUN: env REPLICA_MPI_TRANSPORT=shm replica-run %s --backend=mpi --np=4 | sort | FileCheck %s
// RUN: env REPLICA_MPI_TRANSPORT=shm REPLICA_MPI_VIRTUAL_NODE_SIZE=2 replica-run %s --backend=mpi --np=4 | sort | FileCheck %s
// RUN: env REPLICA_MPI_TRANSPORT=mpi replica-run %s --backend=mpi --np=4 | sort | FileCheck %s
//
// The runs above test the large-result paths only if the results are
// placed: six results every rank reads from one shared copy, and one copy
// per rank for the result the program writes.
// RUN: replica-opt %s -replica-lower-to-mpi | FileCheck %s --check-prefix=IR
// IR-COUNT-6: call @replica_mpi_shared_window(
// IR-NOT: call @replica_mpi_shared_window(

// All-reduces larger than the cache (12 MiB per rank each) on four
// replicas: the shared-memory transport writes their results with
// streaming stores and copies a rank's own result's slices the same way.
// One all-reduce per element type, every reduction kind among them. The
// results are read in place (only the printing call takes scalars), so
// each is one shared copy; the last one is written after the all-reduce,
// so each rank has its own.
//
// Replica r holds x[i] = (i mod 5) + r + 1 (prod: 1 + (i + r) mod 3), so
// every result is exact. Every replica prints elements 0, 1, N/2 and N-1
// and a hash of the bit patterns of all N elements, h = (rotl(h, 5) ^ bits)
// * K (the rotation keeps the first elements' bits in h): the same on
// every replica, every transport and the cpu backend.

func.func @print_f32_mean(%r: i64, %a: f32, %b: f32, %c: f32, %d: f32, %h: i64) {
  vector.print str "f32 mean r"
  vector.print %r : i64 punctuation <no_punctuation>
  vector.print str ":"
  vector.print str " "
  vector.print %a : f32 punctuation <no_punctuation>
  vector.print str " "
  vector.print %b : f32 punctuation <no_punctuation>
  vector.print str " "
  vector.print %c : f32 punctuation <no_punctuation>
  vector.print str " "
  vector.print %d : f32 punctuation <no_punctuation>
  vector.print str " hash "
  vector.print %h : i64
  return
}

func.func @print_f64_prod(%r: i64, %a: f64, %b: f64, %c: f64, %d: f64, %h: i64) {
  vector.print str "f64 prod r"
  vector.print %r : i64 punctuation <no_punctuation>
  vector.print str ":"
  vector.print str " "
  vector.print %a : f64 punctuation <no_punctuation>
  vector.print str " "
  vector.print %b : f64 punctuation <no_punctuation>
  vector.print str " "
  vector.print %c : f64 punctuation <no_punctuation>
  vector.print str " "
  vector.print %d : f64 punctuation <no_punctuation>
  vector.print str " hash "
  vector.print %h : i64
  return
}

func.func @print_i32_max(%r: i64, %a: i64, %b: i64, %c: i64, %d: i64, %h: i64) {
  vector.print str "i32 max r"
  vector.print %r : i64 punctuation <no_punctuation>
  vector.print str ":"
  vector.print str " "
  vector.print %a : i64 punctuation <no_punctuation>
  vector.print str " "
  vector.print %b : i64 punctuation <no_punctuation>
  vector.print str " "
  vector.print %c : i64 punctuation <no_punctuation>
  vector.print str " "
  vector.print %d : i64 punctuation <no_punctuation>
  vector.print str " hash "
  vector.print %h : i64
  return
}

func.func @print_i64_min(%r: i64, %a: i64, %b: i64, %c: i64, %d: i64, %h: i64) {
  vector.print str "i64 min r"
  vector.print %r : i64 punctuation <no_punctuation>
  vector.print str ":"
  vector.print str " "
  vector.print %a : i64 punctuation <no_punctuation>
  vector.print str " "
  vector.print %b : i64 punctuation <no_punctuation>
  vector.print str " "
  vector.print %c : i64 punctuation <no_punctuation>
  vector.print str " "
  vector.print %d : i64 punctuation <no_punctuation>
  vector.print str " hash "
  vector.print %h : i64
  return
}

func.func @print_f16_sum(%r: i64, %a: f32, %b: f32, %c: f32, %d: f32, %h: i64) {
  vector.print str "f16 sum r"
  vector.print %r : i64 punctuation <no_punctuation>
  vector.print str ":"
  vector.print str " "
  vector.print %a : f32 punctuation <no_punctuation>
  vector.print str " "
  vector.print %b : f32 punctuation <no_punctuation>
  vector.print str " "
  vector.print %c : f32 punctuation <no_punctuation>
  vector.print str " "
  vector.print %d : f32 punctuation <no_punctuation>
  vector.print str " hash "
  vector.print %h : i64
  return
}

func.func @print_bf16_mean(%r: i64, %a: f32, %b: f32, %c: f32, %d: f32, %h: i64) {
  vector.print str "bf16 mean r"
  vector.print %r : i64 punctuation <no_punctuation>
  vector.print str ":"
  vector.print str " "
  vector.print %a : f32 punctuation <no_punctuation>
  vector.print str " "
  vector.print %b : f32 punctuation <no_punctuation>
  vector.print str " "
  vector.print %c : f32 punctuation <no_punctuation>
  vector.print str " "
  vector.print %d : f32 punctuation <no_punctuation>
  vector.print str " hash "
  vector.print %h : i64
  return
}

func.func @print_own(%r: i64, %a: f32, %b: f32, %c: f32, %d: f32, %h: i64) {
  vector.print str "f32 sum + 1 r"
  vector.print %r : i64 punctuation <no_punctuation>
  vector.print str ":"
  vector.print str " "
  vector.print %a : f32 punctuation <no_punctuation>
  vector.print str " "
  vector.print %b : f32 punctuation <no_punctuation>
  vector.print str " "
  vector.print %c : f32 punctuation <no_punctuation>
  vector.print str " "
  vector.print %d : f32 punctuation <no_punctuation>
  vector.print str " hash "
  vector.print %h : i64
  return
}

func.func @main() {
  replica.replicate<4> () : () -> () {
    %r = replica.replica_id : index
    %ri = arith.index_cast %r : index to i64
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c3 = arith.constant 3 : index
    %c5 = arith.constant 5 : index
    %c5i = arith.constant 5 : i64
    %c59i = arith.constant 59 : i64
    %h0 = arith.constant 0 : i64
    %mul = arith.constant 5871781006564002453 : i64
    %r1 = arith.addi %r, %c1 : index
    %e_f32_mean = tensor.empty() : tensor<3145728xf32>
    %x_f32_mean = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%e_f32_mean : tensor<3145728xf32>) {
    ^bb0(%out: f32):
      %i = linalg.index 0 : index
      %m = arith.remui %i, %c5 : index
      %s = arith.addi %m, %r1 : index
      %si = arith.index_cast %s : index to i64
      %x = arith.sitofp %si : i64 to f32
      linalg.yield %x : f32
    } -> tensor<3145728xf32>
    %a_f32_mean = replica.all_reduce mean %x_f32_mean : tensor<3145728xf32>
    %n_f32_mean = arith.constant 3145728 : index
    %half_f32_mean = arith.constant 1572864 : index
    %last_f32_mean = arith.constant 3145727 : index
    %efirst_f32_mean = tensor.extract %a_f32_mean[%c0] : tensor<3145728xf32>
    %esecond_f32_mean = tensor.extract %a_f32_mean[%c1] : tensor<3145728xf32>
    %ehalf_f32_mean = tensor.extract %a_f32_mean[%half_f32_mean] : tensor<3145728xf32>
    %elast_f32_mean = tensor.extract %a_f32_mean[%last_f32_mean] : tensor<3145728xf32>
    %h_f32_mean = scf.for %i = %c0 to %n_f32_mean step %c1 iter_args(%acc = %h0) -> (i64) {
      %x = tensor.extract %a_f32_mean[%i] : tensor<3145728xf32>
      %b = arith.bitcast %x : f32 to i32
      %b64 = arith.extui %b : i32 to i64
      %hl = arith.shli %acc, %c5i : i64
      %hr = arith.shrui %acc, %c59i : i64
      %rot = arith.ori %hl, %hr : i64
      %mixed = arith.xori %rot, %b64 : i64
      %q = arith.muli %mixed, %mul : i64
      scf.yield %q : i64
    }
    func.call @print_f32_mean(%ri, %efirst_f32_mean, %esecond_f32_mean, %ehalf_f32_mean, %elast_f32_mean, %h_f32_mean) : (i64, f32, f32, f32, f32, i64) -> ()
    %e_f64_prod = tensor.empty() : tensor<1572864xf64>
    %x_f64_prod = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%e_f64_prod : tensor<1572864xf64>) {
    ^bb0(%out: f64):
      %i = linalg.index 0 : index
      %ir = arith.addi %i, %r : index
      %m = arith.remui %ir, %c3 : index
      %s = arith.addi %m, %c1 : index
      %si = arith.index_cast %s : index to i64
      %x = arith.sitofp %si : i64 to f64
      linalg.yield %x : f64
    } -> tensor<1572864xf64>
    %a_f64_prod = replica.all_reduce prod %x_f64_prod : tensor<1572864xf64>
    %n_f64_prod = arith.constant 1572864 : index
    %half_f64_prod = arith.constant 786432 : index
    %last_f64_prod = arith.constant 1572863 : index
    %efirst_f64_prod = tensor.extract %a_f64_prod[%c0] : tensor<1572864xf64>
    %esecond_f64_prod = tensor.extract %a_f64_prod[%c1] : tensor<1572864xf64>
    %ehalf_f64_prod = tensor.extract %a_f64_prod[%half_f64_prod] : tensor<1572864xf64>
    %elast_f64_prod = tensor.extract %a_f64_prod[%last_f64_prod] : tensor<1572864xf64>
    %h_f64_prod = scf.for %i = %c0 to %n_f64_prod step %c1 iter_args(%acc = %h0) -> (i64) {
      %x = tensor.extract %a_f64_prod[%i] : tensor<1572864xf64>
      %b = arith.bitcast %x : f64 to i64
      %hl = arith.shli %acc, %c5i : i64
      %hr = arith.shrui %acc, %c59i : i64
      %rot = arith.ori %hl, %hr : i64
      %mixed = arith.xori %rot, %b : i64
      %q = arith.muli %mixed, %mul : i64
      scf.yield %q : i64
    }
    func.call @print_f64_prod(%ri, %efirst_f64_prod, %esecond_f64_prod, %ehalf_f64_prod, %elast_f64_prod, %h_f64_prod) : (i64, f64, f64, f64, f64, i64) -> ()
    %e_i32_max = tensor.empty() : tensor<3145728xi32>
    %x_i32_max = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%e_i32_max : tensor<3145728xi32>) {
    ^bb0(%out: i32):
      %i = linalg.index 0 : index
      %m = arith.remui %i, %c5 : index
      %s = arith.addi %m, %r1 : index
      %si = arith.index_cast %s : index to i64
      %x = arith.trunci %si : i64 to i32
      linalg.yield %x : i32
    } -> tensor<3145728xi32>
    %a_i32_max = replica.all_reduce max %x_i32_max : tensor<3145728xi32>
    %n_i32_max = arith.constant 3145728 : index
    %half_i32_max = arith.constant 1572864 : index
    %last_i32_max = arith.constant 3145727 : index
    %efirst_i32_max = tensor.extract %a_i32_max[%c0] : tensor<3145728xi32>
    %pfirst_i32_max = arith.extsi %efirst_i32_max : i32 to i64
    %esecond_i32_max = tensor.extract %a_i32_max[%c1] : tensor<3145728xi32>
    %psecond_i32_max = arith.extsi %esecond_i32_max : i32 to i64
    %ehalf_i32_max = tensor.extract %a_i32_max[%half_i32_max] : tensor<3145728xi32>
    %phalf_i32_max = arith.extsi %ehalf_i32_max : i32 to i64
    %elast_i32_max = tensor.extract %a_i32_max[%last_i32_max] : tensor<3145728xi32>
    %plast_i32_max = arith.extsi %elast_i32_max : i32 to i64
    %h_i32_max = scf.for %i = %c0 to %n_i32_max step %c1 iter_args(%acc = %h0) -> (i64) {
      %x = tensor.extract %a_i32_max[%i] : tensor<3145728xi32>
      %b64 = arith.extui %x : i32 to i64
      %hl = arith.shli %acc, %c5i : i64
      %hr = arith.shrui %acc, %c59i : i64
      %rot = arith.ori %hl, %hr : i64
      %mixed = arith.xori %rot, %b64 : i64
      %q = arith.muli %mixed, %mul : i64
      scf.yield %q : i64
    }
    func.call @print_i32_max(%ri, %pfirst_i32_max, %psecond_i32_max, %phalf_i32_max, %plast_i32_max, %h_i32_max) : (i64, i64, i64, i64, i64, i64) -> ()
    %e_i64_min = tensor.empty() : tensor<1572864xi64>
    %x_i64_min = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%e_i64_min : tensor<1572864xi64>) {
    ^bb0(%out: i64):
      %i = linalg.index 0 : index
      %m = arith.remui %i, %c5 : index
      %s = arith.addi %m, %r1 : index
      %si = arith.index_cast %s : index to i64
      linalg.yield %si : i64
    } -> tensor<1572864xi64>
    %a_i64_min = replica.all_reduce min %x_i64_min : tensor<1572864xi64>
    %n_i64_min = arith.constant 1572864 : index
    %half_i64_min = arith.constant 786432 : index
    %last_i64_min = arith.constant 1572863 : index
    %efirst_i64_min = tensor.extract %a_i64_min[%c0] : tensor<1572864xi64>
    %esecond_i64_min = tensor.extract %a_i64_min[%c1] : tensor<1572864xi64>
    %ehalf_i64_min = tensor.extract %a_i64_min[%half_i64_min] : tensor<1572864xi64>
    %elast_i64_min = tensor.extract %a_i64_min[%last_i64_min] : tensor<1572864xi64>
    %h_i64_min = scf.for %i = %c0 to %n_i64_min step %c1 iter_args(%acc = %h0) -> (i64) {
      %x = tensor.extract %a_i64_min[%i] : tensor<1572864xi64>
      %hl = arith.shli %acc, %c5i : i64
      %hr = arith.shrui %acc, %c59i : i64
      %rot = arith.ori %hl, %hr : i64
      %mixed = arith.xori %rot, %x : i64
      %q = arith.muli %mixed, %mul : i64
      scf.yield %q : i64
    }
    func.call @print_i64_min(%ri, %efirst_i64_min, %esecond_i64_min, %ehalf_i64_min, %elast_i64_min, %h_i64_min) : (i64, i64, i64, i64, i64, i64) -> ()
    %e_f16_sum = tensor.empty() : tensor<6291456xf16>
    %x_f16_sum = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%e_f16_sum : tensor<6291456xf16>) {
    ^bb0(%out: f16):
      %i = linalg.index 0 : index
      %m = arith.remui %i, %c5 : index
      %s = arith.addi %m, %r1 : index
      %si = arith.index_cast %s : index to i64
      %x = arith.sitofp %si : i64 to f16
      linalg.yield %x : f16
    } -> tensor<6291456xf16>
    %a_f16_sum = replica.all_reduce sum %x_f16_sum : tensor<6291456xf16>
    %n_f16_sum = arith.constant 6291456 : index
    %half_f16_sum = arith.constant 3145728 : index
    %last_f16_sum = arith.constant 6291455 : index
    %efirst_f16_sum = tensor.extract %a_f16_sum[%c0] : tensor<6291456xf16>
    %pfirst_f16_sum = arith.extf %efirst_f16_sum : f16 to f32
    %esecond_f16_sum = tensor.extract %a_f16_sum[%c1] : tensor<6291456xf16>
    %psecond_f16_sum = arith.extf %esecond_f16_sum : f16 to f32
    %ehalf_f16_sum = tensor.extract %a_f16_sum[%half_f16_sum] : tensor<6291456xf16>
    %phalf_f16_sum = arith.extf %ehalf_f16_sum : f16 to f32
    %elast_f16_sum = tensor.extract %a_f16_sum[%last_f16_sum] : tensor<6291456xf16>
    %plast_f16_sum = arith.extf %elast_f16_sum : f16 to f32
    %h_f16_sum = scf.for %i = %c0 to %n_f16_sum step %c1 iter_args(%acc = %h0) -> (i64) {
      %x = tensor.extract %a_f16_sum[%i] : tensor<6291456xf16>
      %b = arith.bitcast %x : f16 to i16
      %b64 = arith.extui %b : i16 to i64
      %hl = arith.shli %acc, %c5i : i64
      %hr = arith.shrui %acc, %c59i : i64
      %rot = arith.ori %hl, %hr : i64
      %mixed = arith.xori %rot, %b64 : i64
      %q = arith.muli %mixed, %mul : i64
      scf.yield %q : i64
    }
    func.call @print_f16_sum(%ri, %pfirst_f16_sum, %psecond_f16_sum, %phalf_f16_sum, %plast_f16_sum, %h_f16_sum) : (i64, f32, f32, f32, f32, i64) -> ()
    %e_bf16_mean = tensor.empty() : tensor<6291456xbf16>
    %x_bf16_mean = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%e_bf16_mean : tensor<6291456xbf16>) {
    ^bb0(%out: bf16):
      %i = linalg.index 0 : index
      %m = arith.remui %i, %c5 : index
      %s = arith.addi %m, %r1 : index
      %si = arith.index_cast %s : index to i64
      %x = arith.sitofp %si : i64 to bf16
      linalg.yield %x : bf16
    } -> tensor<6291456xbf16>
    %a_bf16_mean = replica.all_reduce mean %x_bf16_mean : tensor<6291456xbf16>
    %n_bf16_mean = arith.constant 6291456 : index
    %half_bf16_mean = arith.constant 3145728 : index
    %last_bf16_mean = arith.constant 6291455 : index
    %efirst_bf16_mean = tensor.extract %a_bf16_mean[%c0] : tensor<6291456xbf16>
    %pfirst_bf16_mean = arith.extf %efirst_bf16_mean : bf16 to f32
    %esecond_bf16_mean = tensor.extract %a_bf16_mean[%c1] : tensor<6291456xbf16>
    %psecond_bf16_mean = arith.extf %esecond_bf16_mean : bf16 to f32
    %ehalf_bf16_mean = tensor.extract %a_bf16_mean[%half_bf16_mean] : tensor<6291456xbf16>
    %phalf_bf16_mean = arith.extf %ehalf_bf16_mean : bf16 to f32
    %elast_bf16_mean = tensor.extract %a_bf16_mean[%last_bf16_mean] : tensor<6291456xbf16>
    %plast_bf16_mean = arith.extf %elast_bf16_mean : bf16 to f32
    %h_bf16_mean = scf.for %i = %c0 to %n_bf16_mean step %c1 iter_args(%acc = %h0) -> (i64) {
      %x = tensor.extract %a_bf16_mean[%i] : tensor<6291456xbf16>
      %b = arith.bitcast %x : bf16 to i16
      %b64 = arith.extui %b : i16 to i64
      %hl = arith.shli %acc, %c5i : i64
      %hr = arith.shrui %acc, %c59i : i64
      %rot = arith.ori %hl, %hr : i64
      %mixed = arith.xori %rot, %b64 : i64
      %q = arith.muli %mixed, %mul : i64
      scf.yield %q : i64
    }
    func.call @print_bf16_mean(%ri, %pfirst_bf16_mean, %psecond_bf16_mean, %phalf_bf16_mean, %plast_bf16_mean, %h_bf16_mean) : (i64, f32, f32, f32, f32, i64) -> ()
    %e_own = tensor.empty() : tensor<3145728xf32>
    %x_own = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%e_own : tensor<3145728xf32>) {
    ^bb0(%out: f32):
      %i = linalg.index 0 : index
      %m = arith.remui %i, %c5 : index
      %s = arith.addi %m, %r1 : index
      %si = arith.index_cast %s : index to i64
      %x = arith.sitofp %si : i64 to f32
      linalg.yield %x : f32
    } -> tensor<3145728xf32>
    %a_own = replica.all_reduce sum %x_own : tensor<3145728xf32>
    %one = arith.constant 1.0 : f32
    %w_own = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%a_own : tensor<3145728xf32>) {
    ^bb0(%out: f32):
      %y = arith.addf %out, %one : f32
      linalg.yield %y : f32
    } -> tensor<3145728xf32>
    %n_own = arith.constant 3145728 : index
    %half_own = arith.constant 1572864 : index
    %last_own = arith.constant 3145727 : index
    %efirst_own = tensor.extract %w_own[%c0] : tensor<3145728xf32>
    %esecond_own = tensor.extract %w_own[%c1] : tensor<3145728xf32>
    %ehalf_own = tensor.extract %w_own[%half_own] : tensor<3145728xf32>
    %elast_own = tensor.extract %w_own[%last_own] : tensor<3145728xf32>
    %h_own = scf.for %i = %c0 to %n_own step %c1 iter_args(%acc = %h0) -> (i64) {
      %x = tensor.extract %w_own[%i] : tensor<3145728xf32>
      %b = arith.bitcast %x : f32 to i32
      %b64 = arith.extui %b : i32 to i64
      %hl = arith.shli %acc, %c5i : i64
      %hr = arith.shrui %acc, %c59i : i64
      %rot = arith.ori %hl, %hr : i64
      %mixed = arith.xori %rot, %b64 : i64
      %q = arith.muli %mixed, %mul : i64
      scf.yield %q : i64
    }
    func.call @print_own(%ri, %efirst_own, %esecond_own, %ehalf_own, %elast_own, %h_own) : (i64, f32, f32, f32, f32, i64) -> ()
    replica.yield
  }
  return
}

// CHECK: bf16 mean r0: 2.5 3.5 5.5 2.5 hash -792134577643507661
// CHECK-NEXT: bf16 mean r1: 2.5 3.5 5.5 2.5 hash -792134577643507661
// CHECK-NEXT: bf16 mean r2: 2.5 3.5 5.5 2.5 hash -792134577643507661
// CHECK-NEXT: bf16 mean r3: 2.5 3.5 5.5 2.5 hash -792134577643507661
// CHECK-NEXT: f16 sum r0: 10 14 22 10 hash -51739897459737274
// CHECK-NEXT: f16 sum r1: 10 14 22 10 hash -51739897459737274
// CHECK-NEXT: f16 sum r2: 10 14 22 10 hash -51739897459737274
// CHECK-NEXT: f16 sum r3: 10 14 22 10 hash -51739897459737274
// CHECK-NEXT: f32 mean r0: 2.5 3.5 6.5 4.5 hash 2676514787383073333
// CHECK-NEXT: f32 mean r1: 2.5 3.5 6.5 4.5 hash 2676514787383073333
// CHECK-NEXT: f32 mean r2: 2.5 3.5 6.5 4.5 hash 2676514787383073333
// CHECK-NEXT: f32 mean r3: 2.5 3.5 6.5 4.5 hash 2676514787383073333
// CHECK-NEXT: f32 sum + 1 r0: 11 15 27 19 hash -5122973442206726177
// CHECK-NEXT: f32 sum + 1 r1: 11 15 27 19 hash -5122973442206726177
// CHECK-NEXT: f32 sum + 1 r2: 11 15 27 19 hash -5122973442206726177
// CHECK-NEXT: f32 sum + 1 r3: 11 15 27 19 hash -5122973442206726177
// CHECK-NEXT: f64 prod r0: 6 12 6 18 hash 8182846880614225351
// CHECK-NEXT: f64 prod r1: 6 12 6 18 hash 8182846880614225351
// CHECK-NEXT: f64 prod r2: 6 12 6 18 hash 8182846880614225351
// CHECK-NEXT: f64 prod r3: 6 12 6 18 hash 8182846880614225351
// CHECK-NEXT: i32 max r0: 4 5 8 6 hash -773235968366596997
// CHECK-NEXT: i32 max r1: 4 5 8 6 hash -773235968366596997
// CHECK-NEXT: i32 max r2: 4 5 8 6 hash -773235968366596997
// CHECK-NEXT: i32 max r3: 4 5 8 6 hash -773235968366596997
// CHECK-NEXT: i64 min r0: 1 2 3 4 hash 4241228326788311264
// CHECK-NEXT: i64 min r1: 1 2 3 4 hash 4241228326788311264
// CHECK-NEXT: i64 min r2: 1 2 3 4 hash 4241228326788311264
// CHECK-NEXT: i64 min r3: 1 2 3 4 hash 4241228326788311264
