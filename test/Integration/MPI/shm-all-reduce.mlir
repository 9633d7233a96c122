// REQUIRES: mpi
// RUN: replica-run %s | sort | FileCheck %s
// RUN: env REPLICA_MPI_TRANSPORT=shm replica-run %s --backend=mpi --np=4 | sort | FileCheck %s
// RUN: env REPLICA_MPI_TRANSPORT=shm replica-run %s --backend=mpi --np=4 --fuse=false | sort | FileCheck %s
// RUN: env REPLICA_MPI_TRANSPORT=shm REPLICA_MPI_VIRTUAL_NODE_SIZE=2 replica-run %s --backend=mpi --np=4 | sort | FileCheck %s
// RUN: env REPLICA_MPI_TRANSPORT=mpi replica-run %s --backend=mpi --np=4 | sort | FileCheck %s

// Every reduction kind on every element type over four replicas, on each
// of the MPI backend's transports: shared memory on one node (buffers placed
// in the window and reduced where they lie), shared memory on two virtual
// nodes of two (hierarchical: each slice all-reduced over MPI between the
// nodes) and MPI_Allreduce; the cpu backend is the reference. A
// 1.1M-element all-reduce whose input cannot be placed (it comes out of an
// scf.if) goes through the staging area in several rounds.
//
// Replica r holds x[i] = (i mod 5) + r + 1 (prod: 1 + (i + r) mod 3), so
// every result is exact. Every replica prints elements 0, 1, N/2 and N-1
// and a hash of the bit patterns of all N elements: the results must be
// bitwise equal on all replicas, on every transport and on the cpu backend.

func.func @show_f32(%r: index, %t: tensor<?xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %n = tensor.dim %t, %c0 : tensor<?xf32>
  %half = arith.divui %n, %c2 : index
  %last = arith.subi %n, %c1 : index
  %ri = arith.index_cast %r : index to i64
  vector.print str " r"
  vector.print %ri : i64 punctuation <no_punctuation>
  vector.print str ":"
  %e_c0 = tensor.extract %t[%c0] : tensor<?xf32>
  vector.print str " "
  vector.print %e_c0 : f32 punctuation <no_punctuation>
  %e_c1 = tensor.extract %t[%c1] : tensor<?xf32>
  vector.print str " "
  vector.print %e_c1 : f32 punctuation <no_punctuation>
  %e_half = tensor.extract %t[%half] : tensor<?xf32>
  vector.print str " "
  vector.print %e_half : f32 punctuation <no_punctuation>
  %e_last = tensor.extract %t[%last] : tensor<?xf32>
  vector.print str " "
  vector.print %e_last : f32 punctuation <no_punctuation>
  // h = (rotl(h, 5) ^ bits) * K over every element's bit pattern (the
  // rotation keeps the first elements' bits in h).
  %h0 = arith.constant 0 : i64
  %m = arith.constant 5871781006564002453 : i64
  %c5i = arith.constant 5 : i64
  %c59i = arith.constant 59 : i64
  %h = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %h0) -> (i64) {
    %x = tensor.extract %t[%i] : tensor<?xf32>
    %b = arith.bitcast %x : f32 to i32
    %b64 = arith.extui %b : i32 to i64
    %hl = arith.shli %acc, %c5i : i64
    %hr = arith.shrui %acc, %c59i : i64
    %rot = arith.ori %hl, %hr : i64
    %mixed = arith.xori %rot, %b64 : i64
    %q = arith.muli %mixed, %m : i64
    scf.yield %q : i64
  }
  vector.print str " hash "
  vector.print %h : i64
  return
}

func.func @show_f64(%r: index, %t: tensor<?xf64>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %n = tensor.dim %t, %c0 : tensor<?xf64>
  %half = arith.divui %n, %c2 : index
  %last = arith.subi %n, %c1 : index
  %ri = arith.index_cast %r : index to i64
  vector.print str " r"
  vector.print %ri : i64 punctuation <no_punctuation>
  vector.print str ":"
  %e_c0 = tensor.extract %t[%c0] : tensor<?xf64>
  vector.print str " "
  vector.print %e_c0 : f64 punctuation <no_punctuation>
  %e_c1 = tensor.extract %t[%c1] : tensor<?xf64>
  vector.print str " "
  vector.print %e_c1 : f64 punctuation <no_punctuation>
  %e_half = tensor.extract %t[%half] : tensor<?xf64>
  vector.print str " "
  vector.print %e_half : f64 punctuation <no_punctuation>
  %e_last = tensor.extract %t[%last] : tensor<?xf64>
  vector.print str " "
  vector.print %e_last : f64 punctuation <no_punctuation>
  // h = (rotl(h, 5) ^ bits) * K over every element's bit pattern (the
  // rotation keeps the first elements' bits in h).
  %h0 = arith.constant 0 : i64
  %m = arith.constant 5871781006564002453 : i64
  %c5i = arith.constant 5 : i64
  %c59i = arith.constant 59 : i64
  %h = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %h0) -> (i64) {
    %x = tensor.extract %t[%i] : tensor<?xf64>
    %b = arith.bitcast %x : f64 to i64
    %hl = arith.shli %acc, %c5i : i64
    %hr = arith.shrui %acc, %c59i : i64
    %rot = arith.ori %hl, %hr : i64
    %mixed = arith.xori %rot, %b : i64
    %q = arith.muli %mixed, %m : i64
    scf.yield %q : i64
  }
  vector.print str " hash "
  vector.print %h : i64
  return
}

func.func @show_i32(%r: index, %t: tensor<?xi32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %n = tensor.dim %t, %c0 : tensor<?xi32>
  %half = arith.divui %n, %c2 : index
  %last = arith.subi %n, %c1 : index
  %ri = arith.index_cast %r : index to i64
  vector.print str " r"
  vector.print %ri : i64 punctuation <no_punctuation>
  vector.print str ":"
  %e_c0 = tensor.extract %t[%c0] : tensor<?xi32>
  %y_c0 = arith.extsi %e_c0 : i32 to i64
  vector.print str " "
  vector.print %y_c0 : i64 punctuation <no_punctuation>
  %e_c1 = tensor.extract %t[%c1] : tensor<?xi32>
  %y_c1 = arith.extsi %e_c1 : i32 to i64
  vector.print str " "
  vector.print %y_c1 : i64 punctuation <no_punctuation>
  %e_half = tensor.extract %t[%half] : tensor<?xi32>
  %y_half = arith.extsi %e_half : i32 to i64
  vector.print str " "
  vector.print %y_half : i64 punctuation <no_punctuation>
  %e_last = tensor.extract %t[%last] : tensor<?xi32>
  %y_last = arith.extsi %e_last : i32 to i64
  vector.print str " "
  vector.print %y_last : i64 punctuation <no_punctuation>
  // h = (rotl(h, 5) ^ bits) * K over every element's bit pattern (the
  // rotation keeps the first elements' bits in h).
  %h0 = arith.constant 0 : i64
  %m = arith.constant 5871781006564002453 : i64
  %c5i = arith.constant 5 : i64
  %c59i = arith.constant 59 : i64
  %h = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %h0) -> (i64) {
    %x = tensor.extract %t[%i] : tensor<?xi32>
    %b64 = arith.extui %x : i32 to i64
    %hl = arith.shli %acc, %c5i : i64
    %hr = arith.shrui %acc, %c59i : i64
    %rot = arith.ori %hl, %hr : i64
    %mixed = arith.xori %rot, %b64 : i64
    %q = arith.muli %mixed, %m : i64
    scf.yield %q : i64
  }
  vector.print str " hash "
  vector.print %h : i64
  return
}

