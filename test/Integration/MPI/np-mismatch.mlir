// REQUIRES: mpi
// RUN: not replica-run %s --backend=mpi --np=1 2>&1 | FileCheck %s --check-prefix=NP1
// RUN: not replica-run %s --backend=mpi --np=4 2>&1 | FileCheck %s --check-prefix=NP4
// RUN: not replica-run %s --backend=mpi --np=3 2>&1 | FileCheck %s --check-prefix=NP3
// The matching count runs.
// RUN: replica-run %s --backend=mpi --np=2 | sort | FileCheck %s
// RUN: replica-run %s | sort | FileCheck %s

// A two-replica program launched with another number of processes is
// rejected with a non-zero exit and a message before mpirun starts.

// NP1: the program is compiled for 2 replicas but --np is 1
// NP1-NOT: 11 r
// NP4: the program is compiled for 2 replicas but --np is 4
// NP4-NOT: 11 r
// NP3: the program is compiled for 2 replicas but --np is 3
// NP3-NOT: 11 r

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
  replica.replicate<2> () : () -> () {
    %id = replica.replica_id : index
    %i = arith.index_cast %id : index to i64
    %c10 = arith.constant 10 : i64
    %v = arith.addi %i, %c10 : i64
    %s = replica.all_reduce sum %v : i64
    %tag = arith.constant 11 : i64
    func.call @show(%tag, %id, %s) : (i64, index, i64) -> ()
    replica.yield
  }
  // CHECK:      11 r0: 21
  // CHECK-NEXT: 11 r1: 21
  // CHECK-NOT: {{.}}
  return
}
