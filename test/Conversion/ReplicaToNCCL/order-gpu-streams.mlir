// RUN: replica-opt %s -replica-order-gpu-streams | FileCheck %s

// Launches go on one stream taken at the function's entry, one after the
// other; the host waits for it before it touches memory and before it
// returns, not for allocation, deallocation (the runtime defers frees), views
// or the NCCL runtime's calls (which order their stream by events). In a
// loop whose body launches, the body's first host access waits (the previous
// iteration's work); a call of a function of the module leaves work pending.

module attributes {gpu.container_module} {
  gpu.module @k {
    gpu.func @k(%b: memref<4xf32>) kernel { gpu.return }
  }
  func.func private @replica_nccl_group_start()
  func.func private @replica_nccl_group_end(!llvm.ptr)
  func.func private @replica_nccl_stream() -> !llvm.ptr
  func.func private @printMemrefF32(memref<*xf32>)

  // CHECK-LABEL: func.func @step(
  // CHECK-NEXT:    %[[S:.*]] = gpu.wait async
  // CHECK:         %[[A:.*]] = memref.alloc()
  // CHECK-NEXT:    %[[T1:.*]] = gpu.launch_func async [%[[S]]] @k::@k
  // CHECK-NEXT:    %[[V:.*]] = memref.subview %[[A]]
  // CHECK-NEXT:    %[[B:.*]] = memref.alloc()
  // CHECK-NEXT:    %[[T2:.*]] = gpu.launch_func async [%[[T1]]] @k::@k
  // CHECK-NEXT:    call @replica_nccl_stream()
  // CHECK-NEXT:    call @replica_nccl_group_start()
  // CHECK-NEXT:    call @replica_nccl_group_end(
  // CHECK-NEXT:    memref.dealloc %[[B]]
  // CHECK-NEXT:    gpu.wait [%[[T2]]]
  // CHECK-NEXT:    memref.load %[[A]]
  // CHECK-NEXT:    memref.store
  // CHECK-NEXT:    %[[T3:.*]] = gpu.launch_func async [%[[S]]] @k::@k
  // CHECK-NEXT:    gpu.wait [%[[T3]]]
  // CHECK-NEXT:    return
  func.func @step(%n: index) -> f32 {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %a = memref.alloc() : memref<4xf32>
    gpu.launch_func @k::@k blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%a : memref<4xf32>)
    %v = memref.subview %a[0] [2] [1] : memref<4xf32> to memref<2xf32, strided<[1]>>
    %b = memref.alloc() : memref<4xf32>
    gpu.launch_func @k::@k blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%b : memref<4xf32>)
    %s = func.call @replica_nccl_stream() : () -> !llvm.ptr
    func.call @replica_nccl_group_start() : () -> ()
    func.call @replica_nccl_group_end(%s) : (!llvm.ptr) -> ()
    memref.dealloc %b : memref<4xf32>
    %x = memref.load %a[%c0] : memref<4xf32>
    memref.store %x, %a[%c1] : memref<4xf32>
    gpu.launch_func @k::@k blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%a : memref<4xf32>)
    return %x : f32
  }

  // CHECK-LABEL: func.func @loop(
  // CHECK-NEXT:    %[[S:.*]] = gpu.wait async
  // CHECK:         scf.for
  // CHECK-NEXT:      %[[T:.*]] = gpu.launch_func async [%[[S]]] @k::@k
  // CHECK-NEXT:      func.call @step(
  // CHECK-NEXT:      memref.cast
  // CHECK-NEXT:      gpu.wait [%[[T]]]
  // CHECK-NEXT:      func.call @printMemrefF32(
  // CHECK-NEXT:    }
  // CHECK-NEXT:    gpu.wait [%[[S]]]
  // CHECK-NEXT:    return
  func.func @loop(%n: index, %a: memref<4xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    scf.for %i = %c0 to %n step %c1 {
      gpu.launch_func @k::@k blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%a : memref<4xf32>)
      %x = func.call @step(%n) : (index) -> f32
      %u = memref.cast %a : memref<4xf32> to memref<*xf32>
      func.call @printMemrefF32(%u) : (memref<*xf32>) -> ()
    }
    return
  }

  // Host code without launches or collectives is left alone.
  // CHECK-LABEL: func.func @host_only(
  // CHECK-NOT:     gpu.wait
  // CHECK:         return
  func.func @host_only(%a: memref<4xf32>) -> f32 {
    %c0 = arith.constant 0 : index
    %x = memref.load %a[%c0] : memref<4xf32>
    return %x : f32
  }
}