func.func @show_i64(%r: index, %t: tensor<?xi64>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %n = tensor.dim %t, %c0 : tensor<?xi64>
  %half = arith.divui %n, %c2 : index
  %last = arith.subi %n, %c1 : index
  %ri = arith.index_cast %r : index to i64
  vector.print str " r"
  vector.print %ri : i64 punctuation <no_punctuation>
  vector.print str ":"
  %e_c0 = tensor.extract %t[%c0] : tensor<?xi64>
  vector.print str " "
  vector.print %e_c0 : i64 punctuation <no_punctuation>
  %e_c1 = tensor.extract %t[%c1] : tensor<?xi64>
  vector.print str " "
  vector.print %e_c1 : i64 punctuation <no_punctuation>
  %e_half = tensor.extract %t[%half] : tensor<?xi64>
  vector.print str " "
  vector.print %e_half : i64 punctuation <no_punctuation>
  %e_last = tensor.extract %t[%last] : tensor<?xi64>
  vector.print str " "
  vector.print %e_last : i64 punctuation <no_punctuation>
  // h = (rotl(h, 5) ^ bits) * K over every element's bit pattern (the
  // rotation keeps the first elements' bits in h).
  %h0 = arith.constant 0 : i64
  %m = arith.constant 5871781006564002453 : i64
  %c5i = arith.constant 5 : i64
  %c59i = arith.constant 59 : i64
  %h = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %h0) -> (i64) {
    %x = tensor.extract %t[%i] : tensor<?xi64>
    %hl = arith.shli %acc, %c5i : i64
    %hr = arith.shrui %acc, %c59i : i64
    %rot = arith.ori %hl, %hr : i64
    %mixed = arith.xori %rot, %x : i64
    %q = arith.muli %mixed, %m : i64
    scf.yield %q : i64
  }
  vector.print str " hash "
  vector.print %h : i64
  return
}

func.func @show_f16(%r: index, %t: tensor<?xf16>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %n = tensor.dim %t, %c0 : tensor<?xf16>
  %half = arith.divui %n, %c2 : index
  %last = arith.subi %n, %c1 : index
  %ri = arith.index_cast %r : index to i64
  vector.print str " r"
  vector.print %ri : i64 punctuation <no_punctuation>
  vector.print str ":"
  %e_c0 = tensor.extract %t[%c0] : tensor<?xf16>
  %y_c0 = arith.extf %e_c0 : f16 to f32
  vector.print str " "
  vector.print %y_c0 : f32 punctuation <no_punctuation>
  %e_c1 = tensor.extract %t[%c1] : tensor<?xf16>
  %y_c1 = arith.extf %e_c1 : f16 to f32
  vector.print str " "
  vector.print %y_c1 : f32 punctuation <no_punctuation>
  %e_half = tensor.extract %t[%half] : tensor<?xf16>
  %y_half = arith.extf %e_half : f16 to f32
  vector.print str " "
  vector.print %y_half : f32 punctuation <no_punctuation>
  %e_last = tensor.extract %t[%last] : tensor<?xf16>
  %y_last = arith.extf %e_last : f16 to f32
  vector.print str " "
  vector.print %y_last : f32 punctuation <no_punctuation>
  // h = (rotl(h, 5) ^ bits) * K over every element's bit pattern (the
  // rotation keeps the first elements' bits in h).
  %h0 = arith.constant 0 : i64
  %m = arith.constant 5871781006564002453 : i64
  %c5i = arith.constant 5 : i64
  %c59i = arith.constant 59 : i64
  %h = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %h0) -> (i64) {
    %x = tensor.extract %t[%i] : tensor<?xf16>
    %b = arith.bitcast %x : f16 to i16
    %b64 = arith.extui %b : i16 to i64
    %hl = arith.shli %acc, %c5i : i64
    %hr = arith.shrui %acc, %c59i : i64
    %rot = arith.ori %hl, %hr : i64
    %mixed = arith.xori %rot, %b64 : i64
    %q = arith.muli %mixed, %m : i64
    scf.yield %q : i64
  }
  vector.print str " hash "
  vector.print %h : i64
  return
}

func.func @show_bf16(%r: index, %t: tensor<?xbf16>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %n = tensor.dim %t, %c0 : tensor<?xbf16>
  %half = arith.divui %n, %c2 : index
  %last = arith.subi %n, %c1 : index
  %ri = arith.index_cast %r : index to i64
  vector.print str " r"
  vector.print %ri : i64 punctuation <no_punctuation>
  vector.print str ":"
  %e_c0 = tensor.extract %t[%c0] : tensor<?xbf16>
  %y_c0 = arith.extf %e_c0 : bf16 to f32
  vector.print str " "
  vector.print %y_c0 : f32 punctuation <no_punctuation>
  %e_c1 = tensor.extract %t[%c1] : tensor<?xbf16>
  %y_c1 = arith.extf %e_c1 : bf16 to f32
  vector.print str " "
  vector.print %y_c1 : f32 punctuation <no_punctuation>
  %e_half = tensor.extract %t[%half] : tensor<?xbf16>
  %y_half = arith.extf %e_half : bf16 to f32
  vector.print str " "
  vector.print %y_half : f32 punctuation <no_punctuation>
  %e_last = tensor.extract %t[%last] : tensor<?xbf16>
  %y_last = arith.extf %e_last : bf16 to f32
  vector.print str " "
  vector.print %y_last : f32 punctuation <no_punctuation>
  // h = (rotl(h, 5) ^ bits) * K over every element's bit pattern (the
  // rotation keeps the first elements' bits in h).
  %h0 = arith.constant 0 : i64
  %m = arith.constant 5871781006564002453 : i64
  %c5i = arith.constant 5 : i64
  %c59i = arith.constant 59 : i64
  %h = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %h0) -> (i64) {
    %x = tensor.extract %t[%i] : tensor<?xbf16>
    %b = arith.bitcast %x : bf16 to i16
    %b64 = arith.extui %b : i16 to i64
    %hl = arith.shli %acc, %c5i : i64
    %hr = arith.shrui %acc, %c59i : i64
    %rot = arith.ori %hl, %hr : i64
    %mixed = arith.xori %rot, %b64 : i64
    %q = arith.muli %mixed, %m : i64
    scf.yield %q : i64
  }
  vector.print str " hash "
  vector.print %h : i64
  return
}

func.func @show_f32_sum(%r: index, %t: tensor<?xf32>) {
  vector.print str "f32 sum"
  func.call @show_f32(%r, %t) : (index, tensor<?xf32>) -> ()
  return
}

