// UNSUPPORTED: cuda
// RUN: not replica-run %s --backend=nccl 2>&1 | FileCheck %s
//
// A build without CUDA and NCCL has no nccl runtime and says so.
// CHECK: replica-run: the nccl backend is not built: CUDA or NCCL was missing when replica was configured

func.func @main() {
  return
}
