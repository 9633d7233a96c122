// RUN: replica-opt %s | replica-opt | FileCheck %s
// RUN: replica-opt %s --mlir-print-op-generic | replica-opt | FileCheck %s

// Every op of the dialect in the syntax of the spec, printed back and parsed
// again in both the pretty and the generic form.

// CHECK-LABEL: func.func @types(
// CHECK-SAME:    %{{.*}}: !replica.per_replica<4 x tensor<16xf32>>
// CHECK-SAME:    %{{.*}}: !replica.mirrored<4 x tensor<16xf32>>
// CHECK-SAME:    %{{.*}}: !replica.per_replica<1 x index>
// CHECK-SAME:    %{{.*}}: !replica.mirrored<2 x memref<?xi8>>
// CHECK-SAME:    %{{.*}}: tuple<!replica.per_replica<2 x f32>, tuple<i32, !replica.mirrored<2 x bf16>>>
func.func @types(%a: !replica.per_replica<4 x tensor<16xf32>>,
                 %b: !replica.mirrored<4 x tensor<16xf32>>,
                 %c: !replica.per_replica<1 x index>,
                 %d: !replica.mirrored<2 x memref<?xi8>>,
                 %e: tuple<!replica.per_replica<2 x f32>, tuple<i32, !replica.mirrored<2 x bf16>>>) {
  return
}

// CHECK-LABEL: func.func @structure(
// CHECK-SAME:    %[[A:.*]]: tensor<4xf32>, %[[B:.*]]: i32, %[[D:.*]]: !replica.mirrored<3 x f16>)
func.func @structure(%a: tensor<4xf32>, %b: i32, %d: !replica.mirrored<3 x f16>)
    -> (i32, f16, f16, f16) {
  // CHECK: %[[T:.*]] = replica.tuple %[[A]], %[[B]] : tuple<tensor<4xf32>, i32>
  %t = replica.tuple %a, %b : tuple<tensor<4xf32>, i32>
  // CHECK: replica.tuple_get %[[T]][1] : tuple<tensor<4xf32>, i32> -> i32
  %g = replica.tuple_get %t[1] : tuple<tensor<4xf32>, i32> -> i32
  // CHECK: replica.tuple : tuple<>
  %empty = replica.tuple : tuple<>
  // CHECK: replica.unpack %[[D]] : !replica.mirrored<3 x f16>
  %v:3 = replica.unpack %d : !replica.mirrored<3 x f16>
  return %g, %v#0, %v#1, %v#2 : i32, f16, f16, f16
}

