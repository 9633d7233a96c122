// REQUIRES: cuda
// The program links uninstrumented against the runtime, which the sanitizer
// build instruments.
// UNSUPPORTED: sanitize
// RUN: replica-opt %s -replica-lower-to-nccl -o %t.mlir
// RUN: FileCheck %s --input-file=%t.mlir
// RUN: FileCheck %s --input-file=%t.mlir --check-prefix=NOCOPY
// RUN: mlir-translate --mlir-to-llvmir %t.mlir -o %t.ll
// RUN: clang-22 -Wno-override-module -shared -fPIC %t.ll -o %t.so -Wl,--no-undefined \
// RUN:   -L%nccl_runtime_dir -lreplica_nccl_runtime \
// RUN:   -Wl,-rpath-link,%cuda_library_dir -Wl,-rpath-link,%cuda_library_dir/stubs
// RUN: llvm-nm -D --undefined-only %t.so | FileCheck %s --check-prefix=LINK
// RUN: llvm-readelf -d %nccl_runtime_dir/libreplica_nccl_runtime.so | FileCheck %s --check-prefix=NEEDED
//
// The nccl pipeline on a data-parallel step: the compute becomes kernels
// compiled by ptxas into an sm_90 binary, all enqueued on the replica's
// compute stream (taken once, at the function's entry; the host waits for
// it once, before returning); the f32 gradients (the matmul's
// computed straight into the pack) and the f16 ones are two packs ready
// together, launched as one NCCL group on the replica's
// stream; buffers come from the runtime's allocator. The members copied
// into a pack (the f32 bias gradient; both f16 gradients) are one kernel
// per pack, no host copy. The host code links
// against the runtime (and through it libnccl and the CUDA driver) with no
// symbol left unresolved.

// CHECK-LABEL: llvm.func @step(
// CHECK:         %[[C:.*]] = llvm.call @mgpuStreamCreate() : () -> !llvm.ptr
// CHECK:         llvm.call @_mlir_memref_to_llvm_alloc
// CHECK-NOT:     mgpuStream
// CHECK:         gpu.launch_func <%[[C]] : !llvm.ptr> @step_kernel::@step_kernel
// CHECK-NOT:     mgpuStream
// CHECK:         gpu.launch_func <%[[C]] : !llvm.ptr> @step_kernel_0::@step_kernel
// CHECK:         gpu.launch_func <%[[C]] : !llvm.ptr> @step_kernel_1::@step_kernel
// CHECK:         gpu.launch_func <%[[C]] : !llvm.ptr> @step_kernel_2::@step_kernel
// CHECK:         gpu.launch_func <%[[C]] : !llvm.ptr> @step_kernel_3::@step_kernel
// CHECK-NOT:     gpu.launch_func
// CHECK:         %[[S:.*]] = llvm.call @replica_nccl_stream() : () -> !llvm.ptr
// CHECK:         llvm.call @replica_nccl_group_start()
// CHECK:         llvm.call @replica_nccl_all_reduce_f32({{.*}}, %[[S]])
// CHECK:         llvm.call @replica_nccl_all_reduce_f16({{.*}}, %[[S]])
// CHECK:         llvm.call @replica_nccl_group_end(%[[S]])
// CHECK-NOT:     mgpuStream
// CHECK:         gpu.launch_func <%[[C]] : !llvm.ptr>
// CHECK-NOT:     mgpuStream
// CHECK:         llvm.call @mgpuStreamSynchronize(%[[C]])
// CHECK-NEXT:    llvm.call @mgpuStreamDestroy(%[[C]])
// CHECK-NOT:     mgpuStream
// CHECK:         llvm.return
// CHECK-NOT:     llvm.call @malloc
// CHECK:         gpu.binary @step_kernel  [#gpu.object<#nvvm.target<chip = "sm_90", features = "+ptx80">, properties = {ISAToBinaryTimeInMs

// NOCOPY-LABEL: llvm.func @step(
// NOCOPY-NOT:     llvm.intr.memcpy
// NOCOPY-NOT:     memrefCopy
// NOCOPY:         llvm.return

// NEEDED-DAG: Shared library: [libnccl.so.2]
// NEEDED-DAG: Shared library: [libcuda.so.1]

// LINK-DAG: U _mlir_memref_to_llvm_alloc
// LINK-DAG: U mgpuLaunchKernel
// LINK-DAG: U mgpuModuleLoad
// LINK-DAG: U replica_nccl_all_reduce_f16
// LINK-DAG: U replica_nccl_group_end

module attributes {replica.num_replicas = 2 : i64} {
  func.func @step(%x: tensor<4x8xf32>, %dy: tensor<4x3xf32>, %db: tensor<3xf32>,
                  %dh: tensor<16xf16>, %dk: tensor<8xf16>, %w: tensor<8x3xf32>,
                  %b: tensor<3xf32>, %h: tensor<16xf16>, %k: tensor<8xf16>)
      -> (tensor<8x3xf32>, tensor<3xf32>, tensor<16xf16>, tensor<8xf16>) {
    %zero = arith.constant 0.0 : f32
    %xt0 = tensor.empty() : tensor<8x4xf32>
    %xt = linalg.transpose ins(%x : tensor<4x8xf32>) outs(%xt0 : tensor<8x4xf32>) permutation = [1, 0]
    %dw0 = tensor.empty() : tensor<8x3xf32>
    %dwz = linalg.fill ins(%zero : f32) outs(%dw0 : tensor<8x3xf32>) -> tensor<8x3xf32>
    %dw = linalg.matmul ins(%xt, %dy : tensor<8x4xf32>, tensor<4x3xf32>) outs(%dwz : tensor<8x3xf32>) -> tensor<8x3xf32>
    %gw = replica.all_reduce mean %dw : tensor<8x3xf32>
    %gb = replica.all_reduce mean %db : tensor<3xf32>
    %gh = replica.all_reduce mean %dh : tensor<16xf16>
    %gk = replica.all_reduce mean %dk : tensor<8xf16>
    %nw0 = tensor.empty() : tensor<8x3xf32>
    %nw = linalg.sub ins(%w, %gw : tensor<8x3xf32>, tensor<8x3xf32>) outs(%nw0 : tensor<8x3xf32>) -> tensor<8x3xf32>
    %nb0 = tensor.empty() : tensor<3xf32>
    %nb = linalg.sub ins(%b, %gb : tensor<3xf32>, tensor<3xf32>) outs(%nb0 : tensor<3xf32>) -> tensor<3xf32>
    %nh0 = tensor.empty() : tensor<16xf16>
    %nh = linalg.sub ins(%h, %gh : tensor<16xf16>, tensor<16xf16>) outs(%nh0 : tensor<16xf16>) -> tensor<16xf16>
    %nk0 = tensor.empty() : tensor<8xf16>
    %nk = linalg.sub ins(%k, %gk : tensor<8xf16>, tensor<8xf16>) outs(%nk0 : tensor<8xf16>) -> tensor<8xf16>
    return %nw, %nb, %nh, %nk : tensor<8x3xf32>, tensor<3xf32>, tensor<16xf16>, tensor<8xf16>
  }
}
