// RUN: replica-opt %s -canonicalize -split-input-file | FileCheck %s

// CHECK-LABEL: func.func @select_of_regroup(
// CHECK-SAME:    %[[A0:[A-Za-z0-9_]+]]: tensor<4xf32>, %[[A1:[A-Za-z0-9_]+]]: tensor<4xf32>, %[[A2:[A-Za-z0-9_]+]]: tensor<4xf32>
func.func @select_of_regroup(%a0: tensor<4xf32>, %a1: tensor<4xf32>, %a2: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK-NOT: = replica.
  // CHECK: return %[[A1]]
  %d = replica.regroup %a0, %a1, %a2 : tensor<4xf32> -> !replica.per_replica<3 x tensor<4xf32>>
  %x = replica.select_replica %d[1] : !replica.per_replica<3 x tensor<4xf32>> -> tensor<4xf32>
  return %x : tensor<4xf32>
}

// -----

// A dynamic index selects the one value all replicas hold.
// CHECK-LABEL: func.func @dynamic_select_of_same_values(
// CHECK-SAME:    %[[A:[A-Za-z0-9_]+]]: f32
func.func @dynamic_select_of_same_values(%a: f32, %i: index) -> f32 {
  // CHECK-NOT: = replica.
  // CHECK: return %[[A]]
  %d = replica.regroup %a, %a always_wrap : f32 -> !replica.per_replica<2 x f32>
  %x = replica.select_replica %d[%i] : !replica.per_replica<2 x f32> -> f32
  return %x : f32
}

// -----

// CHECK-LABEL: func.func @dynamic_select_of_different_values(
func.func @dynamic_select_of_different_values(%a: f32, %b: f32, %i: index) -> f32 {
  // CHECK: %[[D:.*]] = replica.regroup
  // CHECK: replica.select_replica %[[D]][%{{.*}}]
  %d = replica.regroup %a, %b : f32 -> !replica.per_replica<2 x f32>
  %x = replica.select_replica %d[%i] : !replica.per_replica<2 x f32> -> f32
  return %x : f32
}

// -----

// A structure: select of its regroup gives back the operand structure.
// CHECK-LABEL: func.func @select_of_regroup_structure(
// CHECK-SAME:    %[[T0:[A-Za-z0-9_]+]]: tuple<f32, i32>, %[[T1:[A-Za-z0-9_]+]]: tuple<f32, i32>
func.func @select_of_regroup_structure(%t0: tuple<f32, i32>, %t1: tuple<f32, i32>) -> tuple<f32, i32> {
  // CHECK: return %[[T0]]
  %s = replica.regroup %t0, %t1 : tuple<f32, i32> -> tuple<!replica.per_replica<2 x f32>, !replica.per_replica<2 x i32>>
  %x = replica.select_replica %s[0] : tuple<!replica.per_replica<2 x f32>, !replica.per_replica<2 x i32>> -> tuple<f32, i32>
  return %x : tuple<f32, i32>
}

// -----

// CHECK-LABEL: func.func @regroup_of_selects(
// CHECK-SAME:    %[[D:[A-Za-z0-9_]+]]: !replica.per_replica<3 x tensor<4xf32>>
func.func @regroup_of_selects(%d: !replica.per_replica<3 x tensor<4xf32>>) -> !replica.per_replica<3 x tensor<4xf32>> {
  // CHECK-NOT: = replica.
  // CHECK: return %[[D]]
  %x0 = replica.select_replica %d[0] : !replica.per_replica<3 x tensor<4xf32>> -> tensor<4xf32>
  %x1 = replica.select_replica %d[1] : !replica.per_replica<3 x tensor<4xf32>> -> tensor<4xf32>
  %x2 = replica.select_replica %d[2] : !replica.per_replica<3 x tensor<4xf32>> -> tensor<4xf32>
  %r = replica.regroup %x0, %x1, %x2 : tensor<4xf32> -> !replica.per_replica<3 x tensor<4xf32>>
  return %r : !replica.per_replica<3 x tensor<4xf32>>
}

// -----

// Out of order, the selects do not rebuild the operand.
// CHECK-LABEL: func.func @regroup_of_permuted_selects(
func.func @regroup_of_permuted_selects(%d: !replica.per_replica<2 x f32>) -> !replica.per_replica<2 x f32> {
  // CHECK: %[[R:.*]] = replica.regroup
  // CHECK: return %[[R]]
  %x0 = replica.select_replica %d[0] : !replica.per_replica<2 x f32> -> f32
  %x1 = replica.select_replica %d[1] : !replica.per_replica<2 x f32> -> f32
  %r = replica.regroup %x1, %x0 : f32 -> !replica.per_replica<2 x f32>
  return %r : !replica.per_replica<2 x f32>
}

// -----

