// REQUIRES: mpi
// REPLICA_MPI_TRANSPORT picks the MPI backend's all-reduce: auto (the
// default) uses shared memory where ranks share a node and MPI_Allreduce
// otherwise, saying why in one line; shm insists on shared memory and fails
// where it cannot be had; mpi always uses MPI_Allreduce.
// REPLICA_MPI_VIRTUAL_NODE_SIZE splits the ranks into nodes of that many.
//
// RUN: env REPLICA_MPI_TRANSPORT=auto REPLICA_MPI_VIRTUAL_NODE_SIZE= replica-run %s --backend=mpi --np=4 --bytes-per-pack=-1 2> %t.err | sort | FileCheck %s
// RUN: FileCheck %s --check-prefix=QUIET --allow-empty --input-file=%t.err
// QUIET-NOT: all-reduce over MPI
//
// Virtual nodes of one rank share nothing: auto falls back to MPI.
// RUN: env REPLICA_MPI_TRANSPORT=auto REPLICA_MPI_VIRTUAL_NODE_SIZE=1 replica-run %s --backend=mpi --np=4 --bytes-per-pack=-1 2> %t.err | sort | FileCheck %s
// RUN: FileCheck %s --check-prefix=ALONE --input-file=%t.err
// ALONE: replica-run: all-reduce over MPI, not shared memory: no two ranks share a node
// ALONE-NOT: all-reduce over MPI
//
// RUN: env REPLICA_MPI_TRANSPORT=shm REPLICA_MPI_VIRTUAL_NODE_SIZE=1 not replica-run %s --backend=mpi --np=4 --bytes-per-pack=-1 2>&1 | FileCheck %s --check-prefix=REFUSED
// REFUSED: replica-run: replica_mpi_init: REPLICA_MPI_TRANSPORT=shm, but shared memory cannot be used: no two ranks share a node
//
// Nodes of 3 and 1 ranks cannot be reduced hierarchically.
// RUN: env REPLICA_MPI_TRANSPORT=auto REPLICA_MPI_VIRTUAL_NODE_SIZE=3 replica-run %s --backend=mpi --np=4 --bytes-per-pack=-1 2> %t.err | sort | FileCheck %s
// RUN: FileCheck %s --check-prefix=UNEVEN --input-file=%t.err
// UNEVEN: replica-run: all-reduce over MPI, not shared memory: nodes hold different numbers of ranks (1 to 3)
//
// RUN: env REPLICA_MPI_TRANSPORT=mpi REPLICA_MPI_VIRTUAL_NODE_SIZE= replica-run %s --backend=mpi --np=4 --bytes-per-pack=-1 2> %t.err | sort | FileCheck %s
// RUN: FileCheck %s --check-prefix=QUIET --allow-empty --input-file=%t.err
//
// RUN: env REPLICA_MPI_TRANSPORT=fast REPLICA_MPI_VIRTUAL_NODE_SIZE= not replica-run %s --backend=mpi --np=4 --bytes-per-pack=-1 2>&1 | FileCheck %s --check-prefix=BAD-TRANSPORT
// BAD-TRANSPORT: replica-run: replica_mpi_init: REPLICA_MPI_TRANSPORT=fast: expected auto, shm or mpi
// RUN: env REPLICA_MPI_TRANSPORT=auto REPLICA_MPI_VIRTUAL_NODE_SIZE=0 not replica-run %s --backend=mpi --np=4 --bytes-per-pack=-1 2>&1 | FileCheck %s --check-prefix=BAD-SIZE
// BAD-SIZE: replica-run: replica_mpi_init: REPLICA_MPI_VIRTUAL_NODE_SIZE=0: expected a positive number of ranks

// CHECK:      r0: 10 5
// CHECK-NEXT: r1: 10 5
// CHECK-NEXT: r2: 10 5
// CHECK-NEXT: r3: 10 5

func.func @main() {
  replica.replicate<4> () : () -> () {
    %id = replica.replica_id : index
    %id64 = arith.index_cast %id : index to i64
    %c1 = arith.constant 1 : i64
    %v = arith.addi %id64, %c1 : i64
    %sum = replica.all_reduce sum %v : i64
    %t = tensor.splat %v : tensor<4096xi64>
    %tsum = replica.all_reduce max %t : tensor<4096xi64>
    %c0 = arith.constant 0 : index
    %e = tensor.extract %tsum[%c0] : tensor<4096xi64>
    %next = arith.addi %e, %c1 : i64
    vector.print str "r"
    vector.print %id64 : i64 punctuation <no_punctuation>
    vector.print str ": "
    vector.print %sum : i64 punctuation <no_punctuation>
    vector.print str " "
    vector.print %next : i64
    replica.yield
  }
  return
}