// CHECK-LABEL: func.func @regroup(
// CHECK-SAME:    %[[A0:[A-Za-z0-9_]+]]: tensor<16xf32>, %[[A1:[A-Za-z0-9_]+]]: tensor<16xf32>
// CHECK-SAME:    %[[F:[A-Za-z0-9_]+]]: f32
// CHECK-SAME:    %[[T0:[A-Za-z0-9_]+]]: tuple<tensor<4xf32>, i32>, %[[T1:[A-Za-z0-9_]+]]: tuple<tensor<4xf32>, i32>
func.func @regroup(%a0: tensor<16xf32>, %a1: tensor<16xf32>, %f: f32,
                   %t0: tuple<tensor<4xf32>, i32>, %t1: tuple<tensor<4xf32>, i32>) {
  // CHECK: replica.regroup %[[A0]], %[[A1]], %[[A0]], %[[A1]] : tensor<16xf32> -> !replica.per_replica<4 x tensor<16xf32>>
  %d = replica.regroup %a0, %a1, %a0, %a1 : tensor<16xf32> -> !replica.per_replica<4 x tensor<16xf32>>
  // CHECK: replica.regroup %[[A0]], %[[A1]] mirrored : tensor<16xf32> -> !replica.mirrored<2 x tensor<16xf32>>
  %m = replica.regroup %a0, %a1 mirrored : tensor<16xf32> -> !replica.mirrored<2 x tensor<16xf32>>
  // CHECK: replica.regroup %[[F]] always_wrap : f32 -> !replica.per_replica<1 x f32>
  %w = replica.regroup %f always_wrap : f32 -> !replica.per_replica<1 x f32>
  // CHECK: replica.regroup %[[F]] mirrored always_wrap : f32 -> !replica.mirrored<1 x f32>
  %mw = replica.regroup %f mirrored always_wrap : f32 -> !replica.mirrored<1 x f32>
  // CHECK: replica.regroup %[[T0]], %[[T1]] : tuple<tensor<4xf32>, i32>
  // CHECK-SAME: -> tuple<!replica.per_replica<2 x tensor<4xf32>>, !replica.per_replica<2 x i32>>
  %s = replica.regroup %t0, %t1 : tuple<tensor<4xf32>, i32>
         -> tuple<!replica.per_replica<2 x tensor<4xf32>>, !replica.per_replica<2 x i32>>
  // Same-id leaf: both replicas hold %a0, so it may stay unwrapped.
  // CHECK: %[[U0:.*]] = replica.tuple %[[A0]], %[[F]]
  // CHECK: %[[U1:.*]] = replica.tuple %[[A0]], %[[F]]
  // CHECK: replica.regroup %[[U0]], %[[U1]] : tuple<tensor<16xf32>, f32> -> tuple<tensor<16xf32>, f32>
  %u0 = replica.tuple %a0, %f : tuple<tensor<16xf32>, f32>
  %u1 = replica.tuple %a0, %f : tuple<tensor<16xf32>, f32>
  %same = replica.regroup %u0, %u1 : tuple<tensor<16xf32>, f32> -> tuple<tensor<16xf32>, f32>
  // CHECK: replica.regroup %[[F]] : f32 -> f32
  %one = replica.regroup %f : f32 -> f32
  return
}

// CHECK-LABEL: func.func @select_replica(
// CHECK-SAME:    %[[D:[A-Za-z0-9_]+]]: !replica.per_replica<4 x tensor<16xf32>>
// CHECK-SAME:    %[[S:[A-Za-z0-9_]+]]: tuple<!replica.per_replica<2 x tensor<4xf32>>, f32>
// CHECK-SAME:    %[[I:[A-Za-z0-9_]+]]: index
func.func @select_replica(%d: !replica.per_replica<4 x tensor<16xf32>>,
                          %s: tuple<!replica.per_replica<2 x tensor<4xf32>>, f32>,
                          %i: index) -> (tensor<16xf32>, tuple<tensor<4xf32>, f32>) {
  // CHECK: replica.select_replica %[[D]][2] : !replica.per_replica<4 x tensor<16xf32>> -> tensor<16xf32>
  %x = replica.select_replica %d[2] : !replica.per_replica<4 x tensor<16xf32>> -> tensor<16xf32>
  // CHECK: replica.select_replica %[[S]][%[[I]]] : tuple<!replica.per_replica<2 x tensor<4xf32>>, f32> -> tuple<tensor<4xf32>, f32>
  %y = replica.select_replica %s[%i] : tuple<!replica.per_replica<2 x tensor<4xf32>>, f32> -> tuple<tensor<4xf32>, f32>
  return %x, %y : tensor<16xf32>, tuple<tensor<4xf32>, f32>
}

