// REQUIRES: mpi
// RUN: not replica-run %s --backend=mpi --np=2 --timeout=2 2>&1 | FileCheck %s --implicit-check-not="sum:"
// RUN: env REPLICA_MPI_TRANSPORT=shm REPLICA_MPI_VIRTUAL_NODE_SIZE= not replica-run %s --backend=mpi --np=2 --timeout=2 2>&1 | FileCheck %s --check-prefixes=CHECK,SHM --implicit-check-not="sum:"

// --timeout ends a run whose collective never completes: replica 1 spins in
// a loop before the all_reduce (the loop holds no collective, so the program
// is valid), and replica 0 waits in the all_reduce for ever.

// CHECK: timed out after 2 s
// On shared memory the waiting rank also names the collective and the
// rank that never came.
// SHM: replica-run: rank 0 waited in replica_mpi_all_reduce_f32 (shared-memory all-reduce) for rank 1, which never arrived

memref.global "private" @sink : memref<i64> = dense<0>

func.func @main() {
  replica.replicate<2> () : () -> () {
    %id = replica.replica_id : index
    %c1 = arith.constant 1 : index
    %spin = arith.cmpi eq, %id, %c1 : index
    // A side effect in the body keeps the loop from being erased.
    %g = memref.get_global @sink : memref<i64>
    scf.while : () -> () {
      scf.condition(%spin)
    } do {
      %v = memref.load %g[] : memref<i64>
      %one = arith.constant 1 : i64
      %w = arith.addi %v, %one : i64
      memref.store %w, %g[] : memref<i64>
      scf.yield
    }
    %x = arith.constant 1.0 : f32
    %s = replica.all_reduce sum %x : f32
    vector.print str "sum: "
    vector.print %s : f32
    replica.yield
  }
  return
}
