//===- Passes.td - replica conversion passes ---------------*- tablegen -*-===//

#ifndef REPLICA_CONVERSION_PASSES_TD
#define REPLICA_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertReplicaToLinalgPass
    : Pass<"convert-replica-to-linalg", "::mlir::ModuleOp"> {
  let summary = "Reference lowering of unrolled collectives to tensor arithmetic";
  let description = [{
    Lowers the cross-replica collectives of an unrolled program
    (`replica-unroll`) to plain tensor arithmetic over the N per-replica
    values, in one process: `sum`, `prod`, `max`, `min` fold the N values
    pairwise in replica order (integers exactly, signed max/min); `mean` is the
    sum divided once by N; `f16` and `bf16` are accumulated in `f32` and
    rounded once. `all_gather` concatenates with `tensor.concat`,
    `broadcast` copies, `reduce_to` reduces. The remaining distributed values
    become their N components, so no replica op or type is left.

    ```mlir
    %0 = replica.regroup %a, %b always_wrap : tensor<4xf32> -> !replica.per_replica<2 x tensor<4xf32>>
    %1 = replica.all_reduce mean %0 : !replica.per_replica<2 x tensor<4xf32>>
    %2:2 = replica.unpack %1 : !replica.mirrored<2 x tensor<4xf32>>
    ```
    becomes
    ```mlir
    %s = arith.addf %a, %b : tensor<4xf32>
    %n = arith.constant dense<2.0> : tensor<4xf32>
    %m = arith.divf %s, %n : tensor<4xf32>
    ```
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::bufferization::BufferizationDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::tensor::TensorDialect", "::mlir::replica::ReplicaDialect"
  ];
}

def ConvertReplicaToMPIPass
    : Pass<"convert-replica-to-mpi", "::mlir::ModuleOp"> {
  let summary = "SPMD collectives to MPI";
  let description = [{
    Lowers the in-replica collectives of an SPMD program
    (`replica-to-spmd`) to MPI on `MPI_COMM_WORLD`, one process per replica.
    `replica.replica_id` becomes the upstream `mpi.comm_rank`, with the
    module tagged for OpenMPI's ABI (`#dlti.map<"MPI:Implementation" =
    "OpenMPI">`, read by the mpi dialect's LLVM lowering). Collectives become
    calls into replica's MPI runtime (`replica_mpi_<collective>_<type>`, on
    buffers flattened to `memref<?xT>`, passed by value): upstream's `mpi` dialect has no broadcast, gather or
    rooted reduce, and its `mpi.allreduce` lowering in LLVM 22.1 names
    `ompi_mpi_sum` where OpenMPI exports `ompi_mpi_op_sum`. Each collective
    reads its operand's buffer in place and writes a fresh result buffer;
    scalars travel as one-element tensors. Element types: f32, f64, i32, i64,
    f16 and bf16 (the runtime widens the last two to f32 for reductions).
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::bufferization::BufferizationDialect",
    "::mlir::DLTIDialect", "::mlir::func::FuncDialect",
    "::mlir::memref::MemRefDialect", "::mlir::mpi::MPIDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

def ReplicaPlaceMPIBuffersPass
    : Pass<"replica-place-mpi-buffers", "::mlir::ModuleOp"> {
  let summary = "Places the buffers of MPI all-reduces in the runtime's "
                "shared-memory window";
  let description = [{
    Runs on the buffers of an MPI-lowered program (after bufferization and
    deallocation). The input and result buffers of each
    `replica_mpi_all_reduce_*` call (packs, and gradients reduced alone) move
    from the heap into the window the MPI runtime shares between the ranks of
    a node: producers then write gradients straight into shared memory and
    the runtime reduces them there, without staging copies. A buffer is
    placed when it is a `memref.alloc` of static shape in the call's block,
    freed by one `memref.dealloc` in that block, and no alias of it leaves
    the block (yielded, returned, branched or returned by a call).

    - A result that nothing but its all-reduce writes (every other use only
      reads it, by the ops' memory effects) becomes a **shared result**: the
      ranks of a node reduce their slices into one copy, which all of them
      read (`replica_mpi_shared_window`), so no rank copies the others'
      slices.
    - Otherwise, an all-reduce whose input buffer is not used after it
      reduces in place: its result buffer goes and the result's users use
      the input's buffer.
    - Every other placed buffer is the rank's own (`replica_mpi_window`).

    Offsets are fixed at compile time, the same on every rank and every time
    the allocation runs: own buffers of one block whose lifetimes
    (allocation to deallocation) overlap get disjoint ranges, blocks get
    disjoint ranges of their own, and each shared result has a range after
    them. A second layout ends the lifetime of an input that nothing but its
    wait uses after its group is launched (`replica_mpi_group_launch` or
    `_end`, or the call itself outside a group) at that launch, so that
    later buffers take its range; where the two layouts differ, a buffer's
    offset is chosen when the program runs, by what
    `replica_mpi_reuse_inputs()` answers, asked once per run of the block
    (non-zero where the runtime reads no input after its launch and reuse
    pays: over shared memory, `REPLICA_MPI_REUSE_INPUTS`). Each block's
    range fits either layout. The deallocations go; the window lives as
    long as the process. The
    module records the sizes (`replica.mpi_window_bytes`, own buffers per
    rank; `replica.mpi_shared_window_bytes`, shared results), from which
    `replica-run` reserves the window at start-up
    (`replica_mpi_window_reserve`); otherwise the first placed allocation
    allocates it, collectively.

    ```mlir
    %pack = memref.alloc() {alignment = 64 : i64} : memref<256xi8>
    ...
    %result = memref.alloc() : memref<64xf32>
    call @replica_mpi_all_reduce_f32(%in, %out, %kind) : ...
    %e = memref.load %result[%c0] : memref<64xf32>
    memref.dealloc %pack : memref<256xi8>
    memref.dealloc %result : memref<64xf32>
    ```
    becomes
    ```mlir
    %window = call @replica_mpi_window(%c256_i64, %c256_i64) : (i64, i64) -> memref<?xi8>
    %pack = memref.view %window[%c0][] : memref<?xi8> to memref<256xi8>
    ...
    %shared = call @replica_mpi_shared_window(%c256_i64, %c256_i64) : (i64, i64) -> memref<?xi8>
    %result = memref.view %shared[%c256][] : memref<?xi8> to memref<64xf32>
    call @replica_mpi_all_reduce_f32(%in, %out, %kind) : ...
    %e = memref.load %result[%c0] : memref<64xf32>
    ```
    Where the runtime has no shared memory (`REPLICA_MPI_TRANSPORT=mpi`, one
    rank per node) the window is private memory, shared results included.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::func::FuncDialect",
    "::mlir::memref::MemRefDialect", "::mlir::replica::ReplicaDialect"
  ];
}

def ConvertReplicaToNCCLPass
    : Pass<"convert-replica-to-nccl", "::mlir::ModuleOp"> {
  let summary = "SPMD collectives to NCCL calls on CUDA streams";
  let description = [{
    Lowers the in-replica collectives of an SPMD program
    (`replica-to-spmd`) to calls into replica's NCCL runtime
    (`replica_nccl_<collective>_<type>`, on buffers flattened to
    `memref<?xT>`, passed by value), one GPU per
    replica. Each call enqueues its NCCL collective on the replica's CUDA
    stream (`replica_nccl_stream`) and takes NCCL's own operation code
    (`ncclSum` 0, `ncclProd` 1, `ncclMax` 2, `ncclMin` 3, `ncclAvg` 4: `mean`
    is NCCL's average, no scaling follows). A `batch_all_reduce` (the packs
    of one readiness group after `replica-fuse-reductions`) becomes one NCCL
    group: its `ncclAllReduce` calls sit between `replica_nccl_group_start`
    and `replica_nccl_group_end`, which launches them together and waits for
    the stream, polling NCCL's asynchronous errors. A collective outside a
    group waits for itself. `reduce_to` is `ncclReduce`, `broadcast`
    `ncclBroadcast`, `all_gather` `ncclAllGather`; `replica.replica_id` is
    the replica's rank in the communicator (`replica_nccl_rank`).

    Compute is left to the GPU pipeline (`replica-lower-to-nccl`). Kernels
    cannot read the host globals that tensor constants bufferize to, so
    every tensor constant is used through a copy
    (`bufferization.alloc_tensor() copy(...)`) into memory the runtime
    allocates visible to every device.

    ```mlir
    %0 = replica.all_reduce mean %g : tensor<1024xf32>
    ```
    becomes
    ```mlir
    %s = call @replica_nccl_stream() : () -> !llvm.ptr
    %in = bufferization.to_buffer %g read_only : tensor<1024xf32> to memref<1024xf32>
    %out = memref.alloc() : memref<1024xf32>
    %a = memref.cast %in : memref<1024xf32> to memref<?xf32>
    %b = memref.cast %out : memref<1024xf32> to memref<?xf32>
    call @replica_nccl_all_reduce_f32(%a, %b, %c4_i32, %s)
        : (memref<?xf32>, memref<?xf32>, i32, !llvm.ptr) -> ()
    %0 = bufferization.to_tensor %out restrict writable : memref<1024xf32> to tensor<1024xf32>
    ```
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::bufferization::BufferizationDialect",
    "::mlir::func::FuncDialect", "::mlir::LLVM::LLVMDialect",
    "::mlir::memref::MemRefDialect", "::mlir::tensor::TensorDialect"
  ];
}

def ReplicaOrderGPUStreamsPass
    : Pass<"replica-order-gpu-streams", "::mlir::ModuleOp"> {
  let summary = "Kernel launches enqueued on the replica's compute stream, "
                "host waits only where the host reads";
  let description = [{
    In the nccl pipeline, after kernel outlining and before `gpu-to-llvm`.
    Upstream lowers a synchronous `gpu.launch_func` to a stream created,
    synchronised and destroyed around that one kernel; `gpu-async-region`
    threads one token but waits for it before every op with side effects
    (each allocation among them). Here each host function that launches
    kernels or calls the NCCL runtime takes one stream at its entry
    (`gpu.wait async`, which replica's runtime answers with the replica's
    persistent compute stream), every launch is enqueued on it
    (`gpu.launch_func async`, chained), and the host waits for it
    (`gpu.wait`) only before it touches memory (a load, a store, a copy, a
    call of another function) and before returning. Allocation needs no
    wait; deallocation needs none either, as the runtime frees a buffer once
    the stream has passed it. Calls of the NCCL runtime (`replica_nccl_*`)
    need none: the runtime orders its communication stream after the
    compute stream, and the compute stream after each collective, by
    events.

    ```mlir
    gpu.launch_func @k::@k blocks in (...) threads in (...) args(...)
    %v = memref.load %b[%c0] : memref<4xf32>
    ```
    becomes
    ```mlir
    %s = gpu.wait async                       // at the function's entry
    %t = gpu.launch_func async [%s] @k::@k blocks in (...) threads in (...) args(...)
    gpu.wait [%t]
    %v = memref.load %b[%c0] : memref<4xf32>
    ```
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect"];
}

#endif // REPLICA_CONVERSION_PASSES_TD
