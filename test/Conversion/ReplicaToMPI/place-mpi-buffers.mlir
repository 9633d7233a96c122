// RUN: replica-opt %s -replica-place-mpi-buffers -split-input-file | FileCheck %s

// The module records the window's sizes for the runner: each rank's own
// buffers, then the results every rank reads from one shared copy.
// CHECK: module attributes {replica.mpi_shared_window_bytes = 704 : i64, replica.mpi_window_bytes = 960 : i64}

func.func private @replica_mpi_all_reduce_f32(memref<?xf32>, memref<?xf32>, i32)

// A pack computed in place, whose result is only read: the pack goes into
// this rank's part of the window, the result among the shared results
// (after this rank's part, 960 bytes in).
// CHECK-LABEL: func.func @shared_result
// CHECK-NOT:   memref.alloc
// CHECK:       %[[W:.*]] = call @replica_mpi_window(%{{.*}}, %{{.*}}) : (i64, i64) -> memref<?xi8>
// CHECK:       %[[AT:.*]] = arith.constant 0 : index
// CHECK:       %[[PACK:.*]] = memref.view %[[W]][%[[AT]]][] : memref<?xi8> to memref<256xi8>
// CHECK:       %[[ALL:.*]] = memref.view %[[PACK]]{{.*}} to memref<64xf32>
// CHECK:       %[[IN:.*]] = memref.cast %[[ALL]]
// CHECK:       %[[S:.*]] = call @replica_mpi_shared_window(%{{.*}}, %{{.*}}) : (i64, i64) -> memref<?xi8>
// CHECK:       %[[SAT:.*]] = arith.constant 960 : index
// CHECK:       %[[RESULT:.*]] = memref.view %[[S]][%[[SAT]]][] : memref<?xi8> to memref<64xf32>
// CHECK:       %[[OUT:.*]] = memref.cast %[[RESULT]]
// CHECK:       call @replica_mpi_all_reduce_f32(%[[IN]], %[[OUT]],
// CHECK:       memref.load %[[RESULT]]
// CHECK-NOT:   memref.dealloc
// CHECK:       return
func.func @shared_result(%x: f32) -> f32 {
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

// A result written after its all-reduce cannot be shared; its input is dead
// after the all-reduce, so it reduces in place, in this rank's part.
// CHECK-LABEL: func.func @written_result
// CHECK-NOT:   memref.alloc
// CHECK:       %[[W:.*]] = call @replica_mpi_window
// CHECK:       %[[AT:.*]] = arith.constant 256 : index
// CHECK:       %[[G:.*]] = memref.view %[[W]][%[[AT]]][] : memref<?xi8> to memref<4x16xf32>
// CHECK:       %[[FLAT:.*]] = memref.collapse_shape %[[G]]
// CHECK:       %[[IN:.*]] = memref.cast %[[FLAT]]
// CHECK:       %[[FLAT2:.*]] = memref.collapse_shape %[[G]]
// CHECK:       %[[OUT:.*]] = memref.cast %[[FLAT2]]
// CHECK:       call @replica_mpi_all_reduce_f32(%[[IN]], %[[OUT]],
// CHECK:       linalg.add ins(%[[G]], %[[G]] : {{.*}}) outs(%[[G]] :
// CHECK-NOT:   memref.dealloc
func.func @written_result(%x: f32) -> f32 {
  %kind = arith.constant 0 : i32
  %c0 = arith.constant 0 : index
  %g = memref.alloc() : memref<4x16xf32>
  linalg.fill ins(%x : f32) outs(%g : memref<4x16xf32>)
  %flat = memref.collapse_shape %g [[0, 1]] : memref<4x16xf32> into memref<64xf32>
  %in = memref.cast %flat : memref<64xf32> to memref<?xf32>
  %r = memref.alloc() : memref<4x16xf32>
  %rflat = memref.collapse_shape %r [[0, 1]] : memref<4x16xf32> into memref<64xf32>
  %out = memref.cast %rflat : memref<64xf32> to memref<?xf32>
  call @replica_mpi_all_reduce_f32(%in, %out, %kind) : (memref<?xf32>, memref<?xf32>, i32) -> ()
  linalg.add ins(%r, %r : memref<4x16xf32>, memref<4x16xf32>) outs(%r : memref<4x16xf32>)
  %e = memref.load %r[%c0, %c0] : memref<4x16xf32>
  memref.dealloc %g : memref<4x16xf32>
  memref.dealloc %r : memref<4x16xf32>
  return %e : f32
}

// An input read after its all-reduce keeps its buffer; a buffer freed
// before the next is allocated shares its range; one that is returned is
// not placed (and its all-reduce's input is not shared with it).
// CHECK-LABEL: func.func @lifetimes
// CHECK:       %[[W0:.*]] = call @replica_mpi_window
// CHECK:       %[[AT0:.*]] = arith.constant 512 : index
// CHECK:       %[[G:.*]] = memref.view %[[W0]][%[[AT0]]][] : memref<?xi8> to memref<100xf32>
// CHECK:       %[[S:.*]] = call @replica_mpi_shared_window
// CHECK:       %[[AT1:.*]] = arith.constant 1216 : index
// CHECK:       %[[R:.*]] = memref.view %[[S]][%[[AT1]]][] : memref<?xi8> to memref<100xf32>
// CHECK:       call @replica_mpi_all_reduce_f32
// CHECK:       memref.load %[[G]]
// CHECK:       %[[W2:.*]] = call @replica_mpi_window
// CHECK:       %[[AT2:.*]] = arith.constant 512 : index
// CHECK:       %[[H:.*]] = memref.view %[[W2]][%[[AT2]]][] : memref<?xi8> to memref<8xf32>
// CHECK:       %[[RET:.*]] = memref.alloc() : memref<8xf32>
// CHECK:       call @replica_mpi_all_reduce_f32
// CHECK-NOT:   memref.dealloc
// CHECK:       return %[[RET]]
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
func.func @dynamic(%n: index, %x: f32) {
  %kind = arith.constant 0 : i32
  %g = memref.alloc(%n) : memref<?xf32>
  linalg.fill ins(%x : f32) outs(%g : memref<?xf32>)
  call @replica_mpi_all_reduce_f32(%g, %g, %kind) : (memref<?xf32>, memref<?xf32>, i32) -> ()
  memref.dealloc %g : memref<?xf32>
  return
}

// The runtime returns the window's descriptor through a pointer.
// CHECK: func.func private @replica_mpi_window(i64, i64) -> memref<?xi8> attributes {llvm.emit_c_interface}
// CHECK: func.func private @replica_mpi_shared_window(i64, i64) -> memref<?xi8> attributes {llvm.emit_c_interface}

// -----

// Without all-reduces there is no window.
// CHECK-NOT:   replica.mpi_window_bytes
// CHECK-LABEL: func.func @none
// CHECK-NOT:   replica_mpi_window
func.func @none() -> memref<4xf32> {
  %a = memref.alloc() : memref<4xf32>
  return %a : memref<4xf32>
}

// -----

// Launched without waiting, an all-reduce uses its buffers until its wait:
// its input is dead after the wait alone, so it reduces in place (the wait
// takes the input's buffer for both), but an input another all-reduce
// reads after the launch is kept, the result in a buffer of its own.
func.func private @replica_mpi_group_start()
func.func private @replica_mpi_group_launch()
func.func private @replica_mpi_all_reduce_f32(memref<?xf32>, memref<?xf32>, i32)
func.func private @replica_mpi_wait_f32(memref<?xf32>, memref<?xf32>)
// CHECK-LABEL: func.func @launched
// CHECK-NOT:   memref.alloc
// CHECK:       %[[G:.*]] = memref.view %{{.*}} to memref<16xf32>
// CHECK:       %[[H:.*]] = memref.view %{{.*}} to memref<16xf32>
// CHECK:       %[[GIN:.*]] = memref.cast %[[G]]
// CHECK:       %[[GOUT:.*]] = memref.view %{{.*}} to memref<16xf32>
// CHECK:       %[[GOUTF:.*]] = memref.cast %[[GOUT]]
// CHECK:       call @replica_mpi_all_reduce_f32(%[[GIN]], %[[GOUTF]],
// CHECK:       %[[HIN:.*]] = memref.cast %[[H]]
// CHECK:       %[[HOUT:.*]] = memref.cast %[[H]]
// CHECK:       call @replica_mpi_all_reduce_f32(%[[HIN]], %[[HOUT]],
// CHECK:       call @replica_mpi_all_reduce_f32(%[[GIN]],
// CHECK:       call @replica_mpi_group_launch()
// CHECK:       call @replica_mpi_wait_f32(%[[GIN]], %[[GOUTF]])
// CHECK:       call @replica_mpi_wait_f32(%[[HIN]], %[[HOUT]])
// CHECK:       memref.load %[[GOUT]]
// CHECK:       memref.load %[[H]]
func.func @launched(%x: f32) -> (f32, f32, f32) {
  %kind = arith.constant 0 : i32
  %c0 = arith.constant 0 : index
  %g = memref.alloc() : memref<16xf32>
  %h = memref.alloc() : memref<16xf32>
  linalg.fill ins(%x : f32) outs(%g : memref<16xf32>)
  linalg.fill ins(%x : f32) outs(%h : memref<16xf32>)
  call @replica_mpi_group_start() : () -> ()
  %gin = memref.cast %g : memref<16xf32> to memref<?xf32>
  %gr = memref.alloc() : memref<16xf32>
  %gout = memref.cast %gr : memref<16xf32> to memref<?xf32>
  call @replica_mpi_all_reduce_f32(%gin, %gout, %kind) : (memref<?xf32>, memref<?xf32>, i32) -> ()
  %hin = memref.cast %h : memref<16xf32> to memref<?xf32>
  %hr = memref.alloc() : memref<16xf32>
  %hout = memref.cast %hr : memref<16xf32> to memref<?xf32>
  call @replica_mpi_all_reduce_f32(%hin, %hout, %kind) : (memref<?xf32>, memref<?xf32>, i32) -> ()
  %mr = memref.alloc() : memref<16xf32>
  %mout = memref.cast %mr : memref<16xf32> to memref<?xf32>
  call @replica_mpi_all_reduce_f32(%gin, %mout, %kind) : (memref<?xf32>, memref<?xf32>, i32) -> ()
  call @replica_mpi_group_launch() : () -> ()
  call @replica_mpi_wait_f32(%gin, %gout) : (memref<?xf32>, memref<?xf32>) -> ()
  call @replica_mpi_wait_f32(%hin, %hout) : (memref<?xf32>, memref<?xf32>) -> ()
  call @replica_mpi_wait_f32(%gin, %mout) : (memref<?xf32>, memref<?xf32>) -> ()
  %a = memref.load %gr[%c0] : memref<16xf32>
  %b = memref.load %hr[%c0] : memref<16xf32>
  %c = memref.load %mr[%c0] : memref<16xf32>
  linalg.fill ins(%x : f32) outs(%gr : memref<16xf32>)
  linalg.fill ins(%x : f32) outs(%hr : memref<16xf32>)
  linalg.fill ins(%x : f32) outs(%mr : memref<16xf32>)
  memref.dealloc %g : memref<16xf32>
  memref.dealloc %h : memref<16xf32>
  memref.dealloc %gr : memref<16xf32>
  memref.dealloc %hr : memref<16xf32>
  memref.dealloc %mr : memref<16xf32>
  return %a, %b, %c : f32, f32, f32
}

// -----

// An input that nothing but its wait uses after its group is launched
// (by group_launch, by group_end, or by the call itself outside a group)
// gives its range to the buffers after it where the runtime reuses inputs,
// asked once, before the first buffer whose offsets differ: %h and %k take
// %g's range then, ranges after it otherwise. The window has room for
// either layout.
func.func private @replica_mpi_group_start()
func.func private @replica_mpi_group_launch()
func.func private @replica_mpi_group_end()
func.func private @replica_mpi_all_reduce_f32(memref<?xf32>, memref<?xf32>, i32)
func.func private @replica_mpi_wait_f32(memref<?xf32>, memref<?xf32>)
// CHECK:       module attributes {replica.mpi_shared_window_bytes = 192 : i64, replica.mpi_window_bytes = 192 : i64}
// CHECK-LABEL: func.func @reused
// CHECK:       %[[W0:.*]] = call @replica_mpi_window
// CHECK:       %[[AT0:.*]] = arith.constant 0 : index
// CHECK:       %[[G:.*]] = memref.view %[[W0]][%[[AT0]]][] : memref<?xi8> to memref<16xf32>
// CHECK:       call @replica_mpi_group_launch()
// CHECK:       %[[W1:.*]] = call @replica_mpi_window
// CHECK:       %[[PLAIN1:.*]] = arith.constant 64 : index
// CHECK:       %[[ASK:.*]] = call @replica_mpi_reuse_inputs() : () -> i32
// CHECK:       %[[REUSE:.*]] = arith.cmpi ne, %[[ASK]], %{{.*}} : i32
// CHECK:       %[[REUSED1:.*]] = arith.constant 0 : index
// CHECK:       %[[AT1:.*]] = arith.select %[[REUSE]], %[[REUSED1]], %[[PLAIN1]] : index
// CHECK:       %[[H:.*]] = memref.view %[[W1]][%[[AT1]]][] : memref<?xi8> to memref<16xf32>
// CHECK:       linalg.fill ins(%{{.*}} : f32) outs(%[[H]] :
// CHECK:       call @replica_mpi_group_end()
// CHECK:       %[[W2:.*]] = call @replica_mpi_window
// CHECK:       %[[PLAIN2:.*]] = arith.constant 128 : index
// CHECK-NOT:   call @replica_mpi_reuse_inputs
// CHECK:       %[[REUSED2:.*]] = arith.constant 0 : index
// CHECK:       %[[AT2:.*]] = arith.select %[[REUSE]], %[[REUSED2]], %[[PLAIN2]] : index
// CHECK:       %[[K:.*]] = memref.view %[[W2]][%[[AT2]]][] : memref<?xi8> to memref<16xf32>
// CHECK:       linalg.fill ins(%{{.*}} : f32) outs(%[[K]] :
// CHECK-NOT:   arith.select
// CHECK:       return
// CHECK:       func.func private @replica_mpi_reuse_inputs() -> i32
func.func @reused(%x: f32) -> (f32, f32, f32) {
  %kind = arith.constant 0 : i32
  %c0 = arith.constant 0 : index
  %g = memref.alloc() : memref<16xf32>
  linalg.fill ins(%x : f32) outs(%g : memref<16xf32>)
  call @replica_mpi_group_start() : () -> ()
  %gin = memref.cast %g : memref<16xf32> to memref<?xf32>
  %gr = memref.alloc() : memref<16xf32>
  %gout = memref.cast %gr : memref<16xf32> to memref<?xf32>
  call @replica_mpi_all_reduce_f32(%gin, %gout, %kind) : (memref<?xf32>, memref<?xf32>, i32) -> ()
  call @replica_mpi_group_launch() : () -> ()
  %h = memref.alloc() : memref<16xf32>
  linalg.fill ins(%x : f32) outs(%h : memref<16xf32>)
  call @replica_mpi_group_start() : () -> ()
  %hin = memref.cast %h : memref<16xf32> to memref<?xf32>
  %hr = memref.alloc() : memref<16xf32>
  %hout = memref.cast %hr : memref<16xf32> to memref<?xf32>
  call @replica_mpi_all_reduce_f32(%hin, %hout, %kind) : (memref<?xf32>, memref<?xf32>, i32) -> ()
  call @replica_mpi_group_end() : () -> ()
  %k = memref.alloc() : memref<16xf32>
  linalg.fill ins(%x : f32) outs(%k : memref<16xf32>)
  %kin = memref.cast %k : memref<16xf32> to memref<?xf32>
  %kr = memref.alloc() : memref<16xf32>
  %kout = memref.cast %kr : memref<16xf32> to memref<?xf32>
  call @replica_mpi_all_reduce_f32(%kin, %kout, %kind) : (memref<?xf32>, memref<?xf32>, i32) -> ()
  call @replica_mpi_wait_f32(%gin, %gout) : (memref<?xf32>, memref<?xf32>) -> ()
  %a = memref.load %gr[%c0] : memref<16xf32>
  %b = memref.load %hr[%c0] : memref<16xf32>
  %c = memref.load %kr[%c0] : memref<16xf32>
  memref.dealloc %g : memref<16xf32>
  memref.dealloc %h : memref<16xf32>
  memref.dealloc %k : memref<16xf32>
  memref.dealloc %gr : memref<16xf32>
  memref.dealloc %hr : memref<16xf32>
  memref.dealloc %kr : memref<16xf32>
  return %a, %b, %c : f32, f32, f32
}

// -----

// In a loop body the runtime is asked in the body, each iteration. Calls
// inside a region whose group was opened outside it keep their inputs
// until the deallocation: their launch is not in their block.
func.func private @replica_mpi_group_start()
func.func private @replica_mpi_group_launch()
func.func private @replica_mpi_all_reduce_f32(memref<?xf32>, memref<?xf32>, i32)
func.func private @replica_mpi_wait_f32(memref<?xf32>, memref<?xf32>)
// CHECK-LABEL: func.func @loop
// CHECK:       scf.for
// CHECK:         call @replica_mpi_group_launch()
// CHECK:         %[[ASK:.*]] = func.call @replica_mpi_reuse_inputs() : () -> i32
// CHECK:         arith.select
// CHECK:         scf.yield
func.func @loop(%x: f32, %n: index) -> f32 {
  %kind = arith.constant 0 : i32
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f32
  %sum = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %zero) -> (f32) {
    %g = memref.alloc() : memref<16xf32>
    linalg.fill ins(%x : f32) outs(%g : memref<16xf32>)
    func.call @replica_mpi_group_start() : () -> ()
    %gin = memref.cast %g : memref<16xf32> to memref<?xf32>
    %gr = memref.alloc() : memref<16xf32>
    %gout = memref.cast %gr : memref<16xf32> to memref<?xf32>
    func.call @replica_mpi_all_reduce_f32(%gin, %gout, %kind) : (memref<?xf32>, memref<?xf32>, i32) -> ()
    func.call @replica_mpi_group_launch() : () -> ()
    %h = memref.alloc() : memref<16xf32>
    linalg.fill ins(%x : f32) outs(%h : memref<16xf32>)
    func.call @replica_mpi_group_start() : () -> ()
    %hin = memref.cast %h : memref<16xf32> to memref<?xf32>
    %hr = memref.alloc() : memref<16xf32>
    %hout = memref.cast %hr : memref<16xf32> to memref<?xf32>
    func.call @replica_mpi_all_reduce_f32(%hin, %hout, %kind) : (memref<?xf32>, memref<?xf32>, i32) -> ()
    func.call @replica_mpi_group_launch() : () -> ()
    func.call @replica_mpi_wait_f32(%gin, %gout) : (memref<?xf32>, memref<?xf32>) -> ()
    func.call @replica_mpi_wait_f32(%hin, %hout) : (memref<?xf32>, memref<?xf32>) -> ()
    %a = memref.load %gr[%c0] : memref<16xf32>
    %b = memref.load %hr[%c0] : memref<16xf32>
    %s = arith.addf %a, %b : f32
    %t = arith.addf %acc, %s : f32
    memref.dealloc %g : memref<16xf32>
    memref.dealloc %h : memref<16xf32>
    memref.dealloc %gr : memref<16xf32>
    memref.dealloc %hr : memref<16xf32>
    scf.yield %t : f32
  }
  return %sum : f32
}