// Mirrored regroup of per-replica selects changes the type: no fold.
// CHECK-LABEL: func.func @regroup_of_selects_as_mirrored(
func.func @regroup_of_selects_as_mirrored(%d: !replica.per_replica<2 x f32>) -> !replica.mirrored<2 x f32> {
  // CHECK: replica.regroup %{{.*}}, %{{.*}} mirrored
  %x0 = replica.select_replica %d[0] : !replica.per_replica<2 x f32> -> f32
  %x1 = replica.select_replica %d[1] : !replica.per_replica<2 x f32> -> f32
  %r = replica.regroup %x0, %x1 mirrored : f32 -> !replica.mirrored<2 x f32>
  return %r : !replica.mirrored<2 x f32>
}

// -----

// CHECK-LABEL: func.func @unpack_of_regroup(
// CHECK-SAME:    %[[A:[A-Za-z0-9_]+]]: i32, %[[B:[A-Za-z0-9_]+]]: i32
func.func @unpack_of_regroup(%a: i32, %b: i32) -> (i32, i32) {
  // CHECK-NOT: = replica.
  // CHECK: return %[[A]], %[[B]]
  %d = replica.regroup %a, %b : i32 -> !replica.per_replica<2 x i32>
  %v:2 = replica.unpack %d : !replica.per_replica<2 x i32>
  return %v#0, %v#1 : i32, i32
}

// -----

// CHECK-LABEL: func.func @tuple_get_of_tuple(
// CHECK-SAME:    %[[A:[A-Za-z0-9_]+]]: f32, %[[B:[A-Za-z0-9_]+]]: i32
func.func @tuple_get_of_tuple(%a: f32, %b: i32) -> i32 {
  // CHECK-NOT: = replica.
  // CHECK: return %[[B]]
  %t = replica.tuple %a, %b : tuple<f32, i32>
  %x = replica.tuple_get %t[1] : tuple<f32, i32> -> i32
  return %x : i32
}

// -----

// N = 1 without always_wrap: the regroup is its operand.
// CHECK-LABEL: func.func @regroup_single(
// CHECK-SAME:    %[[A:[A-Za-z0-9_]+]]: f32
func.func @regroup_single(%a: f32) -> f32 {
  // CHECK-NOT: = replica.
  // CHECK: return %[[A]]
  %r = replica.regroup %a : f32 -> f32
  return %r : f32
}

// -----

// Selecting from a value that is not distributed passes it through.
// CHECK-LABEL: func.func @select_of_local(
// CHECK-SAME:    %[[T:[A-Za-z0-9_]+]]: tuple<f32, i32>
func.func @select_of_local(%t: tuple<f32, i32>, %i: index) -> tuple<f32, i32> {
  // CHECK: return %[[T]]
  %x = replica.select_replica %t[%i] : tuple<f32, i32> -> tuple<f32, i32>
  return %x : tuple<f32, i32>
}

// -----

// N = 1: every collective is the identity on the one component.
// CHECK-LABEL: func.func @single_replica_cross(
// CHECK-SAME:    %[[D:[A-Za-z0-9_]+]]: !replica.per_replica<1 x tensor<4xf32>>
// CHECK-SAME:    %[[M:[A-Za-z0-9_]+]]: !replica.mirrored<1 x i32>
// CHECK-SAME:    %[[V:[A-Za-z0-9_]+]]: f32
func.func @single_replica_cross(%d: !replica.per_replica<1 x tensor<4xf32>>, %m: !replica.mirrored<1 x i32>, %v: f32)
    -> (!replica.mirrored<1 x tensor<4xf32>>, !replica.mirrored<1 x i32>, !replica.mirrored<1 x tensor<4xf32>>,
        !replica.mirrored<1 x i32>, !replica.mirrored<1 x f32>, !replica.mirrored<1 x tensor<4xf32>>) {
  // CHECK: %[[C0:.*]] = replica.unpack %[[D]] : !replica.per_replica<1 x tensor<4xf32>>
  // CHECK: %[[W0:.*]] = replica.regroup %[[C0]] mirrored always_wrap : tensor<4xf32> -> !replica.mirrored<1 x tensor<4xf32>>
  // CHECK: %[[C1:.*]] = replica.unpack %[[D]]
  // CHECK: %[[W1:.*]] = replica.regroup %[[C1]] mirrored always_wrap
  // CHECK: %[[B:.*]] = replica.regroup %[[V]] mirrored always_wrap : f32 -> !replica.mirrored<1 x f32>
  // CHECK: %[[C2:.*]] = replica.unpack %[[D]]
  // CHECK: %[[W2:.*]] = replica.regroup %[[C2]] mirrored always_wrap
  // CHECK: return %[[W0]], %[[M]], %[[W1]], %[[M]], %[[B]], %[[W2]]
  // CHECK-NOT: replica.all_reduce
  // CHECK-NOT: replica.batch_all_reduce
  // CHECK-NOT: replica.broadcast
  // CHECK-NOT: replica.all_gather
  %0 = replica.all_reduce prod %d : !replica.per_replica<1 x tensor<4xf32>>
  %1 = replica.all_reduce sum %m : !replica.mirrored<1 x i32>
  %2:2 = replica.batch_all_reduce mean %d, %d : !replica.per_replica<1 x tensor<4xf32>>, !replica.per_replica<1 x tensor<4xf32>>
  %3:1 = replica.batch_all_reduce max %m : !replica.mirrored<1 x i32>
  %4 = replica.broadcast %v : f32 -> !replica.mirrored<1 x f32>
  %5 = replica.all_gather %d dim 0 : !replica.per_replica<1 x tensor<4xf32>> -> !replica.mirrored<1 x tensor<4xf32>>
  return %0, %1, %2#1, %3#0, %4, %5 : !replica.mirrored<1 x tensor<4xf32>>, !replica.mirrored<1 x i32>, !replica.mirrored<1 x tensor<4xf32>>,
      !replica.mirrored<1 x i32>, !replica.mirrored<1 x f32>, !replica.mirrored<1 x tensor<4xf32>>
}

