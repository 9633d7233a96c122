// RUN: replica-opt %s "-replica-fuse-reductions=bytes-per-pack=0 alignment=4" -split-input-file | FileCheck %s

// Members computed by destination-style ops from a tensor.empty get their
// pack slice as that init: the pack is created before the first producer,
// each slice is taken just before the root of its member's chain of
// producers (the fill under the matmul) and inserted right after its last
// producer. Other members (a block argument) are copied in at the pack.
// CHECK-LABEL: func.func @chain(
// CHECK:         replica.replicate<2> (%[[A:[A-Za-z0-9_]+]] = %{{.*}}, %[[B:[A-Za-z0-9_]+]] = %{{.*}}, %[[V:[A-Za-z0-9_]+]] = %{{.*}}, %[[W:[A-Za-z0-9_]+]] = %{{.*}})
// CHECK:         %[[PACK:.*]] = tensor.empty() : tensor<16xf32>
// CHECK:         %[[S0:.*]] = tensor.extract_slice %[[PACK]][0] [8] [1]
// CHECK:         %[[I0:.*]] = tensor.expand_shape %[[S0]] {{\[\[}}0, 1]] output_shape [2, 4]
// CHECK:         %[[F:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[I0]] : tensor<2x4xf32>)
// CHECK:         %[[MM:.*]] = linalg.matmul ins(%[[A]], %[[B]] : {{.*}}) outs(%[[F]] : tensor<2x4xf32>)
// CHECK:         %[[C0:.*]] = tensor.collapse_shape %[[MM]] {{\[\[}}0, 1]]
// CHECK:         %[[P0:.*]] = tensor.insert_slice %[[C0]] into %[[PACK]][0] [8] [1]
// CHECK:         %[[S1:.*]] = tensor.extract_slice %[[P0]][8] [5] [1]
// CHECK:         %[[SQ:.*]] = linalg.mul ins(%[[V]], %[[V]] : {{.*}}) outs(%[[S1]] : tensor<5xf32>)
// CHECK:         %[[P1:.*]] = tensor.insert_slice %[[SQ]] into %[[P0]][8] [5] [1]
// CHECK:         %[[P2:.*]] = tensor.insert_slice %[[W]] into %[[P1]][13] [3] [1]
// CHECK:         replica.all_reduce sum %[[P2]] : tensor<16xf32>
func.func @chain(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>, %v: tensor<5xf32>, %w: tensor<3xf32>) -> (tensor<2x4xf32>, tensor<5xf32>, tensor<3xf32>) {
  %r:3 = replica.replicate<2> (%a0 = %a, %b0 = %b, %v0 = %v, %w0 = %w) : (tensor<2x3xf32>, tensor<3x4xf32>, tensor<5xf32>, tensor<3xf32>) -> (!replica.per_replica<2 x tensor<2x4xf32>>, !replica.per_replica<2 x tensor<5xf32>>, !replica.per_replica<2 x tensor<3xf32>>) {
    %zero = arith.constant 0.0 : f32
    %e0 = tensor.empty() : tensor<2x4xf32>
    %z = linalg.fill ins(%zero : f32) outs(%e0 : tensor<2x4xf32>) -> tensor<2x4xf32>
    %mm = linalg.matmul ins(%a0, %b0 : tensor<2x3xf32>, tensor<3x4xf32>) outs(%z : tensor<2x4xf32>) -> tensor<2x4xf32>
    %e1 = tensor.empty() : tensor<5xf32>
    %sq = linalg.mul ins(%v0, %v0 : tensor<5xf32>, tensor<5xf32>) outs(%e1 : tensor<5xf32>) -> tensor<5xf32>
    %g0 = replica.all_reduce sum %mm : tensor<2x4xf32>
    %g1 = replica.all_reduce sum %sq : tensor<5xf32>
    %g2 = replica.all_reduce sum %w0 : tensor<3xf32>
    replica.yield %g0, %g1, %g2 : tensor<2x4xf32>, tensor<5xf32>, tensor<3xf32>
  }
  %x = replica.select_replica %r#0[0] : !replica.per_replica<2 x tensor<2x4xf32>> -> tensor<2x4xf32>
  %y = replica.select_replica %r#1[0] : !replica.per_replica<2 x tensor<5xf32>> -> tensor<5xf32>
  %z = replica.select_replica %r#2[0] : !replica.per_replica<2 x tensor<3xf32>> -> tensor<3xf32>
  return %x, %y, %z : tensor<2x4xf32>, tensor<5xf32>, tensor<3xf32>
}

// -----

