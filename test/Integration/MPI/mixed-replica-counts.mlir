// REQUIRES: mpi
// RUN: replica-run %s | sort | FileCheck %s
// RUN: not replica-run %s --backend=mpi --np=2 2>&1 | FileCheck %s --check-prefix=MPI

// Two replicates with different replica counts in one module: the single
// process backend runs both; the one-process-per-replica backend cannot and
// says where.

// MPI: mixed-replica-counts.mlir:{{[0-9]+}}:3: error: 'replica.replicate' op uses 4 replicas, but the module already uses 2
// MPI-NOT: {{^}}1{{[24]}} r

// Prints "<tag> r<r>: <v>" in one call, so that lock-step copies of a
// replicate body on the cpu backend do not interleave within a line.
func.func @show(%tag: i64, %r: index, %v: i64) {
  %ri = arith.index_cast %r : index to i64
  vector.print %tag : i64 punctuation <no_punctuation>
  vector.print str " r"
  vector.print %ri : i64 punctuation <no_punctuation>
  vector.print str ": "
  vector.print %v : i64
  return
}

func.func @main() {
  // 0 + 1
  replica.replicate<2> () : () -> () {
    %id = replica.replica_id : index
    %i = arith.index_cast %id : index to i64
    %s = replica.all_reduce sum %i : i64
    %tag = arith.constant 12 : i64
    func.call @show(%tag, %id, %s) : (i64, index, i64) -> ()
    replica.yield
  }
  // 0 + 1 + 2 + 3
  replica.replicate<4> () : () -> () {
    %id = replica.replica_id : index
    %i = arith.index_cast %id : index to i64
    %s = replica.all_reduce sum %i : i64
    %tag = arith.constant 14 : i64
    func.call @show(%tag, %id, %s) : (i64, index, i64) -> ()
    replica.yield
  }
  // CHECK:      12 r0: 1
  // CHECK-NEXT: 12 r1: 1
  // CHECK-NEXT: 14 r0: 6
  // CHECK-NEXT: 14 r1: 6
  // CHECK-NEXT: 14 r2: 6
  // CHECK-NEXT: 14 r3: 6
  // CHECK-NOT: {{.}}
  return
}