// CHECK-LABEL: func.func @replicate(
// CHECK-SAME:    %[[D:[A-Za-z0-9_]+]]: !replica.per_replica<4 x tensor<16xf32>>
// CHECK-SAME:    %[[C:[A-Za-z0-9_]+]]: tensor<16xf32>
func.func @replicate(%d: !replica.per_replica<4 x tensor<16xf32>>, %c: tensor<16xf32>) {
  // CHECK: replica.replicate<4> (%[[X:.*]] = %[[D]], %[[W:.*]] = %[[C]])
  // CHECK-SAME: : (!replica.per_replica<4 x tensor<16xf32>>, tensor<16xf32>)
  // CHECK-SAME: -> (!replica.per_replica<4 x tensor<16xf32>>, !replica.per_replica<4 x f32>) {
  // CHECK:   replica.replica_id : index
  // CHECK:   %[[U:.*]] = arith.addf %[[X]], %[[W]] : tensor<16xf32>
  // CHECK:   replica.yield %[[U]], %{{.*}} : tensor<16xf32>, f32
  // CHECK: }
  %r:2 = replica.replicate<4> (%x = %d, %w = %c)
      : (!replica.per_replica<4 x tensor<16xf32>>, tensor<16xf32>)
      -> (!replica.per_replica<4 x tensor<16xf32>>, !replica.per_replica<4 x f32>) {
    %id = replica.replica_id : index
    %u = arith.addf %x, %w : tensor<16xf32>
    %v = arith.constant 1.0 : f32
    replica.yield %u, %v : tensor<16xf32>, f32
  }
  // CHECK: replica.replicate<2> () : () -> !replica.per_replica<2 x f32> {
  %e = replica.replicate<2> () : () -> (!replica.per_replica<2 x f32>) {
    %z = arith.constant 0.0 : f32
    replica.yield %z : f32
  }
  // The terminator of a body without results is implicit.
  // CHECK: replica.replicate<2> () : () -> () {
  // CHECK-NEXT: }
  replica.replicate<2> () : () -> () {
  }
  return
}

