// REQUIRES: cuda
// RUN: replica-opt %s "-replica-lower-to-nccl=bytes-per-pack=1024" -o %t.mlir
// RUN: FileCheck %s --input-file=%t.mlir
//
// A training loop on the nccl pipeline, scheduled (the default): the last
// layer's gradient is all-reduced (a group launched on the collective
// stream) while the kernels of the first layer's gradient run on the
// compute stream; its done only orders the compute stream after the
// collective. The compute stream is taken once, before the loop: no stream
// is created, synchronised or destroyed inside the step (the copies of the
// zero-filled matmul outputs are kernels too); the host waits after the
// loop, before it reads the weights (and once at the entry, before it copies
// the constants in).

// CHECK-LABEL: llvm.func @main(
// CHECK:         %[[C:.*]] = llvm.call @mgpuStreamCreate() : () -> !llvm.ptr
// CHECK:         llvm.cond_br
// CHECK-NOT:     mgpuStream
// CHECK:         gpu.launch_func <%[[C]] : !llvm.ptr>
// CHECK-NOT:     mgpuStream
// CHECK:         llvm.call @replica_nccl_group_start()
// CHECK-NOT:     mgpuStream
// CHECK:         llvm.call @replica_nccl_all_reduce_f32(
// CHECK-NEXT:    llvm.call @replica_nccl_group_launch(
// CHECK-NOT:     mgpuStream
// CHECK:         gpu.launch_func <%[[C]] : !llvm.ptr>
// CHECK-NOT:     mgpuStream
// CHECK:         llvm.call @replica_nccl_all_reduce_f32(
// CHECK-NOT:     mgpuStream
// CHECK:         llvm.call @replica_nccl_wait_f32(
// CHECK-NOT:     mgpuStream
// CHECK:         gpu.launch_func <%[[C]] : !llvm.ptr>
// CHECK-NOT:     mgpuStream
// CHECK:         llvm.br ^bb1
// CHECK:         llvm.call @mgpuStreamSynchronize(%[[C]])
// CHECK:         llvm.load

module attributes {replica.num_replicas = 2 : i64} {
  func.func @main() -> f32 {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c3 = arith.constant 3 : index
    %zero = arith.constant 0.0 : f32
    %x = arith.constant dense<1.0> : tensor<16x16xf32>
    %w1_0 = arith.constant dense<0.5> : tensor<16x16xf32>
    %w2_0 = arith.constant dense<0.25> : tensor<16x16xf32>
    %e = tensor.empty() : tensor<16x16xf32>
    %z = linalg.fill ins(%zero : f32) outs(%e : tensor<16x16xf32>) -> tensor<16x16xf32>
    %w1, %w2 = scf.for %i = %c0 to %c3 step %c1 iter_args(%a = %w1_0, %b = %w2_0)
        -> (tensor<16x16xf32>, tensor<16x16xf32>) {
      %h = linalg.matmul ins(%x, %a : tensor<16x16xf32>, tensor<16x16xf32>) outs(%z : tensor<16x16xf32>) -> tensor<16x16xf32>
      %g2 = linalg.matmul ins(%h, %b : tensor<16x16xf32>, tensor<16x16xf32>) outs(%z : tensor<16x16xf32>) -> tensor<16x16xf32>
      %r2 = replica.all_reduce mean %g2 : tensor<16x16xf32>
      %g1 = linalg.matmul ins(%x, %h : tensor<16x16xf32>, tensor<16x16xf32>) outs(%z : tensor<16x16xf32>) -> tensor<16x16xf32>
      %r1 = replica.all_reduce mean %g1 : tensor<16x16xf32>
      %n1 = arith.subf %a, %r1 : tensor<16x16xf32>
      %n2 = arith.subf %b, %r2 : tensor<16x16xf32>
      scf.yield %n1, %n2 : tensor<16x16xf32>, tensor<16x16xf32>
    }
    %s = arith.addf %w1, %w2 : tensor<16x16xf32>
    %v = tensor.extract %s[%c0, %c0] : tensor<16x16xf32>
    return %v : f32
  }
}
