// RUN: replica-opt %s -replica-flatten-elementwise -split-input-file | FileCheck %s

// A fill of a contiguous buffer fills its one-dimensional view.
// CHECK-LABEL: func.func @fill_contiguous
//  CHECK-SAME:   (%[[V:.*]]: f32, %[[B:.*]]: memref<8x4x3x3xf32>, %[[S:.*]]: memref<8x4x3x3xf32, strided<[36, 9, 3, 1], offset: ?>>)
//       CHECK:   %[[FLAT:.*]] = memref.collapse_shape %[[B]] {{\[}}[0, 1, 2, 3]] : memref<8x4x3x3xf32> into memref<288xf32>
//       CHECK:   linalg.fill ins(%[[V]] : f32) outs(%[[FLAT]] : memref<288xf32>)
//       CHECK:   %[[SFLAT:.*]] = memref.collapse_shape %[[S]] {{\[}}[0, 1, 2, 3]]
//  CHECK-SAME:     into memref<288xf32, strided<[1], offset: ?>>
//       CHECK:   linalg.fill ins(%[[V]] : f32) outs(%[[SFLAT]] : memref<288xf32, strided<[1], offset: ?>>)
//   CHECK-NOT:   linalg.fill
func.func @fill_contiguous(%v: f32, %b: memref<8x4x3x3xf32>,
                           %s: memref<8x4x3x3xf32, strided<[36, 9, 3, 1], offset: ?>>) {
  linalg.fill ins(%v : f32) outs(%b : memref<8x4x3x3xf32>)
  linalg.fill ins(%v : f32) outs(%s : memref<8x4x3x3xf32, strided<[36, 9, 3, 1], offset: ?>>)
  return
}

// -----

// Strided views with gaps, one-dimensional buffers and tensors are left as
// they are.
// CHECK-LABEL: func.func @fill_left_alone
//   CHECK-NOT:   memref.collapse_shape
//       CHECK:   linalg.fill {{.*}} outs(%{{.*}} : memref<8x4x3x3xf32, strided<[72, 9, 3, 1], offset: ?>>)
//       CHECK:   linalg.fill {{.*}} outs(%{{.*}} : memref<8x4xf32, strided<[8, 1]>>)
//       CHECK:   linalg.fill {{.*}} outs(%{{.*}} : memref<16xf32>)
//       CHECK:   linalg.fill {{.*}} outs(%{{.*}} : tensor<8x4xf32>) -> tensor<8x4xf32>
func.func @fill_left_alone(%v: f32,
                           %gap: memref<8x4x3x3xf32, strided<[72, 9, 3, 1], offset: ?>>,
                           %rows: memref<8x4xf32, strided<[8, 1]>>,
                           %flat: memref<16xf32>, %t: tensor<8x4xf32>) -> tensor<8x4xf32> {
  linalg.fill ins(%v : f32) outs(%gap : memref<8x4x3x3xf32, strided<[72, 9, 3, 1], offset: ?>>)
  linalg.fill ins(%v : f32) outs(%rows : memref<8x4xf32, strided<[8, 1]>>)
  linalg.fill ins(%v : f32) outs(%flat : memref<16xf32>)
  %r = linalg.fill ins(%v : f32) outs(%t : tensor<8x4xf32>) -> tensor<8x4xf32>
  return %r : tensor<8x4xf32>
}

// -----

// An elementwise generic on contiguous buffers runs over one dimension, its
// body unchanged.
#id = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK: #[[$ID1:.*]] = affine_map<(d0) -> (d0)>
// CHECK-LABEL: func.func @generic_elementwise
//  CHECK-SAME:   (%[[A:.*]]: memref<4x3x3xf32>, %[[B:.*]]: memref<4x3x3xf32>)
//   CHECK-DAG:   %[[FA:.*]] = memref.collapse_shape %[[A]] {{\[}}[0, 1, 2]] : memref<4x3x3xf32> into memref<36xf32>
//   CHECK-DAG:   %[[FB:.*]] = memref.collapse_shape %[[B]] {{\[}}[0, 1, 2]] : memref<4x3x3xf32> into memref<36xf32>
//       CHECK:   linalg.generic {indexing_maps = [#[[$ID1]], #[[$ID1]], #[[$ID1]]], iterator_types = ["parallel"]}
//  CHECK-SAME:     ins(%{{.*}}, %{{.*}} : memref<36xf32>, memref<36xf32>) outs(%{{.*}} : memref<36xf32>)
//       CHECK:     arith.mulf
//       CHECK:     linalg.yield
func.func @generic_elementwise(%a: memref<4x3x3xf32>, %b: memref<4x3x3xf32>) {
  linalg.generic {indexing_maps = [#id, #id, #id],
                  iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%a, %b : memref<4x3x3xf32>, memref<4x3x3xf32>) outs(%a : memref<4x3x3xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %r = arith.mulf %x, %y : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// Transposes, broadcasts and reductions keep their loop nests.
#id2 = affine_map<(d0, d1) -> (d0, d1)>
#tr2 = affine_map<(d0, d1) -> (d1, d0)>
#row = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @generic_left_alone
//   CHECK-NOT:   memref.collapse_shape
//       CHECK:   linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]
//  CHECK-SAME:     ins(%{{.*}} : memref<4x4xf32>) outs(%{{.*}} : memref<4x4xf32>)
//       CHECK:   linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
//  CHECK-SAME:     ins(%{{.*}} : memref<4x4xf32>) outs(%{{.*}} : memref<4xf32>)
func.func @generic_left_alone(%a: memref<4x4xf32>, %b: memref<4x4xf32>, %s: memref<4xf32>) {
  linalg.generic {indexing_maps = [#tr2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%a : memref<4x4xf32>) outs(%b : memref<4x4xf32>) {
  ^bb0(%x: f32, %o: f32):
    linalg.yield %x : f32
  }
  linalg.generic {indexing_maps = [#id2, #row], iterator_types = ["parallel", "reduction"]}
      ins(%a : memref<4x4xf32>) outs(%s : memref<4xf32>) {
  ^bb0(%x: f32, %o: f32):
    %r = arith.addf %x, %o : f32
    linalg.yield %r : f32
  }
  return
}
