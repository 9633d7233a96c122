// REQUIRES: mpi
// RUN: replica-run %s | sort | FileCheck %s
// RUN: replica-run %s --backend=mpi --np=4 | sort | FileCheck %s
// RUN: env REPLICA_MPI_TRANSPORT=shm REPLICA_MPI_VIRTUAL_NODE_SIZE= REPLICA_MPI_REUSE_INPUTS=on replica-run %s --backend=mpi --np=4 --fuse=false | sort | FileCheck %s
// RUN: env REPLICA_MPI_TRANSPORT=shm REPLICA_MPI_VIRTUAL_NODE_SIZE= REPLICA_MPI_REUSE_INPUTS=off replica-run %s --backend=mpi --np=4 --fuse=false | sort | FileCheck %s
// RUN: env REPLICA_MPI_TRANSPORT=shm REPLICA_MPI_VIRTUAL_NODE_SIZE=2 REPLICA_MPI_REUSE_INPUTS=on replica-run %s --backend=mpi --np=4 --fuse=false | sort | FileCheck %s
// RUN: env REPLICA_MPI_TRANSPORT=mpi REPLICA_MPI_REUSE_INPUTS=on replica-run %s --backend=mpi --np=4 --fuse=false | sort | FileCheck %s
//
// Each gradient is produced after the previous one's all-reduce is
// launched, and every result is read after the last launch: placed, each
// input after the first may take the range of the one before, chosen when
// the program runs: forced on over shared memory (one node of 4, and 2
// virtual nodes of 2), off, and over MPI, where an all-reduce reads its
// input until its wait and the range is never given up.
// RUN: replica-opt %s -replica-lower-to-mpi=fuse=false | FileCheck %s --check-prefix=IR
// IR:         %[[ASK:.*]] = llvm.call @replica_mpi_reuse_inputs() : () -> i32
// IR:         %[[REUSE:.*]] = llvm.icmp "ne" %[[ASK]]
// IR-COUNT-3: llvm.select %[[REUSE]]
// IR-NOT:     llvm.select %[[REUSE]]
//
// A bad value is refused on every transport.
// RUN: env REPLICA_MPI_TRANSPORT=mpi REPLICA_MPI_REUSE_INPUTS=sometimes not replica-run %s --backend=mpi --np=4 2>&1 | FileCheck %s --check-prefix=BAD
// BAD: replica_mpi_init: REPLICA_MPI_REUSE_INPUTS=sometimes: expected auto, on or off

// Replica r's gradient k holds (i mod 7) + (r + 1) * (k + 1); its mean is
// (i mod 7) + 2.5 * (k + 1), whose 262144 elements sum to
// 786429 + 655360 * (k + 1) (exact in f64). Every replica prints elements 0
// and 1 and the sum of each mean.

func.func @show(%k: i64, %r: index, %first: f32, %second: f32, %sum: f64) {
  %ri = arith.index_cast %r : index to i64
  %whole = arith.fptosi %sum : f64 to i64
  vector.print str "g"
  vector.print %k : i64 punctuation <no_punctuation>
  vector.print str " r"
  vector.print %ri : i64 punctuation <no_punctuation>
  vector.print str ": "
  vector.print %first : f32 punctuation <no_punctuation>
  vector.print str " "
  vector.print %second : f32 punctuation <no_punctuation>
  vector.print str " "
  vector.print %whole : i64
  return
}