// CHECK-LABEL: func.func @cross_replica_collectives(
// CHECK-SAME:    %[[D:[A-Za-z0-9_]+]]: !replica.per_replica<4 x tensor<16xf32>>
// CHECK-SAME:    %[[E:[A-Za-z0-9_]+]]: !replica.per_replica<4 x tensor<3x3xf32>>
// CHECK-SAME:    %[[F:[A-Za-z0-9_]+]]: !replica.mirrored<4 x f32>
// CHECK-SAME:    %[[V:[A-Za-z0-9_]+]]: tensor<16xf32>
// CHECK-SAME:    %[[G:[A-Za-z0-9_]+]]: !replica.per_replica<4 x tensor<8x16xf32>>
// CHECK-SAME:    %[[N:[A-Za-z0-9_]+]]: !replica.per_replica<4 x tensor<?x16xi32>>
func.func @cross_replica_collectives(%d: !replica.per_replica<4 x tensor<16xf32>>,
                                     %e: !replica.per_replica<4 x tensor<3x3xf32>>,
                                     %f: !replica.mirrored<4 x f32>,
                                     %v: tensor<16xf32>,
                                     %g: !replica.per_replica<4 x tensor<8x16xf32>>,
                                     %n: !replica.per_replica<4 x tensor<?x16xi32>>)
    -> (!replica.mirrored<4 x tensor<16xf32>>, tensor<16xf32>) {
  // CHECK: replica.all_reduce sum %[[D]] : !replica.per_replica<4 x tensor<16xf32>>
  %0 = replica.all_reduce sum %d : !replica.per_replica<4 x tensor<16xf32>>
  // CHECK: replica.all_reduce mean %[[D]]
  %1 = replica.all_reduce mean %d : !replica.per_replica<4 x tensor<16xf32>>
  // CHECK: replica.all_reduce max %[[D]]
  %2 = replica.all_reduce max %d : !replica.per_replica<4 x tensor<16xf32>>
  // CHECK: replica.all_reduce min %[[D]]
  %3 = replica.all_reduce min %d : !replica.per_replica<4 x tensor<16xf32>>
  // CHECK: replica.all_reduce prod %[[D]]
  %4 = replica.all_reduce prod %d : !replica.per_replica<4 x tensor<16xf32>>
  // CHECK: replica.batch_all_reduce mean %[[D]], %[[E]], %[[F]]
  // CHECK-SAME: : !replica.per_replica<4 x tensor<16xf32>>, !replica.per_replica<4 x tensor<3x3xf32>>, !replica.mirrored<4 x f32>
  %5:3 = replica.batch_all_reduce mean %d, %e, %f
      : !replica.per_replica<4 x tensor<16xf32>>, !replica.per_replica<4 x tensor<3x3xf32>>, !replica.mirrored<4 x f32>
  // CHECK: replica.reduce_to sum %[[D]] to 3 : !replica.per_replica<4 x tensor<16xf32>>
  %6 = replica.reduce_to sum %d to 3 : !replica.per_replica<4 x tensor<16xf32>>
  // CHECK: replica.broadcast %[[V]] : tensor<16xf32> -> !replica.mirrored<4 x tensor<16xf32>>
  %7 = replica.broadcast %v : tensor<16xf32> -> !replica.mirrored<4 x tensor<16xf32>>
  // CHECK: replica.all_gather %[[G]] dim 0 : !replica.per_replica<4 x tensor<8x16xf32>> -> !replica.mirrored<4 x tensor<32x16xf32>>
  %8 = replica.all_gather %g dim 0 : !replica.per_replica<4 x tensor<8x16xf32>> -> !replica.mirrored<4 x tensor<32x16xf32>>
  // CHECK: replica.all_gather %[[G]] dim 1 : !replica.per_replica<4 x tensor<8x16xf32>> -> !replica.mirrored<4 x tensor<8x64xf32>>
  %9 = replica.all_gather %g dim 1 : !replica.per_replica<4 x tensor<8x16xf32>> -> !replica.mirrored<4 x tensor<8x64xf32>>
  // CHECK: replica.all_gather %[[N]] dim 0 : !replica.per_replica<4 x tensor<?x16xi32>> -> !replica.mirrored<4 x tensor<?x16xi32>>
  %10 = replica.all_gather %n dim 0 : !replica.per_replica<4 x tensor<?x16xi32>> -> !replica.mirrored<4 x tensor<?x16xi32>>
  // Result types are inferred: all_reduce gives a mirrored value, reduce_to
  // the local type.
  // CHECK: return %{{.*}}, %{{.*}} : !replica.mirrored<4 x tensor<16xf32>>, tensor<16xf32>
  return %0, %6 : !replica.mirrored<4 x tensor<16xf32>>, tensor<16xf32>
}

// CHECK-LABEL: func.func @in_replica_collectives(
func.func @in_replica_collectives(%d: !replica.per_replica<4 x tensor<8x16xf32>>, %f: !replica.per_replica<4 x i64>) {
  // CHECK: replica.replicate<4> (%[[X:.*]] = %{{.*}}, %[[Y:.*]] = %{{.*}})
  replica.replicate<4> (%x = %d, %y = %f)
      : (!replica.per_replica<4 x tensor<8x16xf32>>, !replica.per_replica<4 x i64>) -> () {
    // CHECK: replica.all_reduce max %[[X]] : tensor<8x16xf32>
    %s = replica.all_reduce max %x : tensor<8x16xf32>
    // CHECK: replica.batch_all_reduce sum %[[X]], %[[Y]] : tensor<8x16xf32>, i64
    %s2:2 = replica.batch_all_reduce sum %x, %y : tensor<8x16xf32>, i64
    // CHECK: replica.reduce_to prod %[[Y]] to 2 : i64
    %r = replica.reduce_to prod %y to 2 : i64
    // CHECK: replica.broadcast %[[X]] from 0 : tensor<8x16xf32>
    %h = replica.broadcast %x from 0 : tensor<8x16xf32>
    // CHECK: replica.all_gather %[[X]] dim 0 : tensor<8x16xf32> -> tensor<32x16xf32>
    %gg = replica.all_gather %x dim 0 : tensor<8x16xf32> -> tensor<32x16xf32>
    // Collectives under control flow that does not depend on the replica id.
    // CHECK: scf.for
    // CHECK:   replica.all_reduce sum
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c4 = arith.constant 4 : index
    %acc = scf.for %i = %c0 to %c4 step %c1 iter_args(%a = %x) -> tensor<8x16xf32> {
      %n = replica.all_reduce sum %a : tensor<8x16xf32>
      scf.yield %n : tensor<8x16xf32>
    }
    replica.yield
  }
  return
}

