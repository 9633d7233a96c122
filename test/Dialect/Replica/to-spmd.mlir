// RUN: replica-opt %s -replica-to-spmd -split-input-file | FileCheck %s

// The module becomes one process's program over 2 replicas; the replicate
// body is inlined, replica_id stays (the process rank) and cross-replica
// collectives take the in-replica form on the process's component.
// CHECK: module attributes {replica.num_replicas = 2 : i64}
// CHECK-LABEL: func.func @step(
// CHECK-SAME:    %[[X:[A-Za-z0-9_]+]]: tensor<4xf32>, %[[C:[A-Za-z0-9_]+]]: f32) -> (tensor<4xf32>, tensor<4xf32>)
// CHECK:         %[[ID:.*]] = replica.replica_id : index
// CHECK:         %[[S:.*]] = replica.all_reduce sum %[[X]] : tensor<4xf32>
// CHECK:         %[[M:.*]] = replica.all_reduce mean %[[X]] : tensor<4xf32>
// CHECK:         %[[R:.*]] = replica.all_reduce max %[[X]] : tensor<4xf32>
// CHECK-NOT:     replica.replicate
// CHECK-NOT:     replica.broadcast
// CHECK:         return %{{.*}}, %[[M]]
func.func @step(%d: !replica.per_replica<2 x tensor<4xf32>>, %c: f32)
    -> (!replica.per_replica<2 x tensor<4xf32>>, !replica.mirrored<2 x tensor<4xf32>>) {
  %r = replica.replicate<2> (%x = %d, %w = %c) : (!replica.per_replica<2 x tensor<4xf32>>, f32)
      -> (!replica.per_replica<2 x tensor<4xf32>>) {
    %id = replica.replica_id : index
    %s = replica.all_reduce sum %x : tensor<4xf32>
    replica.yield %s : tensor<4xf32>
  }
  %m = replica.all_reduce mean %d : !replica.per_replica<2 x tensor<4xf32>>
  // reduce_to's result is used by code every process runs.
  %t = replica.reduce_to max %d to 0 : !replica.per_replica<2 x tensor<4xf32>>
  %b = replica.broadcast %c : f32 -> !replica.mirrored<2 x f32>
  return %r, %m : !replica.per_replica<2 x tensor<4xf32>>, !replica.mirrored<2 x tensor<4xf32>>
}

// -----

// regroup keeps the process's operand; reading another replica's component
// is a broadcast from its owner; mirrored components are local.
// CHECK-LABEL: func.func @components(
// CHECK-SAME:    %[[A:[A-Za-z0-9_]+]]: f32, %[[B:[A-Za-z0-9_]+]]: f32, %[[D:[A-Za-z0-9_]+]]: f32, %[[M:[A-Za-z0-9_]+]]: i32, %[[I:[A-Za-z0-9_]+]]: index)
// CHECK:         %[[ID:.*]] = replica.replica_id : index
// CHECK:         %[[ONE:.*]] = arith.constant 1 : index
// CHECK:         %[[IS1:.*]] = arith.cmpi eq, %[[ID]], %[[ONE]] : index
// CHECK:         %[[MINE:.*]] = arith.select %[[IS1]], %[[B]], %[[A]] : f32
// CHECK:         %[[FROM1:.*]] = replica.broadcast %[[D]] from 1 : f32
// CHECK:         %[[U0:.*]] = replica.broadcast %[[D]] from 0 : f32
// CHECK:         %[[U1:.*]] = replica.broadcast %[[D]] from 1 : f32
// CHECK:         %[[D0:.*]] = replica.broadcast %[[D]] from 0 : f32
// CHECK:         %[[D1:.*]] = replica.broadcast %[[D]] from 1 : f32
// CHECK:         %[[DYN:.*]] = arith.select %{{.*}}, %[[D1]], %[[D0]] : f32
// CHECK:         return %[[MINE]], %[[FROM1]], %[[U0]], %[[U1]], %[[M]], %[[DYN]]
func.func @components(%a: f32, %b: f32, %d: !replica.per_replica<2 x f32>, %m: !replica.mirrored<2 x i32>, %i: index)
    -> (!replica.per_replica<2 x f32>, f32, f32, f32, i32, f32) {
  %r = replica.regroup %a, %b : f32 -> !replica.per_replica<2 x f32>
  %x = replica.select_replica %d[1] : !replica.per_replica<2 x f32> -> f32
  %u:2 = replica.unpack %d : !replica.per_replica<2 x f32>
  %y = replica.select_replica %m[1] : !replica.mirrored<2 x i32> -> i32
  %z = replica.select_replica %d[%i] : !replica.per_replica<2 x f32> -> f32
  return %r, %x, %u#0, %u#1, %y, %z : !replica.per_replica<2 x f32>, f32, f32, f32, i32, f32
}

// -----

// A started cross-replica all-reduce starts on the process's components;
// its future and results take their local types.
// CHECK-LABEL: func.func @started(
// CHECK-SAME:    %[[A:.*]]: tensor<4xf32>, %[[B:.*]]: f32) -> (tensor<4xf32>, f32)
// CHECK:         %[[F:.*]] = replica.all_reduce_start mean %[[A]], %[[B]] : tensor<4xf32>, f32
// CHECK-NEXT:    %[[R:.*]]:2 = replica.all_reduce_done %[[F]] : !replica.future<tensor<4xf32>, f32>
// CHECK-NEXT:    return %[[R]]#0, %[[R]]#1
func.func @started(%a: !replica.per_replica<2 x tensor<4xf32>>, %b: !replica.per_replica<2 x f32>)
    -> (!replica.mirrored<2 x tensor<4xf32>>, !replica.mirrored<2 x f32>) {
  %f = replica.all_reduce_start mean %a, %b : !replica.per_replica<2 x tensor<4xf32>>, !replica.per_replica<2 x f32>
  %r:2 = replica.all_reduce_done %f : !replica.future<!replica.mirrored<2 x tensor<4xf32>>, !replica.mirrored<2 x f32>>
  return %r#0, %r#1 : !replica.mirrored<2 x tensor<4xf32>>, !replica.mirrored<2 x f32>
}
