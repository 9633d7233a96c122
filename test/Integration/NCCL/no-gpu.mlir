// REQUIRES: cuda
// UNSUPPORTED: cuda-gpu
// RUN: not replica-run %s --backend=nccl 2>&1 | FileCheck %s
// RUN: %if mpi %{ not replica-run %s --backend=nccl --np=2 2>&1 | FileCheck %s %}
// RUN: not replica-run --calibrate --backend=nccl 2>&1 | FileCheck %s
//
// With CUDA's stub standing in for the driver the runtime loads, and
// cuInit fails.
// RUN: rm -rf %t && mkdir -p %t
// RUN: ln -s %cuda_library_dir/stubs/libcuda.so %t/libcuda.so.1
// RUN: env LD_LIBRARY_PATH=%t not replica-run %s --backend=nccl 2>&1 | FileCheck %s --check-prefix=STUB
// STUB: replica-run: the nccl backend needs a CUDA GPU and this machine has none (cuInit:
// STUB-NOT: replica-run
//
// Without a GPU the nccl backend still compiles (see
// test/Pipelines/lower-to-nccl.mlir) but cannot run: replica-run says why,
// once, before starting any process, and exits non-zero.
// CHECK: replica-run: the nccl backend needs a CUDA GPU and its driver, and this machine has none
// CHECK-NOT: replica-run

func.func @main() {
  %x = arith.constant dense<1.0> : tensor<4xf32>
  replica.replicate<2> (%a = %x) : (tensor<4xf32>) -> () {
    %s = replica.all_reduce sum %a : tensor<4xf32>
    replica.yield
  }
  return
}