func.func @show_f32_mean(%r: index, %t: tensor<?xf32>) {
  vector.print str "f32 mean"
  func.call @show_f32(%r, %t) : (index, tensor<?xf32>) -> ()
  return
}

func.func @show_f32_max(%r: index, %t: tensor<?xf32>) {
  vector.print str "f32 max"
  func.call @show_f32(%r, %t) : (index, tensor<?xf32>) -> ()
  return
}

func.func @show_f32_min(%r: index, %t: tensor<?xf32>) {
  vector.print str "f32 min"
  func.call @show_f32(%r, %t) : (index, tensor<?xf32>) -> ()
  return
}

func.func @show_f32_prod(%r: index, %t: tensor<?xf32>) {
  vector.print str "f32 prod"
  func.call @show_f32(%r, %t) : (index, tensor<?xf32>) -> ()
  return
}

func.func @show_f64_sum(%r: index, %t: tensor<?xf64>) {
  vector.print str "f64 sum"
  func.call @show_f64(%r, %t) : (index, tensor<?xf64>) -> ()
  return
}

func.func @show_f64_mean(%r: index, %t: tensor<?xf64>) {
  vector.print str "f64 mean"
  func.call @show_f64(%r, %t) : (index, tensor<?xf64>) -> ()
  return
}

func.func @show_f64_max(%r: index, %t: tensor<?xf64>) {
  vector.print str "f64 max"
  func.call @show_f64(%r, %t) : (index, tensor<?xf64>) -> ()
  return
}

func.func @show_f64_min(%r: index, %t: tensor<?xf64>) {
  vector.print str "f64 min"
  func.call @show_f64(%r, %t) : (index, tensor<?xf64>) -> ()
  return
}

func.func @show_f64_prod(%r: index, %t: tensor<?xf64>) {
  vector.print str "f64 prod"
  func.call @show_f64(%r, %t) : (index, tensor<?xf64>) -> ()
  return
}

func.func @show_i32_sum(%r: index, %t: tensor<?xi32>) {
  vector.print str "i32 sum"
  func.call @show_i32(%r, %t) : (index, tensor<?xi32>) -> ()
  return
}

func.func @show_i32_max(%r: index, %t: tensor<?xi32>) {
  vector.print str "i32 max"
  func.call @show_i32(%r, %t) : (index, tensor<?xi32>) -> ()
  return
}

func.func @show_i32_min(%r: index, %t: tensor<?xi32>) {
  vector.print str "i32 min"
  func.call @show_i32(%r, %t) : (index, tensor<?xi32>) -> ()
  return
}

func.func @show_i32_prod(%r: index, %t: tensor<?xi32>) {
  vector.print str "i32 prod"
  func.call @show_i32(%r, %t) : (index, tensor<?xi32>) -> ()
  return
}

func.func @show_i64_sum(%r: index, %t: tensor<?xi64>) {
  vector.print str "i64 sum"
  func.call @show_i64(%r, %t) : (index, tensor<?xi64>) -> ()
  return
}

func.func @show_i64_max(%r: index, %t: tensor<?xi64>) {
  vector.print str "i64 max"
  func.call @show_i64(%r, %t) : (index, tensor<?xi64>) -> ()
  return
}

func.func @show_i64_min(%r: index, %t: tensor<?xi64>) {
  vector.print str "i64 min"
  func.call @show_i64(%r, %t) : (index, tensor<?xi64>) -> ()
  return
}

func.func @show_i64_prod(%r: index, %t: tensor<?xi64>) {
  vector.print str "i64 prod"
  func.call @show_i64(%r, %t) : (index, tensor<?xi64>) -> ()
  return
}

func.func @show_f16_sum(%r: index, %t: tensor<?xf16>) {
  vector.print str "f16 sum"
  func.call @show_f16(%r, %t) : (index, tensor<?xf16>) -> ()
  return
}

func.func @show_f16_mean(%r: index, %t: tensor<?xf16>) {
  vector.print str "f16 mean"
  func.call @show_f16(%r, %t) : (index, tensor<?xf16>) -> ()
  return
}

func.func @show_f16_max(%r: index, %t: tensor<?xf16>) {
  vector.print str "f16 max"
  func.call @show_f16(%r, %t) : (index, tensor<?xf16>) -> ()
  return
}

func.func @show_f16_min(%r: index, %t: tensor<?xf16>) {
  vector.print str "f16 min"
  func.call @show_f16(%r, %t) : (index, tensor<?xf16>) -> ()
  return
}

func.func @show_f16_prod(%r: index, %t: tensor<?xf16>) {
  vector.print str "f16 prod"
  func.call @show_f16(%r, %t) : (index, tensor<?xf16>) -> ()
  return
}

func.func @show_bf16_sum(%r: index, %t: tensor<?xbf16>) {
  vector.print str "bf16 sum"
  func.call @show_bf16(%r, %t) : (index, tensor<?xbf16>) -> ()
  return
}

func.func @show_bf16_mean(%r: index, %t: tensor<?xbf16>) {
  vector.print str "bf16 mean"
  func.call @show_bf16(%r, %t) : (index, tensor<?xbf16>) -> ()
  return
}

func.func @show_bf16_max(%r: index, %t: tensor<?xbf16>) {
  vector.print str "bf16 max"
  func.call @show_bf16(%r, %t) : (index, tensor<?xbf16>) -> ()
  return
}

func.func @show_bf16_min(%r: index, %t: tensor<?xbf16>) {
  vector.print str "bf16 min"
  func.call @show_bf16(%r, %t) : (index, tensor<?xbf16>) -> ()
  return
}

func.func @show_bf16_prod(%r: index, %t: tensor<?xbf16>) {
  vector.print str "bf16 prod"
  func.call @show_bf16(%r, %t) : (index, tensor<?xbf16>) -> ()
  return
}

func.func @show_f32_big(%r: index, %t: tensor<?xf32>) {
  vector.print str "big f32 sum"
  func.call @show_f32(%r, %t) : (index, tensor<?xf32>) -> ()
  return
}

