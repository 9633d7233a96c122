// RUN: replica-opt %s -replica-pack-in-place -canonicalize -split-input-file | FileCheck %s

// The bufferized form of a pack: a fresh 1-D buffer and a copy of each
// member into its slot. Members allocated in the block are allocated as
// views of the pack's bytes (before the first of them) and their copies
// go; a function argument stays copied in.
// CHECK-LABEL: func.func @members(
// CHECK-SAME:    %[[ARG:[A-Za-z0-9_]+]]: memref<4xf32>
// CHECK-DAG:     %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG:     %[[C96:.*]] = arith.constant 96 : index
// CHECK:         %[[BYTES:.*]] = memref.alloc() {alignment = 64 : i64} : memref<192xi8>
// CHECK:         %[[PACK:.*]] = memref.view %[[BYTES]][%[[C0]]][] : memref<192xi8> to memref<48xf32>
// CHECK:         %[[G:.*]] = memref.view %[[BYTES]][%[[C0]]][] : memref<192xi8> to memref<2x4xf32>
// CHECK:         linalg.fill ins(%{{.*}} : f32) outs(%[[G]] : memref<2x4xf32>)
// CHECK:         %[[H:.*]] = memref.view %[[BYTES]][%[[C96]]][] : memref<192xi8> to memref<4xf32>
// CHECK:         linalg.fill ins(%{{.*}} : f32) outs(%[[H]] : memref<4xf32>)
// CHECK:         %[[SLOT:.*]] = memref.subview %[[PACK]][32] [4] [1]
// CHECK:         memref.copy %[[ARG]], %[[SLOT]]
// CHECK-NOT:     memref.copy
// CHECK:         return %[[PACK]]
func.func @members(%arg: memref<4xf32>, %x: f32) -> memref<48xf32> {
  %g = memref.alloc() : memref<2x4xf32>
  linalg.fill ins(%x : f32) outs(%g : memref<2x4xf32>)
  %h = memref.alloc() : memref<4xf32>
  linalg.fill ins(%x : f32) outs(%h : memref<4xf32>)
  %pack = memref.alloc() {alignment = 64 : i64} : memref<48xf32>
  %s0 = memref.subview %pack[0] [8] [1] : memref<48xf32> to memref<8xf32, strided<[1]>>
  %s0e = memref.expand_shape %s0 [[0, 1]] output_shape [2, 4] : memref<8xf32, strided<[1]>> into memref<2x4xf32>
  memref.copy %g, %s0e : memref<2x4xf32> to memref<2x4xf32>
  %s1 = memref.subview %pack[32] [4] [1] : memref<48xf32> to memref<4xf32, strided<[1], offset: 32>>
  memref.copy %arg, %s1 : memref<4xf32> to memref<4xf32, strided<[1], offset: 32>>
  %s2 = memref.subview %pack[24] [4] [1] : memref<48xf32> to memref<4xf32, strided<[1], offset: 24>>
  memref.copy %h, %s2 : memref<4xf32> to memref<4xf32, strided<[1], offset: 24>>
  return %pack : memref<48xf32>
}

// -----

// Left alone: a member written after the copy (the pack would see it), one
// allocated in another block, one freed, and one read after the copy while
// something writes the pack after it.
// CHECK-LABEL: func.func @kept(
// CHECK-NOT:     memref.view
// CHECK-COUNT-4: memref.copy
// CHECK-NOT:     memref.view
func.func @kept(%x: f32, %n: index) -> memref<64xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %outer = memref.alloc() : memref<4xf32>
  linalg.fill ins(%x : f32) outs(%outer : memref<4xf32>)
  %pack = memref.alloc() : memref<64xf32>
  scf.for %i = %c0 to %n step %c1 {
    %written = memref.alloc() : memref<4xf32>
    linalg.fill ins(%x : f32) outs(%written : memref<4xf32>)
    %freed = memref.alloc() : memref<4xf32>
    linalg.fill ins(%x : f32) outs(%freed : memref<4xf32>)
    %read = memref.alloc() : memref<4xf32>
    linalg.fill ins(%x : f32) outs(%read : memref<4xf32>)
    %inner = memref.alloc() : memref<64xf32>
    %s0 = memref.subview %inner[0] [4] [1] : memref<64xf32> to memref<4xf32, strided<[1]>>
    memref.copy %written, %s0 : memref<4xf32> to memref<4xf32, strided<[1]>>
    %s1 = memref.subview %inner[16] [4] [1] : memref<64xf32> to memref<4xf32, strided<[1], offset: 16>>
    memref.copy %freed, %s1 : memref<4xf32> to memref<4xf32, strided<[1], offset: 16>>
    %s2 = memref.subview %inner[32] [4] [1] : memref<64xf32> to memref<4xf32, strided<[1], offset: 32>>
    memref.copy %read, %s2 : memref<4xf32> to memref<4xf32, strided<[1], offset: 32>>
    linalg.fill ins(%x : f32) outs(%written : memref<4xf32>)
    memref.dealloc %freed : memref<4xf32>
    linalg.fill ins(%x : f32) outs(%inner : memref<64xf32>)
    %v = memref.load %read[%c0] : memref<4xf32>
    memref.store %v, %pack[%c0] : memref<64xf32>
    memref.dealloc %inner : memref<64xf32>
  }
  %s = memref.subview %pack[0] [4] [1] : memref<64xf32> to memref<4xf32, strided<[1]>>
  memref.copy %outer, %s : memref<4xf32> to memref<4xf32, strided<[1]>>
  return %pack : memref<64xf32>
}
