// RUN: replica-opt %s -split-input-file -replica-schedule-collectives | FileCheck %s
// RUN: replica-opt %s -split-input-file -replica-schedule-collectives=max-in-flight=1 | FileCheck %s --check-prefix=BOUND

// Each all-reduce starts right after its last producer and completes right
// before its first use; the computation in between overlaps it.

module attributes {replica.num_replicas = 2 : i64} {
// CHECK-LABEL: func.func @start_early_done_late(
// CHECK-SAME:    %[[W:.*]]: tensor<8xf32>, %[[X:.*]]: tensor<8xf32>)
// CHECK:         %[[G1:.*]] = arith.mulf %[[W]], %[[X]]
// CHECK-NEXT:    %[[F1:.*]] = replica.all_reduce_start sum %[[G1]] : tensor<8xf32>
// CHECK-NEXT:    %[[G2:.*]] = arith.mulf %[[G1]], %[[X]]
// CHECK-NEXT:    %[[F2:.*]] = replica.all_reduce_start sum %[[G2]] : tensor<8xf32>
// CHECK-NEXT:    %[[G3:.*]] = arith.mulf %[[G2]], %[[X]]
// CHECK-NEXT:    %[[R1:.*]] = replica.all_reduce_done %[[F1]] : !replica.future<tensor<8xf32>>
// CHECK-NEXT:    %[[U1:.*]] = arith.subf %[[W]], %[[R1]]
// CHECK-NEXT:    %[[R2:.*]] = replica.all_reduce_done %[[F2]]
// CHECK-NEXT:    %[[U2:.*]] = arith.subf %[[W]], %[[R2]]
// CHECK-NEXT:    return %[[U1]], %[[U2]], %[[G3]]
// BOUND-LABEL: func.func @start_early_done_late(
// BOUND:         %[[F1:.*]] = replica.all_reduce_start sum
// BOUND-NEXT:    arith.mulf
// BOUND-NEXT:    %[[R1:.*]] = replica.all_reduce_done %[[F1]]
// BOUND-NEXT:    %[[F2:.*]] = replica.all_reduce_start sum
// BOUND-NEXT:    arith.mulf
// BOUND-NEXT:    arith.subf %{{.*}}, %[[R1]]
// BOUND-NEXT:    replica.all_reduce_done %[[F2]]
func.func @start_early_done_late(%w: tensor<8xf32>, %x: tensor<8xf32>)
    -> (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) {
  %g1 = arith.mulf %w, %x : tensor<8xf32>
  %g2 = arith.mulf %g1, %x : tensor<8xf32>
  %g3 = arith.mulf %g2, %x : tensor<8xf32>
  %r1 = replica.all_reduce sum %g1 : tensor<8xf32>
  %r2 = replica.all_reduce sum %g2 : tensor<8xf32>
  %u1 = arith.subf %w, %r1 : tensor<8xf32>
  %u2 = arith.subf %w, %r2 : tensor<8xf32>
  return %u1, %u2, %g3 : tensor<8xf32>, tensor<8xf32>, tensor<8xf32>
}
}

// -----

// With nothing between the last producer and the first use, the
// all-reduce stays blocking.

module attributes {replica.num_replicas = 2 : i64} {
// CHECK-LABEL: func.func @nothing_to_overlap(
// CHECK:         %[[G:.*]] = arith.mulf
// CHECK-NEXT:    %[[R:.*]] = replica.all_reduce mean %[[G]] : tensor<8xf32>
// CHECK-NEXT:    arith.subf %{{.*}}, %[[R]]
// CHECK-NOT:     replica.all_reduce_start
func.func @nothing_to_overlap(%w: tensor<8xf32>, %x: tensor<8xf32>) -> tensor<8xf32> {
  %g = arith.mulf %w, %x : tensor<8xf32>
  %r = replica.all_reduce mean %g : tensor<8xf32>
  %u = arith.subf %w, %r : tensor<8xf32>
  return %u : tensor<8xf32>
}
}

// -----

// A pack moves with its collective: laid out right after its last member,
// taken apart right before the first use of a member. Batches (packs
// launched together) start as one.