// CHECK-LABEL: func.func @opened_outside
// CHECK-NOT:   arith.select
// CHECK:       return
func.func @opened_outside(%x: f32) -> f32 {
  %kind = arith.constant 0 : i32
  %c0 = arith.constant 0 : index
  call @replica_mpi_group_start() : () -> ()
  %a = scf.execute_region -> f32 {
    %g = memref.alloc() : memref<16xf32>
    linalg.fill ins(%x : f32) outs(%g : memref<16xf32>)
    %gin = memref.cast %g : memref<16xf32> to memref<?xf32>
    %gr = memref.alloc() : memref<16xf32>
    %gout = memref.cast %gr : memref<16xf32> to memref<?xf32>
    func.call @replica_mpi_all_reduce_f32(%gin, %gout, %kind) : (memref<?xf32>, memref<?xf32>, i32) -> ()
    %h = memref.alloc() : memref<16xf32>
    linalg.fill ins(%x : f32) outs(%h : memref<16xf32>)
    %hin = memref.cast %h : memref<16xf32> to memref<?xf32>
    %hr = memref.alloc() : memref<16xf32>
    %hout = memref.cast %hr : memref<16xf32> to memref<?xf32>
    func.call @replica_mpi_all_reduce_f32(%hin, %hout, %kind) : (memref<?xf32>, memref<?xf32>, i32) -> ()
    %v = memref.load %gr[%c0] : memref<16xf32>
    %w = memref.load %hr[%c0] : memref<16xf32>
    %s = arith.addf %v, %w : f32
    memref.dealloc %g : memref<16xf32>
    memref.dealloc %gr : memref<16xf32>
    memref.dealloc %h : memref<16xf32>
    memref.dealloc %hr : memref<16xf32>
    scf.yield %s : f32
  }
  call @replica_mpi_group_launch() : () -> ()
  return %a : f32
}