func.func @main() {
  replica.replicate<4> () : () -> () {
    %r = replica.replica_id : index
    %c1 = arith.constant 1 : index
    %c2 = arith.constant 2 : index
    %c3 = arith.constant 3 : index
    %c4 = arith.constant 4 : index
    %c7 = arith.constant 7 : index
    %r1 = arith.addi %r, %c1 : index
    %s0 = arith.muli %r1, %c1 : index
    %e0 = tensor.empty() : tensor<262144xf32>
    %g0 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%e0 : tensor<262144xf32>) {
    ^bb0(%out: f32):
      %i = linalg.index 0 : index
      %m = arith.remui %i, %c7 : index
      %v = arith.addi %m, %s0 : index
      %vi = arith.index_cast %v : index to i64
      %x = arith.sitofp %vi : i64 to f32
      linalg.yield %x : f32
    } -> tensor<262144xf32>
    %a0 = replica.all_reduce mean %g0 : tensor<262144xf32>
    %s1 = arith.muli %r1, %c2 : index
    %e1 = tensor.empty() : tensor<262144xf32>
    %g1 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%e1 : tensor<262144xf32>) {
    ^bb0(%out: f32):
      %i = linalg.index 0 : index
      %m = arith.remui %i, %c7 : index
      %v = arith.addi %m, %s1 : index
      %vi = arith.index_cast %v : index to i64
      %x = arith.sitofp %vi : i64 to f32
      linalg.yield %x : f32
    } -> tensor<262144xf32>
    %a1 = replica.all_reduce mean %g1 : tensor<262144xf32>
    %s2 = arith.muli %r1, %c3 : index
    %e2 = tensor.empty() : tensor<262144xf32>
    %g2 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%e2 : tensor<262144xf32>) {
    ^bb0(%out: f32):
      %i = linalg.index 0 : index
      %m = arith.remui %i, %c7 : index
      %v = arith.addi %m, %s2 : index
      %vi = arith.index_cast %v : index to i64
      %x = arith.sitofp %vi : i64 to f32
      linalg.yield %x : f32
    } -> tensor<262144xf32>
    %a2 = replica.all_reduce mean %g2 : tensor<262144xf32>
    %s3 = arith.muli %r1, %c4 : index
    %e3 = tensor.empty() : tensor<262144xf32>
    %g3 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%e3 : tensor<262144xf32>) {
    ^bb0(%out: f32):
      %i = linalg.index 0 : index
      %m = arith.remui %i, %c7 : index
      %v = arith.addi %m, %s3 : index
      %vi = arith.index_cast %v : index to i64
      %x = arith.sitofp %vi : i64 to f32
      linalg.yield %x : f32
    } -> tensor<262144xf32>
    %a3 = replica.all_reduce mean %g3 : tensor<262144xf32>
    %c0 = arith.constant 0 : index
    %n = arith.constant 262144 : index
    %zero = arith.constant 0.0 : f64
    %k0 = arith.constant 0 : i64
    %first0 = tensor.extract %a0[%c0] : tensor<262144xf32>
    %second0 = tensor.extract %a0[%c1] : tensor<262144xf32>
    %sum0 = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %zero) -> (f64) {
      %x = tensor.extract %a0[%i] : tensor<262144xf32>
      %w = arith.extf %x : f32 to f64
      %t = arith.addf %acc, %w : f64
      scf.yield %t : f64
    }
    func.call @show(%k0, %r, %first0, %second0, %sum0) : (i64, index, f32, f32, f64) -> ()
    %k1 = arith.constant 1 : i64
    %first1 = tensor.extract %a1[%c0] : tensor<262144xf32>
    %second1 = tensor.extract %a1[%c1] : tensor<262144xf32>
    %sum1 = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %zero) -> (f64) {
      %x = tensor.extract %a1[%i] : tensor<262144xf32>
      %w = arith.extf %x : f32 to f64
      %t = arith.addf %acc, %w : f64
      scf.yield %t : f64
    }
    func.call @show(%k1, %r, %first1, %second1, %sum1) : (i64, index, f32, f32, f64) -> ()
    %k2 = arith.constant 2 : i64
    %first2 = tensor.extract %a2[%c0] : tensor<262144xf32>
    %second2 = tensor.extract %a2[%c1] : tensor<262144xf32>
    %sum2 = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %zero) -> (f64) {
      %x = tensor.extract %a2[%i] : tensor<262144xf32>
      %w = arith.extf %x : f32 to f64
      %t = arith.addf %acc, %w : f64
      scf.yield %t : f64
    }
    func.call @show(%k2, %r, %first2, %second2, %sum2) : (i64, index, f32, f32, f64) -> ()
    %k3 = arith.constant 3 : i64
    %first3 = tensor.extract %a3[%c0] : tensor<262144xf32>
    %second3 = tensor.extract %a3[%c1] : tensor<262144xf32>
    %sum3 = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %zero) -> (f64) {
      %x = tensor.extract %a3[%i] : tensor<262144xf32>
      %w = arith.extf %x : f32 to f64
      %t = arith.addf %acc, %w : f64
      scf.yield %t : f64
    }
    func.call @show(%k3, %r, %first3, %second3, %sum3) : (i64, index, f32, f32, f64) -> ()
    replica.yield
  }
  return
}

// CHECK:      g0 r0: 2.5 3.5 1441789
// CHECK-NEXT: g0 r1: 2.5 3.5 1441789
// CHECK-NEXT: g0 r2: 2.5 3.5 1441789
// CHECK-NEXT: g0 r3: 2.5 3.5 1441789
// CHECK-NEXT: g1 r0: 5 6 2097149
// CHECK-NEXT: g1 r1: 5 6 2097149
// CHECK-NEXT: g1 r2: 5 6 2097149
// CHECK-NEXT: g1 r3: 5 6 2097149
// CHECK-NEXT: g2 r0: 7.5 8.5 2752509
// CHECK-NEXT: g2 r1: 7.5 8.5 2752509
// CHECK-NEXT: g2 r2: 7.5 8.5 2752509
// CHECK-NEXT: g2 r3: 7.5 8.5 2752509
// CHECK-NEXT: g3 r0: 10 11 3407869
// CHECK-NEXT: g3 r1: 10 11 3407869
// CHECK-NEXT: g3 r2: 10 11 3407869
// CHECK-NEXT: g3 r3: 10 11 3407869