func.func @main() {
  replica.replicate<4> () : () -> () {
    %r = replica.replica_id : index
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c3 = arith.constant 3 : index
    %c5 = arith.constant 5 : index
    %r1 = arith.addi %r, %c1 : index
    %e_f32_sum = tensor.empty() : tensor<20000xf32>
    %x_f32_sum = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%e_f32_sum : tensor<20000xf32>) {
    ^bb0(%out: f32):
      %i = linalg.index 0 : index
      %m = arith.remui %i, %c5 : index
      %s = arith.addi %m, %r1 : index
      %si = arith.index_cast %s : index to i64
      %x = arith.sitofp %si : i64 to f32
      linalg.yield %x : f32
    } -> tensor<20000xf32>
    %a_f32_sum = replica.all_reduce sum %x_f32_sum : tensor<20000xf32>
    %d_f32_sum = tensor.cast %a_f32_sum : tensor<20000xf32> to tensor<?xf32>
    func.call @show_f32_sum(%r, %d_f32_sum) : (index, tensor<?xf32>) -> ()
    %e_f32_mean = tensor.empty() : tensor<20000xf32>
    %x_f32_mean = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%e_f32_mean : tensor<20000xf32>) {
    ^bb0(%out: f32):
      %i = linalg.index 0 : index
      %m = arith.remui %i, %c5 : index
      %s = arith.addi %m, %r1 : index
      %si = arith.index_cast %s : index to i64
      %x = arith.sitofp %si : i64 to f32
      linalg.yield %x : f32
    } -> tensor<20000xf32>
    %a_f32_mean = replica.all_reduce mean %x_f32_mean : tensor<20000xf32>
    %d_f32_mean = tensor.cast %a_f32_mean : tensor<20000xf32> to tensor<?xf32>
    func.call @show_f32_mean(%r, %d_f32_mean) : (index, tensor<?xf32>) -> ()
    %e_f32_max = tensor.empty() : tensor<20000xf32>
    %x_f32_max = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%e_f32_max : tensor<20000xf32>) {
    ^bb0(%out: f32):
      %i = linalg.index 0 : index
      %m = arith.remui %i, %c5 : index
      %s = arith.addi %m, %r1 : index
      %si = arith.index_cast %s : index to i64
      %x = arith.sitofp %si : i64 to f32
      linalg.yield %x : f32
    } -> tensor<20000xf32>
    %a_f32_max = replica.all_reduce max %x_f32_max : tensor<20000xf32>
    %d_f32_max = tensor.cast %a_f32_max : tensor<20000xf32> to tensor<?xf32>
    func.call @show_f32_max(%r, %d_f32_max) : (index, tensor<?xf32>) -> ()
    %e_f32_min = tensor.empty() : tensor<20000xf32>
    %x_f32_min = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%e_f32_min : tensor<20000xf32>) {
    ^bb0(%out: f32):
      %i = linalg.index 0 : index
      %m = arith.remui %i, %c5 : index
      %s = arith.addi %m, %r1 : index
      %si = arith.index_cast %s : index to i64
      %x = arith.sitofp %si : i64 to f32
      linalg.yield %x : f32
    } -> tensor<20000xf32>
    %a_f32_min = replica.all_reduce min %x_f32_min : tensor<20000xf32>
    %d_f32_min = tensor.cast %a_f32_min : tensor<20000xf32> to tensor<?xf32>
    func.call @show_f32_min(%r, %d_f32_min) : (index, tensor<?xf32>) -> ()
    %e_f32_prod = tensor.empty() : tensor<20000xf32>
    %x_f32_prod = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%e_f32_prod : tensor<20000xf32>) {
    ^bb0(%out: f32):
      %i = linalg.index 0 : index
      %ir = arith.addi %i, %r : index
      %m = arith.remui %ir, %c3 : index
      %s = arith.addi %m, %c1 : index
      %si = arith.index_cast %s : index to i64
      %x = arith.sitofp %si : i64 to f32
      linalg.yield %x : f32
    } -> tensor<20000xf32>
    %a_f32_prod = replica.all_reduce prod %x_f32_prod : tensor<20000xf32>
    %d_f32_prod = tensor.cast %a_f32_prod : tensor<20000xf32> to tensor<?xf32>
    func.call @show_f32_prod(%r, %d_f32_prod) : (index, tensor<?xf32>) -> ()
    %e_f64_sum = tensor.empty() : tensor<20000xf64>
    %x_f64_sum = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%e_f64_sum : tensor<20000xf64>) {
    ^bb0(%out: f64):
      %i = linalg.index 0 : index
      %m = arith.remui %i, %c5 : index
      %s = arith.addi %m, %r1 : index
      %si = arith.index_cast %s : index to i64
      %x = arith.sitofp %si : i64 to f64
      linalg.yield %x : f64
    } -> tensor<20000xf64>
    %a_f64_sum = replica.all_reduce sum %x_f64_sum : tensor<20000xf64>
    %d_f64_sum = tensor.cast %a_f64_sum : tensor<20000xf64> to tensor<?xf64>
    func.call @show_f64_sum(%r, %d_f64_sum) : (index, tensor<?xf64>) -> ()
    %e_f64_mean = tensor.empty() : tensor<20000xf64>
    %x_f64_mean = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%e_f64_mean : tensor<20000xf64>) {
    ^bb0(%out: f64):
      %i = linalg.index 0 : index
      %m = arith.remui %i, %c5 : index
      %s = arith.addi %m, %r1 : index
      %si = arith.index_cast %s : index to i64
      %x = arith.sitofp %si : i64 to f64
      linalg.yield %x : f64
    } -> tensor<20000xf64>
    %a_f64_mean = replica.all_reduce mean %x_f64_mean : tensor<20000xf64>
    %d_f64_mean = tensor.cast %a_f64_mean : tensor<20000xf64> to tensor<?xf64>
    func.call @show_f64_mean(%r, %d_f64_mean) : (index, tensor<?xf64>) -> ()
    %e_f64_max = tensor.empty() : tensor<20000xf64>
    %x_f64_max = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%e_f64_max : tensor<20000xf64>) {
    ^bb0(%out: f64):
      %i = linalg.index 0 : index
      %m = arith.remui %i, %c5 : index
      %s = arith.addi %m, %r1 : index
      %si = arith.index_cast %s : index to i64
      %x = arith.sitofp %si : i64 to f64
      linalg.yield %x : f64
    } -> tensor<20000xf64>
    %a_f64_max = replica.all_reduce max %x_f64_max : tensor<20000xf64>
    %d_f64_max = tensor.cast %a_f64_max : tensor<20000xf64> to tensor<?xf64>
    func.call @show_f64_max(%r, %d_f64_max) : (index, tensor<?xf64>) -> ()
    %e_f64_min = tensor.empty() : tensor<20000xf64>
    %x_f64_min = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%e_f64_min : tensor<20000xf64>) {
    ^bb0(%out: f64):
      %i = linalg.index 0 : index
      %m = arith.remui %i, %c5 : index
      %s = arith.addi %m, %r1 : index
      %si = arith.index_cast %s : index to i64
      %x = arith.sitofp %si : i64 to f64
      linalg.yield %x : f64
    } -> tensor<20000xf64>
    %a_f64_min = replica.all_reduce min %x_f64_min : tensor<20000xf64>
    %d_f64_min = tensor.cast %a_f64_min : tensor<20000xf64> to tensor<?xf64>
    func.call @show_f64_min(%r, %d_f64_min) : (index, tensor<?xf64>) -> ()
    %e_f64_prod = tensor.empty() : tensor<20000xf64>
    %x_f64_prod = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%e_f64_prod : tensor<20000xf64>) {
    ^bb0(%out: f64):
      %i = linalg.index 0 : index
      %ir = arith.addi %i, %r : index
      %m = arith.remui %ir, %c3 : index
      %s = arith.addi %m, %c1 : index
      %si = arith.index_cast %s : index to i64
      %x = arith.sitofp %si : i64 to f64
      linalg.yield %x : f64
    } -> tensor<20000xf64>
    %a_f64_prod = replica.all_reduce prod %x_f64_prod : tensor<20000xf64>
    %d_f64_prod = tensor.cast %a_f64_prod : tensor<20000xf64> to tensor<?xf64>
    func.call @show_f64_prod(%r, %d_f64_prod) : (index, tensor<?xf64>) -> ()
    %e_i32_sum = tensor.empty() : tensor<20000xi32>
    %x_i32_sum = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%e_i32_sum : tensor<20000xi32>) {
    ^bb0(%out: i32):
      %i = linalg.index 0 : index
      %m = arith.remui %i, %c5 : index
      %s = arith.addi %m, %r1 : index
      %si = arith.index_cast %s : index to i64
      %x = arith.trunci %si : i64 to i32
      linalg.yield %x : i32
    } -> tensor<20000xi32>
    %a_i32_sum = replica.all_reduce sum %x_i32_sum : tensor<20000xi32>
    %d_i32_sum = tensor.cast %a_i32_sum : tensor<20000xi32> to tensor<?xi32>
    func.call @show_i32_sum(%r, %d_i32_sum) : (index, tensor<?xi32>) -> ()
    %e_i32_max = tensor.empty() : tensor<20000xi32>
    %x_i32_max = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%e_i32_max : tensor<20000xi32>) {
    ^bb0(%out: i32):
      %i = linalg.index 0 : index
      %m = arith.remui %i, %c5 : index
      %s = arith.addi %m, %r1 : index
      %si = arith.index_cast %s : index to i64
      %x = arith.trunci %si : i64 to i32
      linalg.yield %x : i32
    } -> tensor<20000xi32>
    %a_i32_max = replica.all_reduce max %x_i32_max : tensor<20000xi32>
    %d_i32_max = tensor.cast %a_i32_max : tensor<20000xi32> to tensor<?xi32>
    func.call @show_i32_max(%r, %d_i32_max) : (index, tensor<?xi32>) -> ()
    %e_i32_min = tensor.empty() : tensor<20000xi32>
    %x_i32_min = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%e_i32_min : tensor<20000xi32>) {
    ^bb0(%out: i32):
      %i = linalg.index 0 : index
      %m = arith.remui %i, %c5 : index
      %s = arith.addi %m, %r1 : index
      %si = arith.index_cast %s : index to i64
      %x = arith.trunci %si : i64 to i32
      linalg.yield %x : i32
    } -> tensor<20000xi32>
    %a_i32_min = replica.all_reduce min %x_i32_min : tensor<20000xi32>
    %d_i32_min = tensor.cast %a_i32_min : tensor<20000xi32> to tensor<?xi32>
    func.call @show_i32_min(%r, %d_i32_min) : (index, tensor<?xi32>) -> ()
    %e_i32_prod = tensor.empty() : tensor<20000xi32>
    %x_i32_prod = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%e_i32_prod : tensor<20000xi32>) {
    ^bb0(%out: i32):
      %i = linalg.index 0 : index
      %ir = arith.addi %i, %r : index
      %m = arith.remui %ir, %c3 : index
      %s = arith.addi %m, %c1 : index
      %si = arith.index_cast %s : index to i64
      %x = arith.trunci %si : i64 to i32
      linalg.yield %x : i32
    } -> tensor<20000xi32>
    %a_i32_prod = replica.all_reduce prod %x_i32_prod : tensor<20000xi32>
    %d_i32_prod = tensor.cast %a_i32_prod : tensor<20000xi32> to tensor<?xi32>
    func.call @show_i32_prod(%r, %d_i32_prod) : (index, tensor<?xi32>) -> ()
    %e_i64_sum = tensor.empty() : tensor<20000xi64>
    %x_i64_sum = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%e_i64_sum : tensor<20000xi64>) {
    ^bb0(%out: i64):
      %i = linalg.index 0 : index
      %m = arith.remui %i, %c5 : index
      %s = arith.addi %m, %r1 : index
      %si = arith.index_cast %s : index to i64
      linalg.yield %si : i64
    } -> tensor<20000xi64>
    %a_i64_sum = replica.all_reduce sum %x_i64_sum : tensor<20000xi64>
    %d_i64_sum = tensor.cast %a_i64_sum : tensor<20000xi64> to tensor<?xi64>
    func.call @show_i64_sum(%r, %d_i64_sum) : (index, tensor<?xi64>) -> ()
    %e_i64_max = tensor.empty() : tensor<20000xi64>
    %x_i64_max = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%e_i64_max : tensor<20000xi64>) {
    ^bb0(%out: i64):
      %i = linalg.index 0 : index
      %m = arith.remui %i, %c5 : index
      %s = arith.addi %m, %r1 : index
      %si = arith.index_cast %s : index to i64
      linalg.yield %si : i64
    } -> tensor<20000xi64>
    %a_i64_max = replica.all_reduce max %x_i64_max : tensor<20000xi64>
    %d_i64_max = tensor.cast %a_i64_max : tensor<20000xi64> to tensor<?xi64>
    func.call @show_i64_max(%r, %d_i64_max) : (index, tensor<?xi64>) -> ()
    %e_i64_min = tensor.empty() : tensor<20000xi64>
    %x_i64_min = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%e_i64_min : tensor<20000xi64>) {
    ^bb0(%out: i64):
      %i = linalg.index 0 : index
      %m = arith.remui %i, %c5 : index
      %s = arith.addi %m, %r1 : index
      %si = arith.index_cast %s : index to i64
      linalg.yield %si : i64
    } -> tensor<20000xi64>
    %a_i64_min = replica.all_reduce min %x_i64_min : tensor<20000xi64>
    %d_i64_min = tensor.cast %a_i64_min : tensor<20000xi64> to tensor<?xi64>
    func.call @show_i64_min(%r, %d_i64_min) : (index, tensor<?xi64>) -> ()
    %e_i64_prod = tensor.empty() : tensor<20000xi64>
    %x_i64_prod = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%e_i64_prod : tensor<20000xi64>) {
    ^bb0(%out: i64):
      %i = linalg.index 0 : index
      %ir = arith.addi %i, %r : index
      %m = arith.remui %ir, %c3 : index
      %s = arith.addi %m, %c1 : index
      %si = arith.index_cast %s : index to i64
      linalg.yield %si : i64
    } -> tensor<20000xi64>
    %a_i64_prod = replica.all_reduce prod %x_i64_prod : tensor<20000xi64>
    %d_i64_prod = tensor.cast %a_i64_prod : tensor<20000xi64> to tensor<?xi64>
    func.call @show_i64_prod(%r, %d_i64_prod) : (index, tensor<?xi64>) -> ()
    %e_f16_sum = tensor.empty() : tensor<20000xf16>
    %x_f16_sum = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%e_f16_sum : tensor<20000xf16>) {
    ^bb0(%out: f16):
      %i = linalg.index 0 : index
      %m = arith.remui %i, %c5 : index
      %s = arith.addi %m, %r1 : index
      %si = arith.index_cast %s : index to i64
      %x = arith.sitofp %si : i64 to f16
      linalg.yield %x : f16
    } -> tensor<20000xf16>
    %a_f16_sum = replica.all_reduce sum %x_f16_sum : tensor<20000xf16>
    %d_f16_sum = tensor.cast %a_f16_sum : tensor<20000xf16> to tensor<?xf16>
    func.call @show_f16_sum(%r, %d_f16_sum) : (index, tensor<?xf16>) -> ()
    %e_f16_mean = tensor.empty() : tensor<20000xf16>
    %x_f16_mean = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%e_f16_mean : tensor<20000xf16>) {
    ^bb0(%out: f16):
      %i = linalg.index 0 : index
      %m = arith.remui %i, %c5 : index
      %s = arith.addi %m, %r1 : index
      %si = arith.index_cast %s : index to i64
      %x = arith.sitofp %si : i64 to f16
      linalg.yield %x : f16
    } -> tensor<20000xf16>
    %a_f16_mean = replica.all_reduce mean %x_f16_mean : tensor<20000xf16>
    %d_f16_mean = tensor.cast %a_f16_mean : tensor<20000xf16> to tensor<?xf16>
    func.call @show_f16_mean(%r, %d_f16_mean) : (index, tensor<?xf16>) -> ()
    %e_f16_max = tensor.empty() : tensor<20000xf16>
    %x_f16_max = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%e_f16_max : tensor<20000xf16>) {
    ^bb0(%out: f16):
      %i = linalg.index 0 : index
      %m = arith.remui %i, %c5 : index
      %s = arith.addi %m, %r1 : index
      %si = arith.index_cast %s : index to i64
      %x = arith.sitofp %si : i64 to f16
      linalg.yield %x : f16
    } -> tensor<20000xf16>
    %a_f16_max = replica.all_reduce max %x_f16_max : tensor<20000xf16>
    %d_f16_max = tensor.cast %a_f16_max : tensor<20000xf16> to tensor<?xf16>
    func.call @show_f16_max(%r, %d_f16_max) : (index, tensor<?xf16>) -> ()
    %e_f16_min = tensor.empty() : tensor<20000xf16>
    %x_f16_min = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%e_f16_min : tensor<20000xf16>) {
    ^bb0(%out: f16):
      %i = linalg.index 0 : index
      %m = arith.remui %i, %c5 : index
      %s = arith.addi %m, %r1 : index
      %si = arith.index_cast %s : index to i64
      %x = arith.sitofp %si : i64 to f16
      linalg.yield %x : f16
    } -> tensor<20000xf16>
    %a_f16_min = replica.all_reduce min %x_f16_min : tensor<20000xf16>
    %d_f16_min = tensor.cast %a_f16_min : tensor<20000xf16> to tensor<?xf16>
    func.call @show_f16_min(%r, %d_f16_min) : (index, tensor<?xf16>) -> ()
    %e_f16_prod = tensor.empty() : tensor<20000xf16>
    %x_f16_prod = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%e_f16_prod : tensor<20000xf16>) {
    ^bb0(%out: f16):
      %i = linalg.index 0 : index
      %ir = arith.addi %i, %r : index
      %m = arith.remui %ir, %c3 : index
      %s = arith.addi %m, %c1 : index
      %si = arith.index_cast %s : index to i64
      %x = arith.sitofp %si : i64 to f16
      linalg.yield %x : f16
    } -> tensor<20000xf16>
    %a_f16_prod = replica.all_reduce prod %x_f16_prod : tensor<20000xf16>
    %d_f16_prod = tensor.cast %a_f16_prod : tensor<20000xf16> to tensor<?xf16>
    func.call @show_f16_prod(%r, %d_f16_prod) : (index, tensor<?xf16>) -> ()
    %e_bf16_sum = tensor.empty() : tensor<20000xbf16>
    %x_bf16_sum = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%e_bf16_sum : tensor<20000xbf16>) {
    ^bb0(%out: bf16):
      %i = linalg.index 0 : index
      %m = arith.remui %i, %c5 : index
      %s = arith.addi %m, %r1 : index
      %si = arith.index_cast %s : index to i64
      %x = arith.sitofp %si : i64 to bf16
      linalg.yield %x : bf16
    } -> tensor<20000xbf16>
    %a_bf16_sum = replica.all_reduce sum %x_bf16_sum : tensor<20000xbf16>
    %d_bf16_sum = tensor.cast %a_bf16_sum : tensor<20000xbf16> to tensor<?xbf16>
    func.call @show_bf16_sum(%r, %d_bf16_sum) : (index, tensor<?xbf16>) -> ()
    %e_bf16_mean = tensor.empty() : tensor<20000xbf16>
    %x_bf16_mean = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%e_bf16_mean : tensor<20000xbf16>) {
    ^bb0(%out: bf16):
      %i = linalg.index 0 : index
      %m = arith.remui %i, %c5 : index
      %s = arith.addi %m, %r1 : index
      %si = arith.index_cast %s : index to i64
      %x = arith.sitofp %si : i64 to bf16
      linalg.yield %x : bf16
    } -> tensor<20000xbf16>
    %a_bf16_mean = replica.all_reduce mean %x_bf16_mean : tensor<20000xbf16>
    %d_bf16_mean = tensor.cast %a_bf16_mean : tensor<20000xbf16> to tensor<?xbf16>
    func.call @show_bf16_mean(%r, %d_bf16_mean) : (index, tensor<?xbf16>) -> ()
    %e_bf16_max = tensor.empty() : tensor<20000xbf16>
    %x_bf16_max = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%e_bf16_max : tensor<20000xbf16>) {
    ^bb0(%out: bf16):
      %i = linalg.index 0 : index
      %m = arith.remui %i, %c5 : index
      %s = arith.addi %m, %r1 : index
      %si = arith.index_cast %s : index to i64
      %x = arith.sitofp %si : i64 to bf16
      linalg.yield %x : bf16
    } -> tensor<20000xbf16>
    %a_bf16_max = replica.all_reduce max %x_bf16_max : tensor<20000xbf16>
    %d_bf16_max = tensor.cast %a_bf16_max : tensor<20000xbf16> to tensor<?xbf16>
    func.call @show_bf16_max(%r, %d_bf16_max) : (index, tensor<?xbf16>) -> ()
    %e_bf16_min = tensor.empty() : tensor<20000xbf16>
    %x_bf16_min = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%e_bf16_min : tensor<20000xbf16>) {
    ^bb0(%out: bf16):
      %i = linalg.index 0 : index
      %m = arith.remui %i, %c5 : index
      %s = arith.addi %m, %r1 : index
      %si = arith.index_cast %s : index to i64
      %x = arith.sitofp %si : i64 to bf16
      linalg.yield %x : bf16
    } -> tensor<20000xbf16>
    %a_bf16_min = replica.all_reduce min %x_bf16_min : tensor<20000xbf16>
    %d_bf16_min = tensor.cast %a_bf16_min : tensor<20000xbf16> to tensor<?xbf16>
    func.call @show_bf16_min(%r, %d_bf16_min) : (index, tensor<?xbf16>) -> ()
    %e_bf16_prod = tensor.empty() : tensor<20000xbf16>
    %x_bf16_prod = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%e_bf16_prod : tensor<20000xbf16>) {
    ^bb0(%out: bf16):
      %i = linalg.index 0 : index
      %ir = arith.addi %i, %r : index
      %m = arith.remui %ir, %c3 : index
      %s = arith.addi %m, %c1 : index
      %si = arith.index_cast %s : index to i64
      %x = arith.sitofp %si : i64 to bf16
      linalg.yield %x : bf16
    } -> tensor<20000xbf16>
    %a_bf16_prod = replica.all_reduce prod %x_bf16_prod : tensor<20000xbf16>
    %d_bf16_prod = tensor.cast %a_bf16_prod : tensor<20000xbf16> to tensor<?xbf16>
    func.call @show_bf16_prod(%r, %d_bf16_prod) : (index, tensor<?xbf16>) -> ()
    // Not placeable: the input comes out of a region.
    %first = arith.cmpi sge, %r, %c0 : index
    %big = scf.if %first -> (tensor<1100000xf32>) {
      %e_big = tensor.empty() : tensor<1100000xf32>
      %x_big = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%e_big : tensor<1100000xf32>) {
      ^bb0(%out: f32):
        %i = linalg.index 0 : index
        %m = arith.remui %i, %c5 : index
        %s = arith.addi %m, %r1 : index
        %si = arith.index_cast %s : index to i64
        %x = arith.sitofp %si : i64 to f32
        linalg.yield %x : f32
      } -> tensor<1100000xf32>
      scf.yield %x_big : tensor<1100000xf32>
    } else {
      %z = arith.constant dense<0.0> : tensor<1100000xf32>
      scf.yield %z : tensor<1100000xf32>
    }
    %a_big = replica.all_reduce sum %big : tensor<1100000xf32>
    %d_big = tensor.cast %a_big : tensor<1100000xf32> to tensor<?xf32>
    func.call @show_f32_big(%r, %d_big) : (index, tensor<?xf32>) -> ()
    replica.yield
  }
  return
}

