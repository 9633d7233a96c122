//===- Passes.td - replica dialect passes ------------------*- tablegen -*-===//

#ifndef REPLICA_DIALECT_REPLICA_TRANSFORMS_PASSES_TD
#define REPLICA_DIALECT_REPLICA_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def ReplicaDecomposeStructuresPass
    : Pass<"replica-decompose-structures", "::mlir::ModuleOp"> {
  let summary = "Remove every tuple: structure ops become leaf-wise ops";
  let description = [{
    Replaces every value of builtin `tuple` type by its leaves (1:N type
    conversion): function signatures, calls and returns, `replica.replicate`
    operands, results and body arguments, `replica.yield`, structured control
    flow (`scf`) and branches. `replica.regroup` and `replica.select_replica`
    of a structure become one op per leaf (unwrapped same-value leaves pass
    through); `replica.tuple` and `replica.tuple_get` vanish. Afterwards no
    tuple type is left in the module; an op that holds a tuple and cannot be
    converted is reported.

    Before:
    ```mlir
    func.func @f(%t0: tuple<tensor<4xf32>, i32>, %t1: tuple<tensor<4xf32>, i32>)
        -> tuple<!replica.per_replica<2 x tensor<4xf32>>, !replica.per_replica<2 x i32>> {
      %s = replica.regroup %t0, %t1 : tuple<tensor<4xf32>, i32>
             -> tuple<!replica.per_replica<2 x tensor<4xf32>>, !replica.per_replica<2 x i32>>
      return %s : tuple<!replica.per_replica<2 x tensor<4xf32>>, !replica.per_replica<2 x i32>>
    }
    ```
    After:
    ```mlir
    func.func @f(%a0: tensor<4xf32>, %b0: i32, %a1: tensor<4xf32>, %b1: i32)
        -> (!replica.per_replica<2 x tensor<4xf32>>, !replica.per_replica<2 x i32>) {
      %a = replica.regroup %a0, %a1 : tensor<4xf32> -> !replica.per_replica<2 x tensor<4xf32>>
      %b = replica.regroup %b0, %b1 : i32 -> !replica.per_replica<2 x i32>
      return %a, %b : !replica.per_replica<2 x tensor<4xf32>>, !replica.per_replica<2 x i32>
    }
    ```
  }];
  let dependentDialects = ["::mlir::replica::ReplicaDialect"];
}

