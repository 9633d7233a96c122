// RUN: replica-opt %s -replica-lower-to-mpi="bytes-per-pack=0 report=%t.json" | FileCheck %s
// RUN: replica-opt %s -replica-lower-to-mpi="bytes-per-pack=0 fuse=false" | FileCheck %s --check-prefix=UNFUSED
// RUN: FileCheck %s --input-file=%t.json --check-prefix=REPORT

// replica.no_fusion survives the steps before fusion (structures, the
// replicate region made SPMD): the two marked all-reduces stay one runtime
// call each, the two others become one pack (bench/allreduce_step.py
// --form paired relies on it); without fusion, four calls.
// REPORT: "candidates": 4,
// REPORT: "fused": 2,
// CHECK-LABEL: llvm.func @step(
// CHECK-COUNT-3: llvm.call @replica_mpi_all_reduce_f32
// CHECK-NOT:     llvm.call @replica_mpi_all_reduce_f32
// UNFUSED-LABEL:   llvm.func @step(
// UNFUSED-COUNT-4: llvm.call @replica_mpi_all_reduce_f32
func.func @step(%x: f32) -> (!replica.per_replica<2 x tensor<64xf32>>, !replica.per_replica<2 x tensor<64xf32>>,
                                !replica.per_replica<2 x tensor<64xf32>>, !replica.per_replica<2 x tensor<64xf32>>) {
  %r:4 = replica.replicate<2> (%v = %x) : (f32)
      -> (!replica.per_replica<2 x tensor<64xf32>>, !replica.per_replica<2 x tensor<64xf32>>, !replica.per_replica<2 x tensor<64xf32>>, !replica.per_replica<2 x tensor<64xf32>>) {
    %e0 = tensor.empty() : tensor<64xf32>
    %g0 = linalg.fill ins(%v : f32) outs(%e0 : tensor<64xf32>) -> tensor<64xf32>
    %e1 = tensor.empty() : tensor<64xf32>
    %g1 = linalg.fill ins(%v : f32) outs(%e1 : tensor<64xf32>) -> tensor<64xf32>
    %e2 = tensor.empty() : tensor<64xf32>
    %g2 = linalg.fill ins(%v : f32) outs(%e2 : tensor<64xf32>) -> tensor<64xf32>
    %e3 = tensor.empty() : tensor<64xf32>
    %g3 = linalg.fill ins(%v : f32) outs(%e3 : tensor<64xf32>) -> tensor<64xf32>
    %a = replica.all_reduce mean %g0 {replica.no_fusion} : tensor<64xf32>
    %b = replica.all_reduce mean %g1 {replica.no_fusion} : tensor<64xf32>
    %c = replica.all_reduce mean %g2 : tensor<64xf32>
    %d = replica.all_reduce mean %g3 : tensor<64xf32>
    replica.yield %a, %b, %c, %d : tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>
  }
  return %r#0, %r#1, %r#2, %r#3 : !replica.per_replica<2 x tensor<64xf32>>, !replica.per_replica<2 x tensor<64xf32>>,
                                  !replica.per_replica<2 x tensor<64xf32>>, !replica.per_replica<2 x tensor<64xf32>>
}
