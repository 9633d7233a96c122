// RUN: replica-opt %s -replica-to-spmd -replica-fuse-reductions \
// RUN:   -convert-replica-to-mpi \
// RUN:   -one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" \
// RUN:   -replica-pack-in-place -canonicalize -cse -canonicalize | FileCheck %s --check-prefix=BUF
// RUN: replica-opt %s -replica-lower-to-mpi | FileCheck %s --check-prefix=LLVM

// Zero-copy packing on the MPI path. A training step's gradients computed
// by destination-style ops (a matmul accumulating into a fill, an
// elementwise op) are allocated as views of the pack's bytes, so they are
// written straight into their slices; the runtime reduces the pack, and the
// update reads the reduced slices where they lie: no copy into or out of the
// pack for them. The bias gradient, a function argument, is the one member
// copied in. The tensor.empty that dW and the learning-rate fill share in
// the input is split by the fusion, so the later fill does not write into
// the pack.

// BUF-LABEL: func.func @step(
// BUF-SAME:    %[[X:[a-z0-9]+]]: memref<4x8xf32>, %[[DY:[a-z0-9]+]]: memref<4x3xf32>, %[[DB:[a-z0-9]+]]: memref<3xf32>,
// BUF-DAG:     %[[C0:.*]] = arith.constant 0 : index
// BUF-DAG:     %[[C128:.*]] = arith.constant 128 : index
// BUF:         %[[BYTES:.*]] = memref.alloc() {alignment = 64 : i64} : memref<256xi8>
// BUF:         %[[PACK:.*]] = memref.view %[[BYTES]][%[[C0]]][] : memref<256xi8> to memref<64xf32>
// BUF:         %[[W:.*]] = memref.view %[[BYTES]][%[[C0]]][] : memref<256xi8> to memref<8x3xf32>
// BUF:         linalg.fill ins(%{{.*}} : f32) outs(%[[W]] :
// BUF:         linalg.matmul ins(%{{.*}}, %[[DY]] : {{.*}}) outs(%[[W]] :
// BUF:         %[[S:.*]] = memref.view %[[BYTES]][%[[C128]]][] : memref<256xi8> to memref<3xf32>
// BUF:         linalg.mul ins(%[[DB]], %[[DB]] : {{.*}}) outs(%[[S]] :
// BUF:         %[[BSLOT:.*]] = memref.subview %[[PACK]][48] [3] [1]
// BUF:         memref.copy %[[DB]], %[[BSLOT]]
// BUF-NOT:     memref.copy
// BUF:         %[[PIN:.*]] = memref.cast %[[PACK]] : memref<64xf32> to memref<?xf32>
// BUF:         %[[RED:.*]] = memref.alloc() : memref<64xf32>
// BUF:         %[[ROUT:.*]] = memref.cast %[[RED]] : memref<64xf32> to memref<?xf32>
// BUF:         call @replica_mpi_all_reduce_f32(%[[PIN]], %[[ROUT]], %{{.*}})
// BUF-NOT:     memref.copy
// BUF:         memref.subview %[[RED]][0] [24] [1]
// BUF-NOT:     memref.copy
// BUF:         return

// One copy in the whole step, the bias gradient's (lowered to a memcpy).
// LLVM-LABEL: llvm.func @step(
// LLVM:         "llvm.intr.memcpy"
// LLVM-NOT:     "llvm.intr.memcpy"
// LLVM-NOT:     @memrefCopy
// LLVM:         llvm.call @replica_mpi_all_reduce_f32
// LLVM-NOT:     "llvm.intr.memcpy"
// LLVM-NOT:     @memrefCopy
// LLVM:         llvm.return

module attributes {replica.num_replicas = 2 : i64} {
  func.func @step(%x: tensor<4x8xf32>, %dy: tensor<4x3xf32>, %db: tensor<3xf32>,
                  %w: tensor<8x3xf32>, %s: tensor<3xf32>, %b: tensor<3xf32>)
      -> (tensor<8x3xf32>, tensor<3xf32>, tensor<3xf32>) {
    %zero = arith.constant 0.0 : f32
    %lr = arith.constant 0.5 : f32
    // dW = x^T dy, accumulated into zeros.
    %xt0 = tensor.empty() : tensor<8x4xf32>
    %xt = linalg.transpose ins(%x : tensor<4x8xf32>) outs(%xt0 : tensor<8x4xf32>) permutation = [1, 0]
    %dw0 = tensor.empty() : tensor<8x3xf32>
    %dwz = linalg.fill ins(%zero : f32) outs(%dw0 : tensor<8x3xf32>) -> tensor<8x3xf32>
    %dw = linalg.matmul ins(%xt, %dy : tensor<8x4xf32>, tensor<4x3xf32>) outs(%dwz : tensor<8x3xf32>) -> tensor<8x3xf32>
    // dS = db * db.
    %ds0 = tensor.empty() : tensor<3xf32>
    %ds = linalg.mul ins(%db, %db : tensor<3xf32>, tensor<3xf32>) outs(%ds0 : tensor<3xf32>) -> tensor<3xf32>
    %gw = replica.all_reduce mean %dw : tensor<8x3xf32>
    %gs = replica.all_reduce mean %ds : tensor<3xf32>
    %gb = replica.all_reduce mean %db : tensor<3xf32>
    // SGD: p - lr * g, reading the reduced slices in place.
    %lrw = linalg.fill ins(%lr : f32) outs(%dw0 : tensor<8x3xf32>) -> tensor<8x3xf32>
    %stepw0 = tensor.empty() : tensor<8x3xf32>
    %stepw = linalg.mul ins(%gw, %lrw : tensor<8x3xf32>, tensor<8x3xf32>) outs(%stepw0 : tensor<8x3xf32>) -> tensor<8x3xf32>
    %nw = linalg.sub ins(%w, %stepw : tensor<8x3xf32>, tensor<8x3xf32>) outs(%stepw0 : tensor<8x3xf32>) -> tensor<8x3xf32>
    %ns0 = tensor.empty() : tensor<3xf32>
    %ns = linalg.sub ins(%s, %gs : tensor<3xf32>, tensor<3xf32>) outs(%ns0 : tensor<3xf32>) -> tensor<3xf32>
    %nb0 = tensor.empty() : tensor<3xf32>
    %nb = linalg.sub ins(%b, %gb : tensor<3xf32>, tensor<3xf32>) outs(%nb0 : tensor<3xf32>) -> tensor<3xf32>
    return %nw, %ns, %nb : tensor<8x3xf32>, tensor<3xf32>, tensor<3xf32>
  }
}
