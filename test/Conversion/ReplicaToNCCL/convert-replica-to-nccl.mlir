// RUN: replica-opt %s -convert-replica-to-nccl -split-input-file | FileCheck %s

// An all-reduce enqueues ncclAllReduce on the replica's stream, reading its
// operand's buffer in place and writing a fresh result buffer; `mean` is
// NCCL's own average (ncclAvg = 4), with no scaling after it. replica_id is
// the rank in the communicator.
// CHECK-DAG: func.func private @replica_nccl_stream() -> !llvm.ptr
// CHECK-DAG: func.func private @replica_nccl_all_reduce_f32(memref<?xf32>, memref<?xf32>, i32, !llvm.ptr)
// CHECK-DAG: func.func private @replica_nccl_rank() -> i32
// CHECK-LABEL: func.func @all_reduce(
// CHECK-SAME:    %[[X:[A-Za-z0-9_]+]]: tensor<4x?xf32>) -> (tensor<4x?xf32>, index)
// CHECK:         %[[S:.*]] = call @replica_nccl_stream() : () -> !llvm.ptr
// CHECK:         %[[IN:.*]] = bufferization.to_buffer %[[X]] read_only : tensor<4x?xf32> to memref<4x?xf32>
// CHECK:         %[[INU:.*]] = memref.collapse_shape %[[IN]] {{\[}}[0, 1]] : memref<4x?xf32> into memref<?xf32>
// CHECK:         %[[DIM:.*]] = tensor.dim %[[X]], %{{.*}} : tensor<4x?xf32>
// CHECK:         %[[OUT:.*]] = memref.alloc(%[[DIM]]) : memref<4x?xf32>
// CHECK:         %[[OUTU:.*]] = memref.collapse_shape %[[OUT]] {{\[}}[0, 1]] : memref<4x?xf32> into memref<?xf32>
// CHECK:         %[[AVG:.*]] = arith.constant 4 : i32
// CHECK:         call @replica_nccl_all_reduce_f32(%[[INU]], %[[OUTU]], %[[AVG]], %[[S]])
// CHECK-NOT:     arith.divf
// CHECK:         %[[R:.*]] = bufferization.to_tensor %[[OUT]] restrict writable
// CHECK:         %[[RANK:.*]] = call @replica_nccl_rank() : () -> i32
// CHECK:         %[[ID:.*]] = arith.index_cast %[[RANK]] : i32 to index
// CHECK:         return %[[R]], %[[ID]]
module attributes {replica.num_replicas = 2 : i64} {
  func.func @all_reduce(%x: tensor<4x?xf32>) -> (tensor<4x?xf32>, index) {
    %m = replica.all_reduce mean %x : tensor<4x?xf32>
    %id = replica.replica_id : index
    return %m, %id : tensor<4x?xf32>, index
  }
}

// -----

// NCCL's operation codes: ncclSum 0, ncclProd 1, ncclMax 2, ncclMin 3.
// CHECK-LABEL: func.func @kinds(
// CHECK:         %[[SUM:.*]] = arith.constant 0 : i32
// CHECK:         call @replica_nccl_all_reduce_i32(%{{.*}}, %{{.*}}, %[[SUM]], %{{.*}})
// CHECK:         %[[PROD:.*]] = arith.constant 1 : i32
// CHECK:         call @replica_nccl_all_reduce_i64(%{{.*}}, %{{.*}}, %[[PROD]], %{{.*}})
// CHECK:         %[[MAX:.*]] = arith.constant 2 : i32
// CHECK:         call @replica_nccl_all_reduce_f16(%{{.*}}, %{{.*}}, %[[MAX]], %{{.*}})
// CHECK:         %[[MIN:.*]] = arith.constant 3 : i32
// CHECK:         call @replica_nccl_all_reduce_bf16(%{{.*}}, %{{.*}}, %[[MIN]], %{{.*}})
module attributes {replica.num_replicas = 2 : i64} {
  func.func @kinds(%a: tensor<3xi32>, %b: tensor<3xi64>, %c: tensor<3xf16>, %d: tensor<3xbf16>)
      -> (tensor<3xi32>, tensor<3xi64>, tensor<3xf16>, tensor<3xbf16>) {
    %ra = replica.all_reduce sum %a : tensor<3xi32>
    %rb = replica.all_reduce prod %b : tensor<3xi64>
    %rc = replica.all_reduce max %c : tensor<3xf16>
    %rd = replica.all_reduce min %d : tensor<3xbf16>
    return %ra, %rb, %rc, %rd : tensor<3xi32>, tensor<3xi64>, tensor<3xf16>, tensor<3xbf16>
  }
}

// -----

