// REQUIRES: mpi
// RUN: not replica-run %s --backend=mpi --np=2 2>&1 | FileCheck %s

// The MPI backend gathers equal blocks; replicas contributing different
// numbers of elements (replica r: r + 1) end with a message naming the call.
// CHECK: replica-run: replica_mpi_all_gather_i32: replicas gather blocks of different sizes (1 to 2 elements); the MPI backend needs equal sizes

func.func @main() {
  %src = arith.constant dense<[10, 20]> : tensor<2xi32>
  replica.replicate<2> (%s = %src) : (tensor<2xi32>) -> () {
    %id = replica.replica_id : index
    %c1 = arith.constant 1 : index
    %n = arith.addi %id, %c1 : index
    %part = tensor.extract_slice %s[0] [%n] [1] : tensor<2xi32> to tensor<?xi32>
    %g = replica.all_gather %part dim 0 : tensor<?xi32> -> tensor<?xi32>
    %c0 = arith.constant 0 : index
    %e = tensor.extract %g[%c0] : tensor<?xi32>
    vector.print %e : i32
    replica.yield
  }
  return
}
