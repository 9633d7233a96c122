// RUN: replica-opt %s -convert-replica-to-mpi -split-input-file | FileCheck %s

// The module is tagged with OpenMPI's ABI for the mpi dialect's lowering;
// replica_id is the rank; an all-reduce reads its operand's buffer in place
// and writes a fresh result buffer through the runtime.
// CHECK: module attributes {dlti.map = #dlti.map<"MPI:Implementation" = "OpenMPI">, replica.num_replicas = 2 : i64}
// CHECK-DAG: func.func private @replica_mpi_all_reduce_f32(memref<?xf32>, memref<?xf32>, i32)
// CHECK-LABEL: func.func @all_reduce(
// CHECK-SAME:    %[[X:[A-Za-z0-9_]+]]: tensor<4x?xf32>) -> (tensor<4x?xf32>, index)
// CHECK:         %[[IN:.*]] = bufferization.to_buffer %[[X]] read_only : tensor<4x?xf32> to memref<4x?xf32>
// CHECK:         %[[INU:.*]] = memref.collapse_shape %[[IN]] {{\[}}[0, 1]] : memref<4x?xf32> into memref<?xf32>
// CHECK:         %[[DIM:.*]] = tensor.dim %[[X]], %{{.*}} : tensor<4x?xf32>
// CHECK:         %[[OUT:.*]] = memref.alloc(%[[DIM]]) : memref<4x?xf32>
// CHECK:         %[[OUTU:.*]] = memref.collapse_shape %[[OUT]] {{\[}}[0, 1]] : memref<4x?xf32> into memref<?xf32>
// CHECK:         %[[MEAN:.*]] = arith.constant 1 : i32
// Buffers travel flattened, as memref<?xT> (passed by value: no stack
// descriptor, nothing to scope in loops).
// CHECK-NOT:     alloca_scope
// CHECK:         call @replica_mpi_all_reduce_f32(%[[INU]], %[[OUTU]], %[[MEAN]])
// CHECK:         %[[R:.*]] = bufferization.to_tensor %[[OUT]] restrict writable
// CHECK:         %[[W:.*]] = mpi.comm_world : !mpi.comm
// CHECK:         %[[RANK:.*]] = mpi.comm_rank(%[[W]]) : i32
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

// Scalars travel as one-element tensors; rooted collectives pass the root.
// CHECK-DAG: func.func private @replica_mpi_reduce_i64(memref<?xi64>, memref<?xi64>, i32, i32)
// CHECK-DAG: func.func private @replica_mpi_broadcast_bf16(memref<?xbf16>, memref<?xbf16>, i32)
// CHECK-LABEL: func.func @rooted(
// CHECK-SAME:    %[[I:[A-Za-z0-9_]+]]: i64, %[[H:[A-Za-z0-9_]+]]: tensor<8xbf16>)
// CHECK:         %[[T:.*]] = tensor.from_elements %[[I]] : tensor<1xi64>
// CHECK:         %[[TB:.*]] = bufferization.to_buffer %[[T]] read_only : tensor<1xi64> to memref<1xi64>
// CHECK:         memref.cast %[[TB]] : memref<1xi64> to memref<?xi64>
// CHECK:         %[[MAX:.*]] = arith.constant 2 : i32
// CHECK:         %[[ROOT:.*]] = arith.constant 1 : i32
// CHECK:         call @replica_mpi_reduce_i64(%{{.*}}, %{{.*}}, %[[MAX]], %[[ROOT]])
// CHECK:         %[[RT:.*]] = bufferization.to_tensor
// CHECK:         %[[R:.*]] = tensor.extract %[[RT]][%{{.*}}] : tensor<1xi64>
// CHECK:         %[[FROM:.*]] = arith.constant 1 : i32
// CHECK:         call @replica_mpi_broadcast_bf16(%{{.*}}, %{{.*}}, %[[FROM]])
// CHECK:         return %[[R]]
module attributes {replica.num_replicas = 2 : i64} {
  func.func @rooted(%i: i64, %h: tensor<8xbf16>) -> (i64, tensor<8xbf16>) {
    %r = replica.reduce_to max %i to 1 : i64
    %b = replica.broadcast %h from 1 : tensor<8xbf16>
    return %r, %b : i64, tensor<8xbf16>
  }
}

// -----