// CHECK: bf16 max r0: 4 5 4 8 hash [[BF16_MAX:-?[0-9]+]]
// CHECK-NEXT: bf16 max r1: 4 5 4 8 hash [[BF16_MAX]]
// CHECK-NEXT: bf16 max r2: 4 5 4 8 hash [[BF16_MAX]]
// CHECK-NEXT: bf16 max r3: 4 5 4 8 hash [[BF16_MAX]]
// CHECK: bf16 mean r0: 2.5 3.5 2.5 6.5 hash [[BF16_MEAN:-?[0-9]+]]
// CHECK-NEXT: bf16 mean r1: 2.5 3.5 2.5 6.5 hash [[BF16_MEAN]]
// CHECK-NEXT: bf16 mean r2: 2.5 3.5 2.5 6.5 hash [[BF16_MEAN]]
// CHECK-NEXT: bf16 mean r3: 2.5 3.5 2.5 6.5 hash [[BF16_MEAN]]
// CHECK: bf16 min r0: 1 2 1 5 hash [[BF16_MIN:-?[0-9]+]]
// CHECK-NEXT: bf16 min r1: 1 2 1 5 hash [[BF16_MIN]]
// CHECK-NEXT: bf16 min r2: 1 2 1 5 hash [[BF16_MIN]]
// CHECK-NEXT: bf16 min r3: 1 2 1 5 hash [[BF16_MIN]]
// CHECK: bf16 prod r0: 6 12 12 12 hash [[BF16_PROD:-?[0-9]+]]
// CHECK-NEXT: bf16 prod r1: 6 12 12 12 hash [[BF16_PROD]]
// CHECK-NEXT: bf16 prod r2: 6 12 12 12 hash [[BF16_PROD]]
// CHECK-NEXT: bf16 prod r3: 6 12 12 12 hash [[BF16_PROD]]
// CHECK: bf16 sum r0: 10 14 10 26 hash [[BF16_SUM:-?[0-9]+]]
// CHECK-NEXT: bf16 sum r1: 10 14 10 26 hash [[BF16_SUM]]
// CHECK-NEXT: bf16 sum r2: 10 14 10 26 hash [[BF16_SUM]]
// CHECK-NEXT: bf16 sum r3: 10 14 10 26 hash [[BF16_SUM]]
// CHECK: big f32 sum r0: 10 14 10 26 hash [[BIG_F32_SUM:-?[0-9]+]]
// CHECK-NEXT: big f32 sum r1: 10 14 10 26 hash [[BIG_F32_SUM]]
// CHECK-NEXT: big f32 sum r2: 10 14 10 26 hash [[BIG_F32_SUM]]
// CHECK-NEXT: big f32 sum r3: 10 14 10 26 hash [[BIG_F32_SUM]]
// CHECK: f16 max r0: 4 5 4 8 hash [[F16_MAX:-?[0-9]+]]
// CHECK-NEXT: f16 max r1: 4 5 4 8 hash [[F16_MAX]]
// CHECK-NEXT: f16 max r2: 4 5 4 8 hash [[F16_MAX]]
// CHECK-NEXT: f16 max r3: 4 5 4 8 hash [[F16_MAX]]
// CHECK: f16 mean r0: 2.5 3.5 2.5 6.5 hash [[F16_MEAN:-?[0-9]+]]
// CHECK-NEXT: f16 mean r1: 2.5 3.5 2.5 6.5 hash [[F16_MEAN]]
// CHECK-NEXT: f16 mean r2: 2.5 3.5 2.5 6.5 hash [[F16_MEAN]]
// CHECK-NEXT: f16 mean r3: 2.5 3.5 2.5 6.5 hash [[F16_MEAN]]
// CHECK: f16 min r0: 1 2 1 5 hash [[F16_MIN:-?[0-9]+]]
// CHECK-NEXT: f16 min r1: 1 2 1 5 hash [[F16_MIN]]
// CHECK-NEXT: f16 min r2: 1 2 1 5 hash [[F16_MIN]]
// CHECK-NEXT: f16 min r3: 1 2 1 5 hash [[F16_MIN]]
// CHECK: f16 prod r0: 6 12 12 12 hash [[F16_PROD:-?[0-9]+]]
// CHECK-NEXT: f16 prod r1: 6 12 12 12 hash [[F16_PROD]]
// CHECK-NEXT: f16 prod r2: 6 12 12 12 hash [[F16_PROD]]
// CHECK-NEXT: f16 prod r3: 6 12 12 12 hash [[F16_PROD]]
// CHECK: f16 sum r0: 10 14 10 26 hash [[F16_SUM:-?[0-9]+]]
// CHECK-NEXT: f16 sum r1: 10 14 10 26 hash [[F16_SUM]]
// CHECK-NEXT: f16 sum r2: 10 14 10 26 hash [[F16_SUM]]
// CHECK-NEXT: f16 sum r3: 10 14 10 26 hash [[F16_SUM]]
// CHECK: f32 max r0: 4 5 4 8 hash [[F32_MAX:-?[0-9]+]]
// CHECK-NEXT: f32 max r1: 4 5 4 8 hash [[F32_MAX]]
// CHECK-NEXT: f32 max r2: 4 5 4 8 hash [[F32_MAX]]
// CHECK-NEXT: f32 max r3: 4 5 4 8 hash [[F32_MAX]]
// CHECK: f32 mean r0: 2.5 3.5 2.5 6.5 hash [[F32_MEAN:-?[0-9]+]]
// CHECK-NEXT: f32 mean r1: 2.5 3.5 2.5 6.5 hash [[F32_MEAN]]
// CHECK-NEXT: f32 mean r2: 2.5 3.5 2.5 6.5 hash [[F32_MEAN]]
// CHECK-NEXT: f32 mean r3: 2.5 3.5 2.5 6.5 hash [[F32_MEAN]]
// CHECK: f32 min r0: 1 2 1 5 hash [[F32_MIN:-?[0-9]+]]
// CHECK-NEXT: f32 min r1: 1 2 1 5 hash [[F32_MIN]]
// CHECK-NEXT: f32 min r2: 1 2 1 5 hash [[F32_MIN]]
// CHECK-NEXT: f32 min r3: 1 2 1 5 hash [[F32_MIN]]
// CHECK: f32 prod r0: 6 12 12 12 hash [[F32_PROD:-?[0-9]+]]
// CHECK-NEXT: f32 prod r1: 6 12 12 12 hash [[F32_PROD]]
// CHECK-NEXT: f32 prod r2: 6 12 12 12 hash [[F32_PROD]]
// CHECK-NEXT: f32 prod r3: 6 12 12 12 hash [[F32_PROD]]
// CHECK: f32 sum r0: 10 14 10 26 hash [[F32_SUM:-?[0-9]+]]
// CHECK-NEXT: f32 sum r1: 10 14 10 26 hash [[F32_SUM]]
// CHECK-NEXT: f32 sum r2: 10 14 10 26 hash [[F32_SUM]]
// CHECK-NEXT: f32 sum r3: 10 14 10 26 hash [[F32_SUM]]
// CHECK: f64 max r0: 4 5 4 8 hash [[F64_MAX:-?[0-9]+]]
// CHECK-NEXT: f64 max r1: 4 5 4 8 hash [[F64_MAX]]
// CHECK-NEXT: f64 max r2: 4 5 4 8 hash [[F64_MAX]]
// CHECK-NEXT: f64 max r3: 4 5 4 8 hash [[F64_MAX]]
// CHECK: f64 mean r0: 2.5 3.5 2.5 6.5 hash [[F64_MEAN:-?[0-9]+]]
// CHECK-NEXT: f64 mean r1: 2.5 3.5 2.5 6.5 hash [[F64_MEAN]]
// CHECK-NEXT: f64 mean r2: 2.5 3.5 2.5 6.5 hash [[F64_MEAN]]
// CHECK-NEXT: f64 mean r3: 2.5 3.5 2.5 6.5 hash [[F64_MEAN]]
// CHECK: f64 min r0: 1 2 1 5 hash [[F64_MIN:-?[0-9]+]]
// CHECK-NEXT: f64 min r1: 1 2 1 5 hash [[F64_MIN]]
// CHECK-NEXT: f64 min r2: 1 2 1 5 hash [[F64_MIN]]
// CHECK-NEXT: f64 min r3: 1 2 1 5 hash [[F64_MIN]]
// CHECK: f64 prod r0: 6 12 12 12 hash [[F64_PROD:-?[0-9]+]]
// CHECK-NEXT: f64 prod r1: 6 12 12 12 hash [[F64_PROD]]
// CHECK-NEXT: f64 prod r2: 6 12 12 12 hash [[F64_PROD]]
// CHECK-NEXT: f64 prod r3: 6 12 12 12 hash [[F64_PROD]]
// CHECK: f64 sum r0: 10 14 10 26 hash [[F64_SUM:-?[0-9]+]]
// CHECK-NEXT: f64 sum r1: 10 14 10 26 hash [[F64_SUM]]
// CHECK-NEXT: f64 sum r2: 10 14 10 26 hash [[F64_SUM]]
// CHECK-NEXT: f64 sum r3: 10 14 10 26 hash [[F64_SUM]]
// CHECK: i32 max r0: 4 5 4 8 hash [[I32_MAX:-?[0-9]+]]
// CHECK-NEXT: i32 max r1: 4 5 4 8 hash [[I32_MAX]]
// CHECK-NEXT: i32 max r2: 4 5 4 8 hash [[I32_MAX]]
// CHECK-NEXT: i32 max r3: 4 5 4 8 hash [[I32_MAX]]
// CHECK: i32 min r0: 1 2 1 5 hash [[I32_MIN:-?[0-9]+]]
// CHECK-NEXT: i32 min r1: 1 2 1 5 hash [[I32_MIN]]
// CHECK-NEXT: i32 min r2: 1 2 1 5 hash [[I32_MIN]]
// CHECK-NEXT: i32 min r3: 1 2 1 5 hash [[I32_MIN]]
// CHECK: i32 prod r0: 6 12 12 12 hash [[I32_PROD:-?[0-9]+]]
// CHECK-NEXT: i32 prod r1: 6 12 12 12 hash [[I32_PROD]]
// CHECK-NEXT: i32 prod r2: 6 12 12 12 hash [[I32_PROD]]
// CHECK-NEXT: i32 prod r3: 6 12 12 12 hash [[I32_PROD]]
// CHECK: i32 sum r0: 10 14 10 26 hash [[I32_SUM:-?[0-9]+]]
// CHECK-NEXT: i32 sum r1: 10 14 10 26 hash [[I32_SUM]]
// CHECK-NEXT: i32 sum r2: 10 14 10 26 hash [[I32_SUM]]
// CHECK-NEXT: i32 sum r3: 10 14 10 26 hash [[I32_SUM]]
// CHECK: i64 max r0: 4 5 4 8 hash [[I64_MAX:-?[0-9]+]]
// CHECK-NEXT: i64 max r1: 4 5 4 8 hash [[I64_MAX]]
// CHECK-NEXT: i64 max r2: 4 5 4 8 hash [[I64_MAX]]
// CHECK-NEXT: i64 max r3: 4 5 4 8 hash [[I64_MAX]]
// CHECK: i64 min r0: 1 2 1 5 hash [[I64_MIN:-?[0-9]+]]
// CHECK-NEXT: i64 min r1: 1 2 1 5 hash [[I64_MIN]]
// CHECK-NEXT: i64 min r2: 1 2 1 5 hash [[I64_MIN]]
// CHECK-NEXT: i64 min r3: 1 2 1 5 hash [[I64_MIN]]
// CHECK: i64 prod r0: 6 12 12 12 hash [[I64_PROD:-?[0-9]+]]
// CHECK-NEXT: i64 prod r1: 6 12 12 12 hash [[I64_PROD]]
// CHECK-NEXT: i64 prod r2: 6 12 12 12 hash [[I64_PROD]]
// CHECK-NEXT: i64 prod r3: 6 12 12 12 hash [[I64_PROD]]
// CHECK: i64 sum r0: 10 14 10 26 hash [[I64_SUM:-?[0-9]+]]
// CHECK-NEXT: i64 sum r1: 10 14 10 26 hash [[I64_SUM]]
// CHECK-NEXT: i64 sum r2: 10 14 10 26 hash [[I64_SUM]]
// CHECK-NEXT: i64 sum r3: 10 14 10 26 hash [[I64_SUM]]