// Producers whose chains overlap: the second member's chain (fill, then
// mul) encloses the first member's producer, so the slices cannot be
// threaded through both; the first is copied in at the pack instead.
// CHECK-LABEL: func.func @overlapping_chains(
// CHECK:         %[[PACK:.*]] = tensor.empty() : tensor<8xf32>
// CHECK:         %[[S:.*]] = tensor.extract_slice %[[PACK]][4] [4] [1]
// CHECK:         %[[F:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[S]] : tensor<4xf32>)
// CHECK:         %[[FIRST:.*]] = linalg.add ins(%{{.*}}, %{{.*}} : {{.*}}) outs(%{{.*}} : tensor<4xf32>)
// CHECK:         %[[SECOND:.*]] = linalg.mul ins(%{{.*}}, %{{.*}} : {{.*}}) outs(%[[F]] : tensor<4xf32>)
// CHECK:         %[[P0:.*]] = tensor.insert_slice %[[SECOND]] into %[[PACK]][4] [4] [1]
// CHECK:         %[[P1:.*]] = tensor.insert_slice %[[FIRST]] into %[[P0]][0] [4] [1]
// CHECK:         replica.all_reduce sum %[[P1]] : tensor<8xf32>
func.func @overlapping_chains(%v: tensor<4xf32>, %s: f32) -> !replica.per_replica<2 x tensor<4xf32>> {
  %r = replica.replicate<2> (%v0 = %v, %s0 = %s) : (tensor<4xf32>, f32) -> !replica.per_replica<2 x tensor<4xf32>> {
    %e0 = tensor.empty() : tensor<4xf32>
    %f = linalg.fill ins(%s0 : f32) outs(%e0 : tensor<4xf32>) -> tensor<4xf32>
    %e1 = tensor.empty() : tensor<4xf32>
    %first = linalg.add ins(%v0, %v0 : tensor<4xf32>, tensor<4xf32>) outs(%e1 : tensor<4xf32>) -> tensor<4xf32>
    %second = linalg.mul ins(%v0, %v0 : tensor<4xf32>, tensor<4xf32>) outs(%f : tensor<4xf32>) -> tensor<4xf32>
    %g0 = replica.all_reduce sum %first : tensor<4xf32>
    %g1 = replica.all_reduce sum %second : tensor<4xf32>
    %g = arith.addf %g0, %g1 : tensor<4xf32>
    replica.yield %g : tensor<4xf32>
  }
  return %r : !replica.per_replica<2 x tensor<4xf32>>
}

// -----

// Copied in, not computed in place: a producer in another block, one whose
// init is not a tensor.empty (its contents are read), a producer with two
// results, and a scalar.
// CHECK-LABEL: func.func @copied(
// CHECK:         scf.for
// CHECK:           %[[PACK:.*]] = tensor.empty() : tensor<13xf32>
// CHECK-NOT:       tensor.extract_slice %[[PACK]]
// CHECK:           tensor.insert_slice %{{.*}} into %[[PACK]][0] [4] [1]
// CHECK:           tensor.insert_slice
// CHECK:           tensor.insert_slice
// CHECK:           tensor.from_elements
// CHECK:           tensor.insert_slice
// CHECK:           replica.all_reduce sum %{{.*}} : tensor<13xf32>
func.func @copied(%v: tensor<4xf32>, %acc: tensor<4xf32>, %s: f32, %n: index) -> !replica.per_replica<2 x tensor<4xf32>> {
  %r = replica.replicate<2> (%v0 = %v, %acc0 = %acc, %s0 = %s) : (tensor<4xf32>, tensor<4xf32>, f32) -> !replica.per_replica<2 x tensor<4xf32>> {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %e0 = tensor.empty() : tensor<4xf32>
    %outside = linalg.add ins(%v0, %v0 : tensor<4xf32>, tensor<4xf32>) outs(%e0 : tensor<4xf32>) -> tensor<4xf32>
    %res = scf.for %i = %c0 to %n step %c1 iter_args(%it = %v0) -> tensor<4xf32> {
      %reads = linalg.add ins(%it, %v0 : tensor<4xf32>, tensor<4xf32>) outs(%acc0 : tensor<4xf32>) -> tensor<4xf32>
      %e1 = tensor.empty() : tensor<4xf32>
      %e2 = tensor.empty() : tensor<4xf32>
      %two:2 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]}
          ins(%it : tensor<4xf32>) outs(%e1, %e2 : tensor<4xf32>, tensor<4xf32>) {
        ^bb0(%in: f32, %o1: f32, %o2: f32):
          %d = arith.addf %in, %in : f32
          linalg.yield %d, %in : f32, f32
      } -> (tensor<4xf32>, tensor<4xf32>)
      %g0 = replica.all_reduce sum %outside : tensor<4xf32>
      %g1 = replica.all_reduce sum %reads : tensor<4xf32>
      %g2 = replica.all_reduce sum %two#0 : tensor<4xf32>
      %g3 = replica.all_reduce sum %s0 : f32
      %t = arith.addf %g0, %g1 : tensor<4xf32>
      %u = arith.addf %t, %g2 : tensor<4xf32>
      %sp = tensor.splat %g3 : tensor<4xf32>
      %w = arith.addf %u, %sp : tensor<4xf32>
      scf.yield %w : tensor<4xf32>
    }
    replica.yield %res : tensor<4xf32>
  }
  return %r : !replica.per_replica<2 x tensor<4xf32>>
}