// -----

// CHECK-LABEL: func.func @single_replica_in_replica(
func.func @single_replica_in_replica(%d: !replica.per_replica<1 x tensor<4xf32>>) -> !replica.per_replica<1 x tensor<4xf32>> {
  // CHECK: replica.replicate<1> (%[[X:.*]] = %{{.*}})
  // CHECK-NOT: replica.all_reduce
  // CHECK-NOT: replica.batch_all_reduce
  // CHECK-NOT: replica.broadcast
  // CHECK-NOT: replica.all_gather
  // CHECK: %[[A:.*]] = arith.addf %[[X]], %[[X]]
  // CHECK: %[[B:.*]] = arith.addf %[[A]], %[[X]]
  // CHECK: replica.yield %[[B]]
  %r = replica.replicate<1> (%x = %d) : (!replica.per_replica<1 x tensor<4xf32>>) -> (!replica.per_replica<1 x tensor<4xf32>>) {
    %0 = replica.all_reduce mean %x : tensor<4xf32>
    %1:2 = replica.batch_all_reduce sum %0, %x : tensor<4xf32>, tensor<4xf32>
    %2 = replica.broadcast %1#0 from 0 : tensor<4xf32>
    %3 = replica.all_gather %1#1 dim 0 : tensor<4xf32> -> tensor<4xf32>
    %4 = arith.addf %2, %3 : tensor<4xf32>
    %5 = arith.addf %4, %x : tensor<4xf32>
    replica.yield %5 : tensor<4xf32>
  }
  return %r : !replica.per_replica<1 x tensor<4xf32>>
}

// -----

// all_reduce of a mirrored operand: mean, max and min give the operand.
// CHECK-LABEL: func.func @mirrored_idempotent(
// CHECK-SAME:    %[[M:[A-Za-z0-9_]+]]: !replica.mirrored<4 x tensor<8xf32>>
func.func @mirrored_idempotent(%m: !replica.mirrored<4 x tensor<8xf32>>)
    -> (!replica.mirrored<4 x tensor<8xf32>>, !replica.mirrored<4 x tensor<8xf32>>, !replica.mirrored<4 x tensor<8xf32>>,
        !replica.mirrored<4 x tensor<8xf32>>) {
  // CHECK-NOT: replica.all_reduce mean
  // CHECK-NOT: replica.all_reduce max
  // CHECK-NOT: replica.all_reduce min
  // CHECK: %[[P:.*]] = replica.all_reduce prod %[[M]]
  // CHECK: return %[[M]], %[[M]], %[[M]], %[[P]]
  %0 = replica.all_reduce mean %m : !replica.mirrored<4 x tensor<8xf32>>
  %1 = replica.all_reduce max %m : !replica.mirrored<4 x tensor<8xf32>>
  %2 = replica.all_reduce min %m : !replica.mirrored<4 x tensor<8xf32>>
  %3 = replica.all_reduce prod %m : !replica.mirrored<4 x tensor<8xf32>>
  return %0, %1, %2, %3 : !replica.mirrored<4 x tensor<8xf32>>, !replica.mirrored<4 x tensor<8xf32>>, !replica.mirrored<4 x tensor<8xf32>>,
      !replica.mirrored<4 x tensor<8xf32>>
}

// -----

