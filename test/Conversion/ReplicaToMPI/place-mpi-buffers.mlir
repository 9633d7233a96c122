// RUN: replica-opt %s -replica-place-mpi-buffers -split-input-file | FileCheck %s

// The module records the window's size for the runner.
// CHECK: module attributes {replica.mpi_window_bytes = 1152 : i64}

func.func private @replica_mpi_all_reduce_f32(memref<?xf32>, memref<?xf32>, i32)

// A pack computed in place and dead after its all-reduce: the result reuses
// its buffer, which goes into the window.
// CHECK-LABEL: func.func @pack
// CHECK-SAME:  (%[[X:.*]]: f32)
// CHECK-NOT:   memref.alloc
// CHECK:       %[[BYTES:.*]] = arith.constant 1152 : i64
// CHECK:       %[[WINDOW:.*]] = call @replica_mpi_window(%[[BYTES]]) : (i64) -> memref<?xi8>
// CHECK:       %[[AT:.*]] = arith.constant 0 : index
// CHECK:       %[[PACK:.*]] = memref.view %[[WINDOW]][%[[AT]]][] : memref<?xi8> to memref<256xi8>
// CHECK:       %[[ALL:.*]] = memref.view %[[PACK]]{{.*}} to memref<64xf32>
// CHECK:       %[[IN:.*]] = memref.cast %[[ALL]]
// CHECK:       %[[OUT:.*]] = memref.cast %[[ALL]]
// CHECK:       call @replica_mpi_all_reduce_f32(%[[IN]], %[[OUT]],
// CHECK:       memref.load %[[ALL]]
// CHECK-NOT:   memref.dealloc
// CHECK:       return
func.func @pack(%x: f32) -> f32 {
  %kind = arith.constant 1 : i32
  %c0 = arith.constant 0 : index
  %c64 = arith.constant 64 : index
  %pack = memref.alloc() {alignment = 64 : i64} : memref<256xi8>
  %a = memref.view %pack[%c0][] : memref<256xi8> to memref<16xf32>
  %b = memref.view %pack[%c64][] : memref<256xi8> to memref<48xf32>
  linalg.fill ins(%x : f32) outs(%a : memref<16xf32>)
  linalg.fill ins(%x : f32) outs(%b : memref<48xf32>)
  %all = memref.view %pack[%c0][] : memref<256xi8> to memref<64xf32>
  %in = memref.cast %all : memref<64xf32> to memref<?xf32>
  %result = memref.alloc() : memref<64xf32>
  %out = memref.cast %result : memref<64xf32> to memref<?xf32>
  call @replica_mpi_all_reduce_f32(%in, %out, %kind) : (memref<?xf32>, memref<?xf32>, i32) -> ()
  %e = memref.load %result[%c0] : memref<64xf32>
  memref.dealloc %pack : memref<256xi8>
  memref.dealloc %result : memref<64xf32>
  return %e : f32
}

// CHECK-LABEL: func.func @lifetimes
// CHECK:       %[[W0:.*]] = call @replica_mpi_window
// CHECK:       %[[AT0:.*]] = arith.constant 256 : index
// CHECK:       %[[G:.*]] = memref.view %[[W0]][%[[AT0]]][] : memref<?xi8> to memref<100xf32>
// CHECK:       %[[W1:.*]] = call @replica_mpi_window
// CHECK:       %[[AT1:.*]] = arith.constant 704 : index
// CHECK:       %[[R:.*]] = memref.view %[[W1]][%[[AT1]]][] : memref<?xi8> to memref<100xf32>
// CHECK:       call @replica_mpi_all_reduce_f32
// CHECK:       memref.load %[[G]]
// CHECK:       %[[W2:.*]] = call @replica_mpi_window
// CHECK:       %[[AT2:.*]] = arith.constant 256 : index
// CHECK:       %[[H:.*]] = memref.view %[[W2]][%[[AT2]]][] : memref<?xi8> to memref<8xf32>
// CHECK:       %[[S:.*]] = memref.alloc() : memref<8xf32>
// CHECK:       call @replica_mpi_all_reduce_f32
// CHECK-NOT:   memref.dealloc
// CHECK:       return %[[S]]

// An input read after its all-reduce keeps its buffer: both are placed,
// side by side. A buffer freed before the next is allocated shares its
// range; one that is returned is not placed.
func.func @lifetimes(%x: f32) -> memref<8xf32> {
  %kind = arith.constant 0 : i32
  %c0 = arith.constant 0 : index
  %g = memref.alloc() : memref<100xf32>
  linalg.fill ins(%x : f32) outs(%g : memref<100xf32>)
  %gin = memref.cast %g : memref<100xf32> to memref<?xf32>
  %r = memref.alloc() : memref<100xf32>
  %rout = memref.cast %r : memref<100xf32> to memref<?xf32>
  call @replica_mpi_all_reduce_f32(%gin, %rout, %kind) : (memref<?xf32>, memref<?xf32>, i32) -> ()
  %e = memref.load %g[%c0] : memref<100xf32>
  memref.dealloc %g : memref<100xf32>
  memref.dealloc %r : memref<100xf32>
  %h = memref.alloc() : memref<8xf32>
  linalg.fill ins(%e : f32) outs(%h : memref<8xf32>)
  %hin = memref.cast %h : memref<8xf32> to memref<?xf32>
  %s = memref.alloc() : memref<8xf32>
  %sout = memref.cast %s : memref<8xf32> to memref<?xf32>
  call @replica_mpi_all_reduce_f32(%hin, %sout, %kind) : (memref<?xf32>, memref<?xf32>, i32) -> ()
  memref.dealloc %h : memref<8xf32>
  return %s : memref<8xf32>
}

// Dynamic shapes are not placed.
// CHECK-LABEL: func.func @dynamic
// CHECK:       %[[G:.*]] = memref.alloc(%{{.*}}) : memref<?xf32>
// CHECK:       call @replica_mpi_all_reduce_f32(%[[G]], %[[G]],
// CHECK:       memref.dealloc %[[G]]

// The runtime returns the window's descriptor through a pointer.
// CHECK: func.func private @replica_mpi_window(i64) -> memref<?xi8> attributes {llvm.emit_c_interface}
func.func @dynamic(%n: index, %x: f32) {
  %kind = arith.constant 0 : i32
  %g = memref.alloc(%n) : memref<?xf32>
  linalg.fill ins(%x : f32) outs(%g : memref<?xf32>)
  call @replica_mpi_all_reduce_f32(%g, %g, %kind) : (memref<?xf32>, memref<?xf32>, i32) -> ()
  memref.dealloc %g : memref<?xf32>
  return
}

// -----

// Without all-reduces there is no window.
// CHECK-NOT:   replica.mpi_window_bytes
// CHECK-LABEL: func.func @none
// CHECK-NOT:   replica_mpi_window
func.func @none() -> memref<4xf32> {
  %a = memref.alloc() : memref<4xf32>
  return %a : memref<4xf32>
}