def ReplicaUnrollPass : Pass<"replica-unroll", "::mlir::ModuleOp"> {
  let summary = "Single-process form: one SSA value per replica";
  let description = [{
    Rewrites a program over N replicas into one process that computes all of
    them. Each `replica.replicate` body becomes N lock-step copies with a
    constant replica id: ops are cloned once per replica in program order,
    and every in-replica collective becomes one cross-replica collective over
    the N copies (`regroup` -> collective -> `unpack`). Control flow that
    contains collectives (`scf.for`, `scf.if`, `scf.while`) is uniform across
    replicas (the verifier's divergence rule), so it is kept once and carries
    the N copies of its values. Then every distributed value becomes N SSA
    values, through function signatures, calls, returns, structured and
    unstructured control flow; `select_replica` picks or selects a copy.
    Afterwards distributed values appear only around collectives.

    Structures must be decomposed first (`replica-decompose-structures`).

    Before:
    ```mlir
    func.func @f(%d: !replica.per_replica<2 x f32>) -> !replica.per_replica<2 x f32> {
      %r = replica.replicate<2> (%x = %d) : (!replica.per_replica<2 x f32>) -> (!replica.per_replica<2 x f32>) {
        %s = replica.all_reduce sum %x : f32
        replica.yield %s : f32
      }
      return %r : !replica.per_replica<2 x f32>
    }
    ```
    After:
    ```mlir
    func.func @f(%d0: f32, %d1: f32) -> (f32, f32) {
      %0 = replica.regroup %d0, %d1 always_wrap : f32 -> !replica.per_replica<2 x f32>
      %1 = replica.all_reduce sum %0 : !replica.per_replica<2 x f32>
      %2:2 = replica.unpack %1 : !replica.mirrored<2 x f32>
      return %2#0, %2#1 : f32, f32
    }
    ```
  }];
  let dependentDialects = [
    "::mlir::replica::ReplicaDialect", "::mlir::arith::ArithDialect",
    "::mlir::scf::SCFDialect"
  ];
  let statistics = [
    Statistic<"numReplicateOps", "num-replicate-ops",
              "Number of replicate bodies unrolled">,
    Statistic<"numCollectives", "num-collectives",
              "Number of in-replica collectives made cross-replica">,
  ];
}

def ReplicaToSPMDPass : Pass<"replica-to-spmd", "::mlir::ModuleOp"> {
  let summary = "Multi-process form: each process runs its own replica";
  let description = [{
    Rewrites a program over N replicas into the program one of N processes
    runs (SPMD). Distributed values become the process's own component;
    `replica.replicate` bodies are inlined, their `replica.replica_id` is the
    process rank; cross-replica collectives become the in-replica form
    (`reduce_to` an `all_reduce`, since the code after it runs on every
    process); a cross-replica `broadcast` is the value itself, which every
    process computed. `regroup` keeps the operand of the process's replica,
    and reading another replica's component (`select_replica`, `unpack`) is a
    broadcast from its owner. Code outside `replicate` runs redundantly on
    every process.

    The module is marked `replica.num_replicas = N`: in-replica ops are valid
    anywhere in it. Every distributed type and `replicate` of the module must
    have the same N, the number of processes. Structures must be decomposed
    first (`replica-decompose-structures`).

    ```mlir
    %m = replica.all_reduce sum %d : !replica.per_replica<2 x tensor<4xf32>>
    ```
    becomes, with `%d` the process's `tensor<4xf32>`:
    ```mlir
    %m = replica.all_reduce sum %d : tensor<4xf32>
    ```
  }];
  let dependentDialects = [
    "::mlir::replica::ReplicaDialect", "::mlir::arith::ArithDialect"
  ];
}

def ReplicaFuseReductionsPass : Pass<"replica-fuse-reductions"> {
  let summary = "Pack independent reductions into few packed all-reduces";
  let description = [{
    Candidates are every `replica.all_reduce` and every operand of
    `replica.batch_all_reduce`, in the cross-replica and the in-replica form,
    in any block. Candidates with the same key (reduction kind, element type,
    replica group) are packed greedily in the chosen order; an op marked
    `replica.no_fusion` (a unit attribute) stays as it is. A pack takes
    candidates while its padded size stays within `bytes-per-pack`; a
    candidate larger than that is a pack of its own. A candidate never joins a
    pack when a member's result is needed before the candidate (it depends on
    the pack) and no pack spans an op with side effects. Each pack becomes one
    all-reduce of a flat 1-D buffer whose members sit at offsets aligned to
    `alignment` bytes; `mean` divides the packed buffer once. Packs that
    are ready together are launched together: side by side, one
    `replica.batch_all_reduce` per reduction kind.

    `bytes-per-pack=-1` (auto) uses the alpha-beta model
    `t(B) = alpha + 2(n-1)/n * B / beta` (`latency-us`, `bandwidth-gbps`):
    packs grow until latency is at most 5% of a pack's modelled time. With
    `cost-table` (times measured on the transport, e.g. by
    `replica-run --calibrate`) the model interpolates the table instead and
    packs grow to the smallest measured size whose time per byte is within
    10% of the best: on shared-memory MPI, packs far beyond the caches cost
    more per byte. `0` means one pack per key, as TF's `bytes_per_pack=0`.

    A value computed in the same block by destination-style ops from a
    `tensor.empty` (a fill then a matmul, an elementwise op) gets its slice of
    the pack as that init, so bufferization writes it in place: no copy into
    the pack. Reduced values are read out of the pack as slices.

    ```mlir
    %a = replica.all_reduce sum %x : tensor<4xf32>
    %b = replica.all_reduce sum %y : tensor<2x2xf32>
    ```
    becomes one `replica.all_reduce sum` of a `tensor<32xf32>` (64-byte
    aligned offsets 0 and 16) with `tensor.insert_slice` into and
    `tensor.extract_slice` out of the pack.
  }];
  let options = [
    Option<"bytesPerPack", "bytes-per-pack", "int64_t", "-1",
           "Pack size limit in bytes (-1: cost model, 0: one pack per key)">,
    Option<"maxOpsPerPack", "max-ops-per-pack", "int64_t", "0",
           "Most candidates in one pack (0: no limit)">,
    Option<"order", "order", "::mlir::replica::FusionOrder",
           "::mlir::replica::FusionOrder::Reverse", "Order candidates are packed in",
           [{::llvm::cl::values(
               clEnumValN(::mlir::replica::FusionOrder::Reverse, "reverse",
                          "last candidate first (TF's gradient order)"),
               clEnumValN(::mlir::replica::FusionOrder::Program, "program",
                          "program order"))}]>,
    Option<"alignment", "alignment", "int64_t", "64",
           "Byte alignment of each member in the pack">,
    Option<"latencyUs", "latency-us", "double", "20.0",
           "Modelled all-reduce latency alpha in microseconds">,
    Option<"bandwidthGbps", "bandwidth-gbps", "double", "370.0",
           "Modelled all-reduce bandwidth beta in GB/s">,
    Option<"costTable", "cost-table", "std::string", "\"\"",
           "Measured all-reduce times, bytes:microseconds,... (replaces the "
           "alpha-beta model; `replica-run --calibrate` prints it)">,
    Option<"report", "report", "std::string", "\"\"",
           "Write the packs as JSON to this file">,
  ];
  let statistics = [
    Statistic<"numCandidates", "num-candidates", "Number of candidate reductions">,
    Statistic<"numPacks", "num-packs", "Number of packs (incl. single members)">,
    Statistic<"numFused", "num-fused", "Number of candidates in packs of two or more">,
    Statistic<"numBytes", "num-bytes", "Bytes in packs of two or more, padding included">,
    Statistic<"numGroupedPacks", "num-grouped-packs",
              "Number of batches of packs launched together">,
    Statistic<"numCopiesAvoided", "num-copies-avoided",
              "Number of members computed straight into their pack slice">,
  ];
  let dependentDialects = [
    "::mlir::replica::ReplicaDialect", "::mlir::tensor::TensorDialect"
  ];
}