// all_reduce sum of a mirrored operand: N times the operand.
// CHECK-LABEL: func.func @mirrored_sum_float(
// CHECK-SAME:    %[[M:[A-Za-z0-9_]+]]: !replica.mirrored<4 x tensor<8xf32>>
func.func @mirrored_sum_float(%m: !replica.mirrored<4 x tensor<8xf32>>) -> !replica.mirrored<4 x tensor<8xf32>> {
  // CHECK-DAG: %[[N:.*]] = arith.constant dense<4.000000e+00> : tensor<8xf32>
  // CHECK-DAG: %[[C:.*]]:4 = replica.unpack %[[M]]
  // CHECK: %[[S:.*]] = arith.mulf %[[C]]#0, %[[N]] : tensor<8xf32>
  // CHECK: %[[R:.*]] = replica.regroup %[[S]], %[[S]], %[[S]], %[[S]] mirrored always_wrap : tensor<8xf32> -> !replica.mirrored<4 x tensor<8xf32>>
  // CHECK-NOT: replica.all_reduce
  // CHECK: return %[[R]]
  %0 = replica.all_reduce sum %m : !replica.mirrored<4 x tensor<8xf32>>
  return %0 : !replica.mirrored<4 x tensor<8xf32>>
}

// -----

// CHECK-LABEL: func.func @mirrored_sum_int(
// CHECK-SAME:    %[[M:[A-Za-z0-9_]+]]: !replica.mirrored<3 x i64>
func.func @mirrored_sum_int(%m: !replica.mirrored<3 x i64>) -> !replica.mirrored<3 x i64> {
  // CHECK-DAG: %[[N:.*]] = arith.constant 3 : i64
  // CHECK-DAG: %[[C:.*]]:3 = replica.unpack %[[M]]
  // CHECK: %[[S:.*]] = arith.muli %[[C]]#0, %[[N]] : i64
  // CHECK: %[[R:.*]] = replica.regroup %[[S]], %[[S]], %[[S]] mirrored always_wrap
  // CHECK: return %[[R]]
  %0 = replica.all_reduce sum %m : !replica.mirrored<3 x i64>
  return %0 : !replica.mirrored<3 x i64>
}

// -----

// A per-replica operand is reduced for real.
// CHECK-LABEL: func.func @per_replica_sum_kept(
func.func @per_replica_sum_kept(%d: !replica.per_replica<2 x f32>) -> !replica.mirrored<2 x f32> {
  // CHECK: replica.all_reduce sum
  %0 = replica.all_reduce sum %d : !replica.per_replica<2 x f32>
  return %0 : !replica.mirrored<2 x f32>
}

// -----

// Every leaf unwrapped because every replica holds the same values: the
// regroup is replica 0's structure.
// CHECK-LABEL: func.func @regroup_same_values(
// CHECK-SAME:    %[[A:[A-Za-z0-9_]+]]: f32, %[[B:[A-Za-z0-9_]+]]: i32
func.func @regroup_same_values(%a: f32, %b: i32) -> (f32, tuple<f32, i32>) {
  // CHECK: %[[T:.*]] = replica.tuple %[[A]], %[[B]]
  // CHECK-NOT: replica.regroup
  // CHECK: return %[[A]], %[[T]]
  %r = replica.regroup %a, %a : f32 -> f32
  %t0 = replica.tuple %a, %b : tuple<f32, i32>
  %t1 = replica.tuple %a, %b : tuple<f32, i32>
  %s = replica.regroup %t0, %t1 : tuple<f32, i32> -> tuple<f32, i32>
  return %r, %s : f32, tuple<f32, i32>
}

// -----

// A started all-reduce whose results nobody reads goes, start and done.
// CHECK-LABEL: func.func @unused_started(
// CHECK-NOT:     replica.all_reduce_start
// CHECK-NOT:     replica.all_reduce_done
// CHECK:         return
func.func @unused_started(%d: !replica.per_replica<2 x tensor<4xf32>>) {
  %f = replica.all_reduce_start sum %d : !replica.per_replica<2 x tensor<4xf32>>
  %r = replica.all_reduce_done %f : !replica.future<!replica.mirrored<2 x tensor<4xf32>>>
  return
}

// -----

// One whose results are read stays.
// CHECK-LABEL: func.func @used_started(
// CHECK:         %[[F:.*]] = replica.all_reduce_start sum
// CHECK-NEXT:    %[[R:.*]] = replica.all_reduce_done %[[F]]
// CHECK-NEXT:    return %[[R]]
func.func @used_started(%d: !replica.per_replica<2 x tensor<4xf32>>) -> !replica.mirrored<2 x tensor<4xf32>> {
  %f = replica.all_reduce_start sum %d : !replica.per_replica<2 x tensor<4xf32>>
  %r = replica.all_reduce_done %f : !replica.future<!replica.mirrored<2 x tensor<4xf32>>>
  return %r : !replica.mirrored<2 x tensor<4xf32>>
}
