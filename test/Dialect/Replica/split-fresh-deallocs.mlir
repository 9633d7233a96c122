// RUN: replica-opt %s -replica-split-fresh-deallocs -split-input-file | FileCheck %s

// Distinct allocations: one dealloc each, with its own condition.
// CHECK-LABEL: func.func @distinct
// CHECK-SAME:    (%[[C:.*]]: i1)
// CHECK:         %[[TRUE:.*]] = arith.constant true
// CHECK:         %[[A:.*]] = memref.alloc() : memref<8xf32>
// CHECK:         %[[B:.*]] = memref.alloc() : memref<4xi8>
// CHECK:         bufferization.dealloc (%[[A]] : memref<8xf32>) if (%[[TRUE]])
// CHECK-NEXT:    bufferization.dealloc (%[[B]] : memref<4xi8>) if (%[[C]])
// CHECK-NEXT:    return
func.func @distinct(%c: i1) {
  %true = arith.constant true
  %a = memref.alloc() : memref<8xf32>
  %b = memref.alloc() : memref<4xi8>
  bufferization.dealloc (%a, %b : memref<8xf32>, memref<4xi8>) if (%true, %c)
  return
}

// -----

// A dealloc that retains a buffer, frees a view or frees one buffer twice
// is left to buffer-deallocation-simplification, which checks aliasing.
// CHECK-LABEL: func.func @left_alone
// CHECK:         bufferization.dealloc (%{{.*}}, %{{.*}} : memref<8xf32>, memref<8xf32>) if (%{{.*}}, %{{.*}}) retain (%{{.*}} : memref<8xf32>)
// CHECK:         bufferization.dealloc (%{{.*}}, %{{.*}} : memref<8xf32>, memref<4xf32, strided<[1]>>) if
// CHECK:         bufferization.dealloc (%{{.*}}, %{{.*}} : memref<8xf32>, memref<8xf32>) if
func.func @left_alone(%c: i1, %r: memref<8xf32>) -> (i1, i1) {
  %a = memref.alloc() : memref<8xf32>
  %b = memref.alloc() : memref<8xf32>
  %o:1 = bufferization.dealloc (%a, %b : memref<8xf32>, memref<8xf32>) if (%c, %c) retain (%r : memref<8xf32>)
  %d = memref.alloc() : memref<8xf32>
  %v = memref.subview %d[0] [4] [1] : memref<8xf32> to memref<4xf32, strided<[1]>>
  bufferization.dealloc (%d, %v : memref<8xf32>, memref<4xf32, strided<[1]>>) if (%c, %c)
  %e = memref.alloc() : memref<8xf32>
  bufferization.dealloc (%e, %e : memref<8xf32>, memref<8xf32>) if (%c, %c)
  return %o#0, %c : i1, i1
}