module attributes {replica.num_replicas = 2 : i64} {
// CHECK-LABEL: func.func @packs_move_with_their_collective(
// CHECK:         %[[A:.*]] = arith.mulf
// CHECK-NEXT:    %[[B:.*]] = arith.addf
// CHECK-NEXT:    %[[P:.*]] = replica.pack %[[A]], %[[B]] offsets [0, 16]
// CHECK-NEXT:    %[[F:.*]] = replica.all_reduce_start sum %[[P]], %{{.*}} : tensor<32xf32>, tensor<4xi32>
// CHECK-NEXT:    %[[C:.*]] = arith.mulf %[[A]], %[[B]]
// CHECK-NEXT:    %[[R:.*]]:2 = replica.all_reduce_done %[[F]] : !replica.future<tensor<32xf32>, tensor<4xi32>>
// CHECK-NEXT:    %[[M:.*]]:2 = replica.split_pack %[[R]]#0 offsets [0, 16]
// CHECK-NEXT:    arith.addf %[[M]]#0, %[[M]]#1
func.func @packs_move_with_their_collective(%x: tensor<4x4xf32>, %y: tensor<4x4xf32>, %i: tensor<4xi32>)
    -> (tensor<4x4xf32>, tensor<4x4xf32>, tensor<4xi32>) {
  %a = arith.mulf %x, %y : tensor<4x4xf32>
  %b = arith.addf %x, %y : tensor<4x4xf32>
  %c = arith.mulf %a, %b : tensor<4x4xf32>
  %p = replica.pack %a, %b offsets [0, 16] : tensor<4x4xf32>, tensor<4x4xf32> -> tensor<32xf32>
  %r:2 = replica.batch_all_reduce sum %p, %i : tensor<32xf32>, tensor<4xi32>
  %m:2 = replica.split_pack %r#0 offsets [0, 16] : tensor<32xf32> -> tensor<4x4xf32>, tensor<4x4xf32>
  %s = arith.addf %m#0, %m#1 : tensor<4x4xf32>
  return %s, %c, %r#1 : tensor<4x4xf32>, tensor<4x4xf32>, tensor<4xi32>
}
}

// -----

// Starts with the same last producer keep their program order; in a loop
// body, collectives move within the body.

module attributes {replica.num_replicas = 2 : i64} {
// CHECK-LABEL: func.func @program_order_in_loop(
// CHECK:         scf.for
// CHECK:           %[[G:.*]] = arith.mulf
// CHECK-NEXT:      %[[F1:.*]] = replica.all_reduce_start sum %[[G]]
// CHECK-NEXT:      %[[F2:.*]] = replica.all_reduce_start max %[[G]]
// CHECK-NEXT:      arith.addf
// CHECK-NEXT:      replica.all_reduce_done %[[F1]]
// CHECK-NEXT:      replica.all_reduce_done %[[F2]]
// CHECK-NEXT:      arith.addf
// CHECK-NEXT:      arith.addf
// CHECK-NEXT:      scf.yield
func.func @program_order_in_loop(%w: tensor<8xf32>, %n: index) -> tensor<8xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %out = scf.for %k = %c0 to %n step %c1 iter_args(%v = %w) -> tensor<8xf32> {
    %g = arith.mulf %v, %v : tensor<8xf32>
    %h = arith.addf %v, %v : tensor<8xf32>
    %s = replica.all_reduce sum %g : tensor<8xf32>
    %m = replica.all_reduce max %g : tensor<8xf32>
    %t = arith.addf %s, %m : tensor<8xf32>
    %u = arith.addf %t, %h : tensor<8xf32>
    scf.yield %u : tensor<8xf32>
  }
  return %out : tensor<8xf32>
}
}

// -----

// The cross-replica form: the unpack of the result moves with the done.

