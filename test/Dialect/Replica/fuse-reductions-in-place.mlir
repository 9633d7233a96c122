// RUN: replica-opt %s "-replica-fuse-reductions=bytes-per-pack=0 alignment=4" -split-input-file | FileCheck %s
// RUN: split-file %s %t
// RUN: replica-opt %t/chain.mlir "-replica-fuse-reductions=bytes-per-pack=0 alignment=4 report=%t.chain.json" -o /dev/null
// RUN: FileCheck %s --input-file=%t.chain.json --check-prefix=CHAIN
// RUN: replica-opt %t/copied.mlir "-replica-fuse-reductions=bytes-per-pack=0 alignment=4 report=%t.copied.json" -o /dev/null
// RUN: FileCheck %s --input-file=%t.copied.json --check-prefix=COPIED

// A pack takes all its members at once, in program order, without slices:
// there is nothing for one-shot bufferization to thread through the
// producers. Members computed by destination-style ops from a tensor.empty
// in the block are the ones replica-pack-in-place allocates in the pack
// once bufferized (the report's in_place); a block argument is copied in.
// CHECK-LABEL: func.func @chain(
// CHECK:         replica.replicate<2> (%[[A:[A-Za-z0-9_]+]] = %{{.*}}, %[[B:[A-Za-z0-9_]+]] = %{{.*}}, %[[V:[A-Za-z0-9_]+]] = %{{.*}}, %[[W:[A-Za-z0-9_]+]] = %{{.*}})
// CHECK:         %[[F:.*]] = linalg.fill
// CHECK:         %[[MM:.*]] = linalg.matmul ins(%[[A]], %[[B]] : {{.*}}) outs(%[[F]] : tensor<2x4xf32>)
// CHECK:         %[[SQ:.*]] = linalg.mul ins(%[[V]], %[[V]] : {{.*}})
// CHECK-NOT:     tensor.insert_slice
// CHECK:         %[[P:.*]] = replica.pack %[[MM]], %[[SQ]], %[[W]] offsets [0, 8, 13] : tensor<2x4xf32>, tensor<5xf32>, tensor<3xf32> -> tensor<16xf32>
// CHECK:         %[[R:.*]] = replica.all_reduce sum %[[P]] : tensor<16xf32>
// CHECK:         %[[M:.*]]:3 = replica.split_pack %[[R]] offsets [0, 8, 13] : tensor<16xf32> -> tensor<2x4xf32>, tensor<5xf32>, tensor<3xf32>
// CHECK:         replica.yield %[[M]]#0, %[[M]]#1, %[[M]]#2
// CHAIN:         "copies_avoided": 4
// CHAIN:         "in_place": true
// CHAIN:         "type": "tensor<2x4xf32>"
// CHAIN:         "in_place": true
// CHAIN:         "type": "tensor<5xf32>"
// CHAIN:         "in_place": false
// CHAIN:         "type": "tensor<3xf32>"
// CHAIN:         "in_place": true
// CHAIN:         "in_place": true
//--- chain.mlir
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

// Producers whose chains overlap (the second member's fill comes before the
// first member's producer) need nothing special: each member is a buffer of
// its own until replica-pack-in-place allocates it in the pack.
// CHECK-LABEL: func.func @overlapping_chains(
// CHECK:         %[[F:.*]] = linalg.fill
// CHECK:         %[[FIRST:.*]] = linalg.add
// CHECK:         %[[SECOND:.*]] = linalg.mul ins(%{{.*}}, %{{.*}} : {{.*}}) outs(%[[F]] : tensor<4xf32>)
// CHECK:         replica.pack %[[FIRST]], %[[SECOND]] offsets [0, 4]
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
// init is not a tensor.empty (its contents are read), and a scalar. A
// producer with two results is computed in place.
// CHECK-LABEL: func.func @copied(
// CHECK:         %[[OUT:.*]] = linalg.add
// CHECK:         scf.for
// CHECK:           %[[READS:.*]] = linalg.add
// CHECK:           %[[TWO:.*]]:2 = linalg.generic
// CHECK:           %[[S:.*]] = tensor.from_elements
// CHECK:           %[[P:.*]] = replica.pack %[[OUT]], %[[READS]], %[[TWO]]#0, %[[S]] offsets [0, 4, 8, 12] : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<1xf32> -> tensor<13xf32>
// CHECK:           replica.all_reduce sum %[[P]] : tensor<13xf32>
// COPIED:        "copies_avoided": 2
// COPIED:        "in_place": false
// COPIED:        "in_place": false
// COPIED:        "in_place": true
// COPIED:        "in_place": false
//--- copied.mlir
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

// -----

// A tensor.empty that a member's producer shares with a later computation
// is split: the member gets its own, so the later fill does not write into
// the buffer that replica-pack-in-place allocates in the pack.
// CHECK-LABEL: func.func @shared_empty(
// CHECK:         %[[E0:.*]] = tensor.empty() : tensor<4xf32>
// CHECK:         %[[E1:.*]] = tensor.empty() : tensor<4xf32>
// CHECK:         %[[G:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[E1]] : tensor<4xf32>)
// CHECK:         replica.pack %[[G]], %{{.*}} offsets [0, 4]
// CHECK:         linalg.fill ins(%{{.*}} : f32) outs(%[[E0]] : tensor<4xf32>)
module attributes {replica.num_replicas = 2 : i64} {
  func.func @shared_empty(%s: f32, %t: f32, %v: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
    %e = tensor.empty() : tensor<4xf32>
    %g = linalg.fill ins(%s : f32) outs(%e : tensor<4xf32>) -> tensor<4xf32>
    %rg = replica.all_reduce sum %g : tensor<4xf32>
    %rv = replica.all_reduce sum %v : tensor<4xf32>
    %h = linalg.fill ins(%t : f32) outs(%e : tensor<4xf32>) -> tensor<4xf32>
    return %rg, %rv, %h : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
  }
}