// The runtime gathers replica-major blocks: the result along dim 0, sliced
// and concatenated along another dim.
// CHECK-LABEL: func.func @gather(
// CHECK-SAME:    %[[X:[A-Za-z0-9_]+]]: tensor<2x3xi32>)
// CHECK:         %[[OUT0:.*]] = memref.alloc() : memref<4x3xi32>
// CHECK:         call @replica_mpi_all_gather_i32
// CHECK:         %[[G0:.*]] = bufferization.to_tensor %[[OUT0]]
// CHECK:         %[[OUT1:.*]] = memref.alloc() : memref<2x2x3xi32>
// CHECK:         call @replica_mpi_all_gather_i32
// CHECK:         %[[B:.*]] = bufferization.to_tensor %[[OUT1]]
// CHECK:         %[[P0:.*]] = tensor.extract_slice %[[B]][0, 0, 0] [1, 2, 3] [1, 1, 1] : tensor<2x2x3xi32> to tensor<2x3xi32>
// CHECK:         %[[P1:.*]] = tensor.extract_slice %[[B]][1, 0, 0] [1, 2, 3] [1, 1, 1] : tensor<2x2x3xi32> to tensor<2x3xi32>
// CHECK:         %[[G1:.*]] = tensor.concat dim(1) %[[P0]], %[[P1]]
// CHECK:         return %[[G0]], %[[G1]]
module attributes {replica.num_replicas = 2 : i64} {
  func.func @gather(%x: tensor<2x3xi32>) -> (tensor<4x3xi32>, tensor<2x6xi32>) {
    %g0 = replica.all_gather %x dim 0 : tensor<2x3xi32> -> tensor<4x3xi32>
    %g1 = replica.all_gather %x dim 1 : tensor<2x3xi32> -> tensor<2x6xi32>
    return %g0, %g1 : tensor<4x3xi32>, tensor<2x6xi32>
  }
}

// -----

// A batch is launched together: its all-reduces start inside one runtime
// group and complete at its end, before any result is read. A batch of one
// needs no group.
// CHECK-DAG: func.func private @replica_mpi_group_start()
// CHECK-DAG: func.func private @replica_mpi_group_end()
// CHECK-LABEL: func.func @batch(
// CHECK:         call @replica_mpi_group_start() : () -> ()
// CHECK:         call @replica_mpi_all_reduce_f32(
// CHECK:         call @replica_mpi_all_reduce_f16(
// CHECK-NOT:     bufferization.to_tensor
// CHECK:         call @replica_mpi_group_end() : () -> ()
// CHECK:         bufferization.to_tensor
// CHECK:         bufferization.to_tensor
// CHECK-NOT:     group
// CHECK:         call @replica_mpi_all_reduce_f32(
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

// A started all-reduce is a group launched without waiting (MPI_Iallreduce
// in flight); the computation in between stays between; the done waits for
// each result buffer, reading the input buffer again so that bufferization
// keeps it unchanged until then, and only then are the results tensors.
// CHECK-DAG: func.func private @replica_mpi_group_launch()
// CHECK-DAG: func.func private @replica_mpi_wait_f32(memref<?xf32>, memref<?xf32>)
// CHECK-DAG: func.func private @replica_mpi_wait_f64(memref<?xf64>, memref<?xf64>)
// CHECK-LABEL: func.func @started(
// CHECK-SAME:    %[[A:.*]]: tensor<64xf32>, %[[B:.*]]: f64, %[[X:.*]]: tensor<64xf32>)
// CHECK:         call @replica_mpi_group_start() : () -> ()
// CHECK:         %[[IN:.*]] = bufferization.to_buffer %[[A]] read_only
// CHECK:         %[[OUT:.*]] = memref.alloc() : memref<64xf32>
// CHECK:         %[[OUTFLAT:.*]] = memref.cast %[[OUT]]
// CHECK:         call @replica_mpi_all_reduce_f32(%{{.*}}, %[[OUTFLAT]], %{{.*}})
// CHECK:         %[[SCALAR:.*]] = tensor.from_elements %[[B]]
// CHECK:         %[[OUT64:.*]] = memref.alloc() : memref<1xf64>
// CHECK:         call @replica_mpi_all_reduce_f64(
// CHECK-NOT:     bufferization.to_tensor
// CHECK:         call @replica_mpi_group_launch() : () -> ()
// CHECK-NEXT:    %[[Y:.*]] = arith.mulf %[[X]], %[[X]]
// CHECK-NEXT:    %[[IN2:.*]] = bufferization.to_buffer %[[A]] read_only
// CHECK-NEXT:    %[[INFLAT2:.*]] = memref.cast %[[IN2]]
// CHECK-NEXT:    call @replica_mpi_wait_f32(%[[INFLAT2]], %[[OUTFLAT]])
// CHECK-NEXT:    %[[R:.*]] = bufferization.to_tensor %[[OUT]] restrict writable
// CHECK:         bufferization.to_buffer %[[SCALAR]] read_only
// CHECK:         call @replica_mpi_wait_f64(
// CHECK:         bufferization.to_tensor %[[OUT64]]
// CHECK:         return %[[R]], %{{.*}}, %[[Y]]
module attributes {replica.num_replicas = 2 : i64} {
  func.func @started(%a: tensor<64xf32>, %b: f64, %x: tensor<64xf32>) -> (tensor<64xf32>, f64, tensor<64xf32>) {
    %f = replica.all_reduce_start mean %a, %b : tensor<64xf32>, f64
    %y = arith.mulf %x, %x : tensor<64xf32>
    %r:2 = replica.all_reduce_done %f : !replica.future<tensor<64xf32>, f64>
    return %r#0, %r#1, %y : tensor<64xf32>, f64, tensor<64xf32>
  }
}