// CHECK-LABEL: func.func @cross_replica(
// CHECK:         %[[F:.*]] = replica.all_reduce_start sum %{{.*}} : !replica.per_replica<2 x tensor<8xf32>>
// CHECK-NEXT:    %[[V:.*]] = arith.mulf
// CHECK-NEXT:    %[[R:.*]] = replica.all_reduce_done %[[F]] : !replica.future<!replica.mirrored<2 x tensor<8xf32>>>
// CHECK-NEXT:    %[[U:.*]]:2 = replica.unpack %[[R]]
// CHECK-NEXT:    arith.addf %[[U]]#0, %[[V]]
func.func @cross_replica(%d: !replica.per_replica<2 x tensor<8xf32>>, %x: tensor<8xf32>) -> tensor<8xf32> {
  %r = replica.all_reduce sum %d : !replica.per_replica<2 x tensor<8xf32>>
  %u:2 = replica.unpack %r : !replica.mirrored<2 x tensor<8xf32>>
  %v = arith.mulf %x, %x : tensor<8xf32>
  %s = arith.addf %u#0, %v : tensor<8xf32>
  return %s : tensor<8xf32>
}

// -----

// Nothing moves across a side effect: the start stays below the loop that
// writes memory (it may never end on some replica), the done above the
// print.

module attributes {replica.num_replicas = 2 : i64} {
memref.global "private" @sink : memref<f32> = dense<0.0>
// CHECK-LABEL: func.func @side_effects_are_barriers(
// CHECK:         %[[G:.*]] = arith.mulf
// CHECK-NEXT:    memref.get_global
// CHECK-NEXT:    scf.for
// CHECK-NEXT:      memref.store
// CHECK-NEXT:    }
// CHECK-NEXT:    %[[F:.*]] = replica.all_reduce_start sum %[[G]]
// CHECK-NEXT:    arith.addf
// CHECK-NEXT:    %[[R:.*]] = replica.all_reduce_done %[[F]]
// CHECK-NEXT:    vector.print
// CHECK-NEXT:    arith.subf %{{.*}}, %[[R]]
func.func @side_effects_are_barriers(%w: tensor<8xf32>, %n: index, %v: f32) -> (tensor<8xf32>, tensor<8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %g = arith.mulf %w, %w : tensor<8xf32>
  %m = memref.get_global @sink : memref<f32>
  scf.for %k = %c0 to %n step %c1 {
    memref.store %v, %m[] : memref<f32>
  }
  %h = arith.addf %w, %w : tensor<8xf32>
  %r = replica.all_reduce sum %g : tensor<8xf32>
  vector.print %v : f32
  %u = arith.subf %w, %r : tensor<8xf32>
  return %u, %h : tensor<8xf32>, tensor<8xf32>
}
}

// -----

// A call of a function without side effects (the importer outlines a step
// into such calls) is no barrier: the second part's gradient is reduced
// while the third part computes. A call of one that prints is: the first
// part's gradient starts after it.

module attributes {replica.num_replicas = 2 : i64} {
func.func private @part(%x: tensor<8xf32>) -> tensor<8xf32> {
  %y = arith.mulf %x, %x : tensor<8xf32>
  return %y : tensor<8xf32>
}
func.func private @log(%x: tensor<8xf32>) -> tensor<8xf32> {
  %c0 = arith.constant 0 : index
  %e = tensor.extract %x[%c0] : tensor<8xf32>
  vector.print %e : f32
  return %x : tensor<8xf32>
}
// CHECK-LABEL: func.func @calls(
// CHECK:         %[[G1:.*]] = call @part(
// CHECK-NEXT:    call @log(
// CHECK-NEXT:    %[[F1:.*]] = replica.all_reduce_start sum %[[G1]]
// CHECK-NEXT:    %[[G2:.*]] = call @part(%[[G1]])
// CHECK-NEXT:    %[[F2:.*]] = replica.all_reduce_start sum %[[G2]]
// CHECK-NEXT:    call @part(%[[G2]])
// CHECK-NEXT:    replica.all_reduce_done %[[F1]]
// CHECK-NEXT:    replica.all_reduce_done %[[F2]]
func.func @calls(%w: tensor<8xf32>) -> (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) {
  %g1 = func.call @part(%w) : (tensor<8xf32>) -> tensor<8xf32>
  %l = func.call @log(%w) : (tensor<8xf32>) -> tensor<8xf32>
  %g2 = func.call @part(%g1) : (tensor<8xf32>) -> tensor<8xf32>
  %g3 = func.call @part(%g2) : (tensor<8xf32>) -> tensor<8xf32>
  %r1 = replica.all_reduce sum %g1 : tensor<8xf32>
  %r2 = replica.all_reduce sum %g2 : tensor<8xf32>
  return %r1, %r2, %g3 : tensor<8xf32>, tensor<8xf32>, tensor<8xf32>
}
}