def ReplicaPackInPlacePass : Pass<"replica-pack-in-place"> {
  let summary = "Compute pack members straight into their pack slices";
  let description = [{
    On buffers, right after bufferization: `replica.pack` bufferizes to a
    fresh 1-D buffer and one `memref.copy` of each member into its slice.
    A member whose buffer is a `memref.alloc` of the same block, copied whole
    into its slice and never written or freed after the copy, is allocated
    as that slice instead (a `memref.view` of the pack's bytes, with the
    member's own identity-layout type, so none of its users change), and the
    copy goes: the member's producers write straight into the pack (TF's
    ScopedAllocator, DDP's bucket views). Where the member is still read
    after the copy, nothing may write the pack after it either. The pack is
    then allocated as bytes, before its first such member. Each pack and
    member is looked at once: the pass is linear in the program.

    ```mlir
    %g = memref.alloc() : memref<8x3xf32>
    linalg.fill ins(%zero : f32) outs(%g : memref<8x3xf32>)
    %pack = memref.alloc() : memref<32xf32>
    %slot = memref.subview %pack[0] [24] [1] : memref<32xf32> to memref<24xf32, strided<[1]>>
    %slot2d = memref.expand_shape %slot [[0, 1]] output_shape [8, 3] : memref<24xf32, strided<[1]>> into memref<8x3xf32, strided<[3, 1]>>
    memref.copy %g, %slot2d : memref<8x3xf32> to memref<8x3xf32, strided<[3, 1]>>
    ```
    becomes
    ```mlir
    %bytes = memref.alloc() : memref<128xi8>
    %pack = memref.view %bytes[%c0][] : memref<128xi8> to memref<32xf32>
    %g = memref.view %bytes[%c0][] : memref<128xi8> to memref<8x3xf32>
    linalg.fill ins(%zero : f32) outs(%g : memref<8x3xf32>)
    ```
  }];
  let statistics = [
    Statistic<"numMembersInPlace", "num-members-in-place",
              "Number of pack members computed in their slices">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::memref::MemRefDialect"
  ];
}

def ReplicaBatchPackCopiesPass : Pass<"replica-batch-pack-copies"> {
  let summary = "One parallel loop for the copies into (or out of) a pack";
  let description = [{
    On buffers (after bufferization), for GPU code: the copies that fill a
    pack buffer with members computed elsewhere, or that take reduced
    members out of it, are each a `memref.copy` between a member and a 1-D
    subview of the pack. A run of such copies into (or out of) subviews of
    the same buffer, with nothing but side-effect-free ops between them,
    becomes one `scf.parallel` over (element, member): each member's copy is
    one case of an `scf.index_switch`, guarded where it is shorter than the
    longest. The GPU lowering maps that loop to one kernel per pack instead
    of one copy per member. The pack side is addressed through the pack
    buffer at each slice's static offset, so a kernel takes one descriptor
    per member plus the pack's: a run longer than `max-copies-per-loop`
    (the default keeps within the 4 KiB of kernel parameters PTX before 8.1
    allows) is split into several loops. Copies of statically shaped,
    contiguous members into unit-stride slices of a 1-D buffer are batched;
    copies reading a global (host memory) are left alone. Every other copy
    (not of a scalar) becomes an `scf.parallel` of its own: on the GPU a
    kernel enqueued with the others rather than a copy by the host, which
    would have to wait for them.

    ```mlir
    %sa = memref.subview %pack[0] [32] [1] : memref<64xf32> to memref<32xf32, strided<[1]>>
    memref.copy %a, %sa : memref<32xf32> to memref<32xf32, strided<[1]>>
    %sb = memref.subview %pack[32] [3] [1] : memref<64xf32> to memref<3xf32, strided<[1], offset: 32>>
    memref.copy %b, %sb : memref<3xf32> to memref<3xf32, strided<[1], offset: 32>>
    ```
    becomes
    ```mlir
    scf.parallel (%i, %m) = (%c0, %c0) to (%c32, %c2) step (%c1, %c1) {
      scf.index_switch %m
      case 0 { %v = memref.load %a[%i] ... memref.store %v, %pack[%i] ... }
      case 1 { scf.if (%i < 3) { ... memref.store %w, %pack[%i + 32] ... } }
      default {}
    }
    ```
  }];
  let options = [
    Option<"maxCopiesPerLoop", "max-copies-per-loop", "int64_t",
           /*default=*/"64",
           "Most copies in one loop (one kernel's parameters)">
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect"
  ];
}

def ReplicaSCFToControlFlowPass : Pass<"replica-scf-to-cf"> {
  let summary = "Structured control flow to branches, in time linear in the "
                "program";
  let description = [{
    Upstream's `convert-scf-to-cf` patterns, applied one structured op at a
    time: an op before the ops it holds, and within a block from the last op
    to the first. Lowering an op splits its block after it; taken in this
    order, the split moves only the ops up to the previously lowered one,
    where one upstream conversion of the whole function moves every op after
    each loop. A
    training step whose body holds N loop nests (one per gradient) is then
    lowered in O(N) rather than O(N^2): 2,000 gradients took 16 s upstream.
    The result is the same control flow graph as upstream's.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::cf::ControlFlowDialect"
  ];
}

def ReplicaSplitFreshDeallocsPass : Pass<"replica-split-fresh-deallocs"> {
  let summary = "Free distinct allocations one `bufferization.dealloc` each";
  let description = [{
    Between `ownership-based-buffer-deallocation` and
    `buffer-deallocation-simplification`: a `bufferization.dealloc` that
    retains nothing and frees only distinct `memref.alloc` results becomes
    one `bufferization.dealloc` per buffer (with its condition). Distinct
    allocations never alias, so this is what the simplification's
    `SplitDeallocWhenNotAliasingAnyOther` would conclude, without its
    comparison of every pair: the dealloc at the end of a fused step's block
    frees two buffers per pack, and thousands of packs made that quadratic.

    ```mlir
    bufferization.dealloc (%a, %b : memref<8xf32>, memref<4xi8>) if (%true, %c)
    ```
    becomes
    ```mlir
    bufferization.dealloc (%a : memref<8xf32>) if (%true)
    bufferization.dealloc (%b : memref<4xi8>) if (%c)
    ```
  }];
  let dependentDialects = ["::mlir::bufferization::BufferizationDialect"];
}

def ReplicaScheduleCollectivesPass : Pass<"replica-schedule-collectives"> {
  let summary = "Start all-reduces after their last producer, wait before "
                "their first use";
  let description = [{
    Overlaps communication with computation. Each `replica.all_reduce` and
    `replica.batch_all_reduce` (a pack, or the packs of a readiness group,
    after `replica-fuse-reductions`) becomes a `replica.all_reduce_start`
    placed right after the last producer of its operands and a
    `replica.all_reduce_done` placed right before the first use of its
    results: the computation in between may overlap the communication (as
    XLA's latency-hiding scheduler places `all-reduce-start`/`-done`, and
    as DDP launches each bucket when its last gradient is ready). The pack
    layout ops (`replica.pack`, `replica.split_pack`, `replica.unpack`) move
    with their collective. A collective with nothing to overlap (its first
    use follows its last producer) stays blocking.

    `max-in-flight` bounds the collectives started and not yet done at any
    point (each holds its buffers): where a start would exceed it, the
    oldest one in flight is completed first. The placement depends only on
    the program, so every replica starts and completes the same collectives
    in the same order.

    ```mlir
    %g1 = linalg.matmul ...
    %r = replica.all_reduce sum %g1 : tensor<64x64xf32>
    %g2 = linalg.matmul ...
    %u = arith.subf %w, %r : tensor<64x64xf32>
    ```
    becomes
    ```mlir
    %g1 = linalg.matmul ...
    %f = replica.all_reduce_start sum %g1 : tensor<64x64xf32>
    %g2 = linalg.matmul ...
    %r = replica.all_reduce_done %f : !replica.future<tensor<64x64xf32>>
    %u = arith.subf %w, %r : tensor<64x64xf32>
    ```

    `report=<file.json>` adds a modelled timeline of every block with
    all-reduces to the JSON object the file holds (the fusion report that
    `replica-fuse-reductions` wrote before it), or writes one: compute from
    the IR (each linalg op's iterations times the ops of its body, each
    elementwise tensor op's elements, at `compute-gflops`), communication
    from the cost model of the fusion pass (`latency-us`, `bandwidth-gbps`
    or `cost-table`), all-reduces one after another on one channel. Each
    all-reduce gets its modelled start, end and exposed time (how long the
    computation waits for it) as scheduled and as if blocking.
  }];
  let options = [
    Option<"maxInFlight", "max-in-flight", "int64_t", "0",
           "Collectives in flight at once at most (0: no bound)">,
    Option<"report", "report", "std::string", "\"\"",
           "Add the modelled timeline to this JSON file (the fusion report)">,
    Option<"latencyUs", "latency-us", "double", "20.0",
           "Modelled all-reduce latency in microseconds (report)">,
    Option<"bandwidthGbps", "bandwidth-gbps", "double", "370.0",
           "Modelled all-reduce bandwidth in GB/s (report)">,
    Option<"costTable", "cost-table", "std::string", "\"\"",
           "Measured all-reduce times, bytes:microseconds,... (report)">,
    Option<"computeGflops", "compute-gflops", "double", "10.0",
           "Modelled compute rate in GFLOP/s (report)">,
  ];
  let statistics = [
    Statistic<"numStarted", "started", "Collectives made asynchronous">,
    Statistic<"numBlocking", "blocking",
              "Collectives left blocking: nothing to overlap">,
    Statistic<"numBounded", "bounded",
              "Collectives completed early to respect max-in-flight">,
  ];
}

def ReplicaFlattenElementwisePass : Pass<"replica-flatten-elementwise"> {
  let summary = "Elementwise ops on contiguous buffers over one dimension";
  let description = [{
    On buffers, before `convert-linalg-to-loops`: a `linalg.fill`, or a
    `linalg.generic` whose loops are all parallel and whose indexing maps are
    all identities, on buffers of rank two or more with contiguous layouts,
    runs on `memref.collapse_shape` of its buffers to one dimension instead
    (upstream's `linalg::collapseOpIterationDims` for the generic). The loop
    nest of a rank-4 op has innermost loops as short as a convolution's 3x3
    or 1x1 window; LLVM vectorises those rows one by one, with a partial
    vector per row, which measured two to three times slower than scalar
    code on a 512x512x3x3 gradient. One loop over the whole buffer
    vectorises to full vectors (and a zero fill becomes a `memset`). Ops on
    strided views that are not contiguous keep their loop nest.

    ```mlir
    linalg.fill ins(%v : f32) outs(%b : memref<64x64x3x3xf32>)
    ```
    becomes
    ```mlir
    %flat = memref.collapse_shape %b [[0, 1, 2, 3]]
        : memref<64x64x3x3xf32> into memref<36864xf32>
    linalg.fill ins(%v : f32) outs(%flat : memref<36864xf32>)
    ```
  }];
  let dependentDialects = ["::mlir::memref::MemRefDialect"];
}

#endif // REPLICA_DIALECT_REPLICA_TRANSFORMS_PASSES_TD