// CHECK-LABEL: func.func @pack(
// CHECK-SAME:    %[[A:[A-Za-z0-9_]+]]: tensor<4xf32>, %[[B:[A-Za-z0-9_]+]]: tensor<2x2xf32>, %[[S:[A-Za-z0-9_]+]]: tensor<f32>)
// CHECK:         %[[P:.*]] = replica.pack %[[A]], %[[B]], %[[S]] offsets [0, 16, 20] : tensor<4xf32>, tensor<2x2xf32>, tensor<f32> -> tensor<32xf32>
// CHECK:         %[[M:.*]]:3 = replica.split_pack %[[P]] offsets [0, 16, 20] : tensor<32xf32> -> tensor<4xf32>, tensor<2x2xf32>, tensor<f32>
func.func @pack(%a: tensor<4xf32>, %b: tensor<2x2xf32>, %s: tensor<f32>) -> (tensor<4xf32>, tensor<2x2xf32>, tensor<f32>) {
  %p = replica.pack %a, %b, %s offsets [0, 16, 20] : tensor<4xf32>, tensor<2x2xf32>, tensor<f32> -> tensor<32xf32>
  %m:3 = replica.split_pack %p offsets [0, 16, 20] : tensor<32xf32> -> tensor<4xf32>, tensor<2x2xf32>, tensor<f32>
  return %m#0, %m#1, %m#2 : tensor<4xf32>, tensor<2x2xf32>, tensor<f32>
}

// Asynchronous all-reduces: the future names the result types (inferred,
// mirrored in the cross-replica form), the done gives them back.
// CHECK-LABEL: func.func @async_collectives(
// CHECK-SAME:    %[[D:.*]]: !replica.per_replica<2 x tensor<16xf32>>, %[[F:.*]]: !replica.per_replica<2 x f32>)
func.func @async_collectives(%d: !replica.per_replica<2 x tensor<16xf32>>, %f: !replica.per_replica<2 x f32>)
    -> (!replica.mirrored<2 x tensor<16xf32>>, !replica.mirrored<2 x f32>) {
  // CHECK: %[[S:.*]] = replica.all_reduce_start mean %[[D]], %[[F]] : !replica.per_replica<2 x tensor<16xf32>>, !replica.per_replica<2 x f32>
  %s = replica.all_reduce_start mean %d, %f : !replica.per_replica<2 x tensor<16xf32>>, !replica.per_replica<2 x f32>
  // CHECK: replica.all_reduce_done %[[S]] : !replica.future<!replica.mirrored<2 x tensor<16xf32>>, !replica.mirrored<2 x f32>>
  %r:2 = replica.all_reduce_done %s : !replica.future<!replica.mirrored<2 x tensor<16xf32>>, !replica.mirrored<2 x f32>>
  replica.replicate<2> (%x = %d) : (!replica.per_replica<2 x tensor<16xf32>>) -> () {
    // CHECK: %[[T:.*]] = replica.all_reduce_start max %{{.*}} : tensor<16xf32>
    %t = replica.all_reduce_start max %x : tensor<16xf32>
    // CHECK: replica.all_reduce_done %[[T]] : !replica.future<tensor<16xf32>>
    %m = replica.all_reduce_done %t : !replica.future<tensor<16xf32>>
    replica.yield
  }
  return %r#0, %r#1 : !replica.mirrored<2 x tensor<16xf32>>, !replica.mirrored<2 x f32>
}