// -----

// Casts and reshapes that only feed or only read an all-reduce move with
// it (chains of them included): left where they are, they would leave
// nothing to overlap.

module attributes {replica.num_replicas = 2 : i64} {
// CHECK-LABEL: func.func @casts_move_with_their_collective(
// CHECK:         %[[G:.*]] = arith.mulf
// CHECK-NEXT:    %[[FLAT:.*]] = tensor.collapse_shape %[[G]]
// CHECK-NEXT:    %[[F:.*]] = replica.all_reduce_start mean %[[FLAT]] : tensor<16xf32>
// CHECK-NEXT:    %[[H:.*]] = arith.addf
// CHECK-NEXT:    %[[K:.*]] = arith.subf
// CHECK-NEXT:    %[[R:.*]] = replica.all_reduce_done %[[F]]
// CHECK-NEXT:    %[[E:.*]] = tensor.expand_shape %[[R]]
// CHECK-NEXT:    %[[C:.*]] = tensor.cast %[[E]] : tensor<4x4xf32> to tensor<?x4xf32>
// CHECK-NEXT:    call @consume(%[[C]], %[[H]], %[[K]])
func.func private @consume(tensor<?x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>)
func.func @casts_move_with_their_collective(%x: tensor<4x4xf32>, %y: tensor<4x4xf32>) {
  %g = arith.mulf %x, %y : tensor<4x4xf32>
  %h = arith.addf %x, %y : tensor<4x4xf32>
  %flat = tensor.collapse_shape %g [[0, 1]] : tensor<4x4xf32> into tensor<16xf32>
  %r = replica.all_reduce mean %flat : tensor<16xf32>
  %e = tensor.expand_shape %r [[0, 1]] output_shape [4, 4] : tensor<16xf32> into tensor<4x4xf32>
  %c = tensor.cast %e : tensor<4x4xf32> to tensor<?x4xf32>
  %k = arith.subf %x, %y : tensor<4x4xf32>
  func.call @consume(%c, %h, %k) : (tensor<?x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>) -> ()
  return
}
}

// -----

// Starts keep their program order when the casts feeding them move too.

module attributes {replica.num_replicas = 2 : i64} {
// CHECK-LABEL: func.func @cast_starts_keep_their_order(
// CHECK:         %[[G:.*]] = arith.mulf
// CHECK-NEXT:    %[[C1:.*]] = tensor.cast %[[G]]
// CHECK-NEXT:    %[[F1:.*]] = replica.all_reduce_start sum %[[C1]]
// CHECK-NEXT:    %[[C2:.*]] = tensor.cast %[[G]]
// CHECK-NEXT:    %[[F2:.*]] = replica.all_reduce_start max %[[C2]]
// CHECK-NEXT:    arith.addf
// CHECK-NEXT:    replica.all_reduce_done %[[F1]]
// CHECK-NEXT:    replica.all_reduce_done %[[F2]]
func.func @cast_starts_keep_their_order(%x: tensor<4xf32>, %y: tensor<4xf32>)
    -> (tensor<?xf32>, tensor<?xf32>, tensor<4xf32>) {
  %g = arith.mulf %x, %y : tensor<4xf32>
  %h = arith.addf %x, %y : tensor<4xf32>
  %c1 = tensor.cast %g : tensor<4xf32> to tensor<?xf32>
  %s = replica.all_reduce sum %c1 : tensor<?xf32>
  %c2 = tensor.cast %g : tensor<4xf32> to tensor<?xf32>
  %m = replica.all_reduce max %c2 : tensor<?xf32>
  return %s, %m, %h : tensor<?xf32>, tensor<?xf32>, tensor<4xf32>
}
}