// The packs of a readiness group are one NCCL group: every ncclAllReduce is
// enqueued on the same stream between group start and end; the end waits
// for the stream, and only then are results read. A batch of one needs no
// group.
// CHECK-DAG: func.func private @replica_nccl_group_start()
// CHECK-DAG: func.func private @replica_nccl_group_end(!llvm.ptr)
// CHECK-LABEL: func.func @batch(
// CHECK:         %[[S:.*]] = call @replica_nccl_stream()
// CHECK:         call @replica_nccl_group_start() : () -> ()
// CHECK:         call @replica_nccl_all_reduce_f32(%{{.*}}, %{{.*}}, %{{.*}}, %[[S]])
// CHECK:         call @replica_nccl_all_reduce_f16(%{{.*}}, %{{.*}}, %{{.*}}, %[[S]])
// CHECK-NOT:     bufferization.to_tensor
// CHECK:         call @replica_nccl_group_end(%[[S]]) : (!llvm.ptr) -> ()
// CHECK:         bufferization.to_tensor
// CHECK:         bufferization.to_tensor
// CHECK-NOT:     group
// CHECK:         call @replica_nccl_all_reduce_f32(
// CHECK-NOT:     group
// CHECK:         return
module attributes {replica.num_replicas = 2 : i64} {
  func.func @batch(%a: tensor<64xf32>, %b: tensor<32xf16>) -> (tensor<64xf32>, tensor<32xf16>, tensor<64xf32>) {
    %r:2 = replica.batch_all_reduce sum %a, %b : tensor<64xf32>, tensor<32xf16>
    %s = replica.batch_all_reduce sum %a : tensor<64xf32>
    return %r#0, %r#1, %s : tensor<64xf32>, tensor<32xf16>, tensor<64xf32>
  }
}

// -----

// Rooted collectives pass the root; scalars travel as one-element tensors;
// the gather writes replica-major blocks.
// CHECK-DAG: func.func private @replica_nccl_reduce_i64(memref<?xi64>, memref<?xi64>, i32, i32, !llvm.ptr)
// CHECK-DAG: func.func private @replica_nccl_broadcast_f64(memref<?xf64>, memref<?xf64>, i32, !llvm.ptr)
// CHECK-DAG: func.func private @replica_nccl_all_gather_f32(memref<?xf32>, memref<?xf32>, !llvm.ptr)
// CHECK-LABEL: func.func @rooted(
// CHECK:         tensor.from_elements %{{.*}} : tensor<1xi64>
// CHECK:         %[[MAX:.*]] = arith.constant 2 : i32
// CHECK:         %[[ROOT:.*]] = arith.constant 1 : i32
// CHECK:         call @replica_nccl_reduce_i64(%{{.*}}, %{{.*}}, %[[MAX]], %[[ROOT]], %{{.*}})
// CHECK:         tensor.extract
// CHECK:         %[[FROM:.*]] = arith.constant 0 : i32
// CHECK:         call @replica_nccl_broadcast_f64(%{{.*}}, %{{.*}}, %[[FROM]], %{{.*}})
// CHECK:         memref.alloc() : memref<4x3xf32>
// CHECK:         call @replica_nccl_all_gather_f32(
module attributes {replica.num_replicas = 2 : i64} {
  func.func @rooted(%i: i64, %h: tensor<8xf64>, %g: tensor<2x3xf32>) -> (i64, tensor<8xf64>, tensor<4x3xf32>) {
    %r = replica.reduce_to max %i to 1 : i64
    %b = replica.broadcast %h from 0 : tensor<8xf64>
    %c = replica.all_gather %g dim 0 : tensor<2x3xf32> -> tensor<4x3xf32>
    return %r, %b, %c : i64, tensor<8xf64>, tensor<4x3xf32>
  }
}

// -----

// Kernels cannot read host globals: tensor constants are used through a
// copy into an allocated buffer.
// CHECK-LABEL: func.func @constant(
// CHECK:         %[[C:.*]] = arith.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
// CHECK:         %[[A:.*]] = bufferization.alloc_tensor() copy(%[[C]]) : tensor<2xf32>
// CHECK:         %[[S:.*]] = arith.addf %[[A]], %[[A]] : tensor<2xf32>
// CHECK:         return %[[S]], %[[A]]
module attributes {replica.num_replicas = 2 : i64} {
  func.func @constant() -> (tensor<2xf32>, tensor<2xf32>) {
    %c = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
    %s = arith.addf %c, %c : tensor<2xf32>
    return %s, %c : tensor<2xf32>, tensor<2xf32>
  }
}

// -----

// A started all-reduce: the group is launched on the replica's stream and
// the host goes on (the kernels it launches next run while NCCL reduces);
// the done waits on that stream for each result buffer.
// CHECK-LABEL: func.func @started(
// CHECK:         %[[S:.*]] = call @replica_nccl_stream() : () -> !llvm.ptr
// CHECK:         call @replica_nccl_group_start() : () -> ()
// CHECK:         call @replica_nccl_all_reduce_f32(%{{.*}}, %{{.*}}, %{{.*}}, %[[S]])
// CHECK:         call @replica_nccl_group_launch(%[[S]]) : (!llvm.ptr) -> ()
// CHECK-NEXT:    arith.mulf
// CHECK:         call @replica_nccl_wait_f32(%{{.*}}, %{{.*}}, %[[S]])
// CHECK-NEXT:    bufferization.to_tensor
module attributes {replica.num_replicas = 2 : i64} {
  func.func @started(%a: tensor<64xf32>, %x: tensor<64xf32>) -> (tensor<64xf32>, tensor<64xf32>) {
    %f = replica.all_reduce_start sum %a : tensor<64xf32>
    %y = arith.mulf %x, %x : tensor<64xf32>
    %r = replica.all_reduce_done %f : !replica.future<tensor<64xf32>>
    return %r, %y : tensor<64xf32>, tensor<64xf32>
  }
}
