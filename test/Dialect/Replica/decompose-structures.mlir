// RUN: replica-opt %s -replica-decompose-structures -split-input-file | FileCheck %s
// RUN: replica-opt %s -replica-decompose-structures -split-input-file | FileCheck %s --check-prefix=NOTUPLE

// After the pass no tuple type is left anywhere in the module.
// NOTUPLE-NOT: tuple<
// NOTUPLE-NOT: replica.tuple

// CHECK-LABEL: func.func @regroup_nest(
// CHECK-SAME:    %[[A0:[A-Za-z0-9_]+]]: tensor<4xf32>, %[[B0:[A-Za-z0-9_]+]]: i32, %[[C0:[A-Za-z0-9_]+]]: f32,
// CHECK-SAME:    %[[A1:[A-Za-z0-9_]+]]: tensor<4xf32>, %[[B1:[A-Za-z0-9_]+]]: i32, %[[C1:[A-Za-z0-9_]+]]: f32)
// CHECK-SAME:    -> (!replica.per_replica<2 x tensor<4xf32>>, !replica.mirrored<2 x i32>, !replica.mirrored<2 x f32>)
func.func @regroup_nest(%t0: tuple<tensor<4xf32>, tuple<i32, f32>>, %t1: tuple<tensor<4xf32>, tuple<i32, f32>>)
    -> (!replica.per_replica<2 x tensor<4xf32>>, tuple<!replica.mirrored<2 x i32>, !replica.mirrored<2 x f32>>) {
  // CHECK-DAG: %[[A:.*]] = replica.regroup %[[A0]], %[[A1]] mirrored : tensor<4xf32> -> !replica.mirrored<2 x tensor<4xf32>>
  // CHECK-DAG: %[[B:.*]] = replica.regroup %[[B0]], %[[B1]] mirrored : i32 -> !replica.mirrored<2 x i32>
  // CHECK-DAG: %[[C:.*]] = replica.regroup %[[C0]], %[[C1]] mirrored : f32 -> !replica.mirrored<2 x f32>
  // CHECK-DAG: %[[P:.*]] = replica.regroup %[[A0]], %[[A1]] : tensor<4xf32> -> !replica.per_replica<2 x tensor<4xf32>>
  // CHECK: return %[[P]], %[[B]], %[[C]]
  %s = replica.regroup %t0, %t1 mirrored : tuple<tensor<4xf32>, tuple<i32, f32>>
       -> tuple<!replica.mirrored<2 x tensor<4xf32>>, tuple<!replica.mirrored<2 x i32>, !replica.mirrored<2 x f32>>>
  %inner = replica.tuple_get %s[1] : tuple<!replica.mirrored<2 x tensor<4xf32>>, tuple<!replica.mirrored<2 x i32>, !replica.mirrored<2 x f32>>>
      -> tuple<!replica.mirrored<2 x i32>, !replica.mirrored<2 x f32>>
  %a0 = replica.tuple_get %t0[0] : tuple<tensor<4xf32>, tuple<i32, f32>> -> tensor<4xf32>
  %a1 = replica.tuple_get %t1[0] : tuple<tensor<4xf32>, tuple<i32, f32>> -> tensor<4xf32>
  %p = replica.regroup %a0, %a1 : tensor<4xf32> -> !replica.per_replica<2 x tensor<4xf32>>
  return %p, %inner : !replica.per_replica<2 x tensor<4xf32>>, tuple<!replica.mirrored<2 x i32>, !replica.mirrored<2 x f32>>
}

// -----

// A deep nest: four levels, with an empty tuple that has no leaves.
// CHECK-LABEL: func.func @deep(
// CHECK-SAME:    %[[X:[A-Za-z0-9_]+]]: f32, %[[Y:[A-Za-z0-9_]+]]: i8, %[[Z:[A-Za-z0-9_]+]]: tensor<2xi64>) -> (i8, tensor<2xi64>)
func.func @deep(%t: tuple<tuple<f32, tuple<tuple<i8>, tuple<>>>, tensor<2xi64>>) -> tuple<i8, tensor<2xi64>> {
  // CHECK-NEXT: return %[[Y]], %[[Z]] : i8, tensor<2xi64>
  %a = replica.tuple_get %t[0] : tuple<tuple<f32, tuple<tuple<i8>, tuple<>>>, tensor<2xi64>> -> tuple<f32, tuple<tuple<i8>, tuple<>>>
  %b = replica.tuple_get %a[1] : tuple<f32, tuple<tuple<i8>, tuple<>>> -> tuple<tuple<i8>, tuple<>>
  %c = replica.tuple_get %b[0] : tuple<tuple<i8>, tuple<>> -> tuple<i8>
  %d = replica.tuple_get %c[0] : tuple<i8> -> i8
  %z = replica.tuple_get %t[1] : tuple<tuple<f32, tuple<tuple<i8>, tuple<>>>, tensor<2xi64>> -> tensor<2xi64>
  %r = replica.tuple %d, %z : tuple<i8, tensor<2xi64>>
  return %r : tuple<i8, tensor<2xi64>>
}

// -----

// Same-id leaves stay unwrapped: they pass replica 0's leaf through.
// CHECK-LABEL: func.func @same_id(
// CHECK-SAME:    %[[A:[A-Za-z0-9_]+]]: tensor<4xf32>, %[[B0:[A-Za-z0-9_]+]]: f32, %[[B1:[A-Za-z0-9_]+]]: f32)
func.func @same_id(%a: tensor<4xf32>, %b0: f32, %b1: f32) -> tuple<tensor<4xf32>, !replica.per_replica<2 x f32>> {
  // CHECK: %[[R:.*]] = replica.regroup %[[B0]], %[[B1]] : f32 -> !replica.per_replica<2 x f32>
  // CHECK: return %[[A]], %[[R]] : tensor<4xf32>, !replica.per_replica<2 x f32>
  %t0 = replica.tuple %a, %b0 : tuple<tensor<4xf32>, f32>
  %t1 = replica.tuple %a, %b1 : tuple<tensor<4xf32>, f32>
  %s = replica.regroup %t0, %t1 : tuple<tensor<4xf32>, f32> -> tuple<tensor<4xf32>, !replica.per_replica<2 x f32>>
  return %s : tuple<tensor<4xf32>, !replica.per_replica<2 x f32>>
}

// -----

// N = 1: regroup of a structure without always_wrap is its operand; with
// always_wrap every leaf is wrapped.
// CHECK-LABEL: func.func @single(
// CHECK-SAME:    %[[A:[A-Za-z0-9_]+]]: f32, %[[B:[A-Za-z0-9_]+]]: i32)
func.func @single(%t: tuple<f32, i32>) -> (tuple<f32, i32>, tuple<!replica.per_replica<1 x f32>, !replica.per_replica<1 x i32>>) {
  // CHECK-DAG: %[[WA:.*]] = replica.regroup %[[A]] always_wrap : f32 -> !replica.per_replica<1 x f32>
  // CHECK-DAG: %[[WB:.*]] = replica.regroup %[[B]] always_wrap : i32 -> !replica.per_replica<1 x i32>
  // CHECK: return %[[A]], %[[B]], %[[WA]], %[[WB]]
  %r = replica.regroup %t : tuple<f32, i32> -> tuple<f32, i32>
  %w = replica.regroup %t always_wrap : tuple<f32, i32> -> tuple<!replica.per_replica<1 x f32>, !replica.per_replica<1 x i32>>
  return %r, %w : tuple<f32, i32>, tuple<!replica.per_replica<1 x f32>, !replica.per_replica<1 x i32>>
}

// -----

// select_replica of a nest: one select per distributed leaf, static and
// dynamic; local leaves pass through.
// CHECK-LABEL: func.func @select_nest(
// CHECK-SAME:    %[[D:[A-Za-z0-9_]+]]: !replica.per_replica<2 x tensor<4xf32>>, %[[L:[A-Za-z0-9_]+]]: f32,
// CHECK-SAME:    %[[M:[A-Za-z0-9_]+]]: !replica.mirrored<2 x i32>, %[[I:[A-Za-z0-9_]+]]: index)
func.func @select_nest(%s: tuple<!replica.per_replica<2 x tensor<4xf32>>, tuple<f32, !replica.mirrored<2 x i32>>>, %i: index)
    -> (tuple<tensor<4xf32>, tuple<f32, i32>>, tuple<tensor<4xf32>, tuple<f32, i32>>) {
  // CHECK-DAG: %[[S0:.*]] = replica.select_replica %[[D]][1] : !replica.per_replica<2 x tensor<4xf32>> -> tensor<4xf32>
  // CHECK-DAG: %[[S1:.*]] = replica.select_replica %[[M]][1] : !replica.mirrored<2 x i32> -> i32
  // CHECK-DAG: %[[S2:.*]] = replica.select_replica %[[D]][%[[I]]] : !replica.per_replica<2 x tensor<4xf32>> -> tensor<4xf32>
  // CHECK-DAG: %[[S3:.*]] = replica.select_replica %[[M]][%[[I]]] : !replica.mirrored<2 x i32> -> i32
  // CHECK: return %[[S0]], %[[L]], %[[S1]], %[[S2]], %[[L]], %[[S3]]
  %x = replica.select_replica %s[1] : tuple<!replica.per_replica<2 x tensor<4xf32>>, tuple<f32, !replica.mirrored<2 x i32>>>
      -> tuple<tensor<4xf32>, tuple<f32, i32>>
  %y = replica.select_replica %s[%i] : tuple<!replica.per_replica<2 x tensor<4xf32>>, tuple<f32, !replica.mirrored<2 x i32>>>
      -> tuple<tensor<4xf32>, tuple<f32, i32>>
  return %x, %y : tuple<tensor<4xf32>, tuple<f32, i32>>, tuple<tensor<4xf32>, tuple<f32, i32>>
}

// -----

// Calls, declarations and returns of nests are flattened.
// CHECK-LABEL: func.func private @callee(tensor<4xf32>, i32, f32) -> (f32, i32)
func.func private @callee(tuple<tensor<4xf32>, tuple<i32, f32>>) -> tuple<f32, i32>

// CHECK-LABEL: func.func @caller(
// CHECK-SAME:    %[[A:[A-Za-z0-9_]+]]: tensor<4xf32>, %[[B:[A-Za-z0-9_]+]]: i32, %[[C:[A-Za-z0-9_]+]]: f32) -> (i32, f32, f32)
func.func @caller(%t: tuple<tensor<4xf32>, tuple<i32, f32>>) -> (i32, tuple<f32, f32>) {
  // CHECK: %[[R:.*]]:2 = call @callee(%[[A]], %[[B]], %[[C]]) : (tensor<4xf32>, i32, f32) -> (f32, i32)
  // CHECK: return %[[R]]#1, %[[R]]#0, %[[C]] : i32, f32, f32
  %r = func.call @callee(%t) : (tuple<tensor<4xf32>, tuple<i32, f32>>) -> tuple<f32, i32>
  %f = replica.tuple_get %r[0] : tuple<f32, i32> -> f32
  %i = replica.tuple_get %r[1] : tuple<f32, i32> -> i32
  %in = replica.tuple_get %t[1] : tuple<tensor<4xf32>, tuple<i32, f32>> -> tuple<i32, f32>
  %c = replica.tuple_get %in[1] : tuple<i32, f32> -> f32
  %o = replica.tuple %f, %c : tuple<f32, f32>
  return %i, %o : i32, tuple<f32, f32>
}

// -----

// replicate: operands, body arguments, yield and results of nests.
// CHECK-LABEL: func.func @replicate_nest(
// CHECK-SAME:    %[[D:[A-Za-z0-9_]+]]: !replica.per_replica<2 x tensor<4xf32>>, %[[E:[A-Za-z0-9_]+]]: !replica.per_replica<2 x i32>, %[[C:[A-Za-z0-9_]+]]: f32)
// CHECK-SAME:    -> (!replica.per_replica<2 x tensor<4xf32>>, !replica.per_replica<2 x i32>, !replica.per_replica<2 x f32>)
func.func @replicate_nest(%s: tuple<!replica.per_replica<2 x tensor<4xf32>>, !replica.per_replica<2 x i32>>, %c: f32)
    -> tuple<!replica.per_replica<2 x tensor<4xf32>>, tuple<!replica.per_replica<2 x i32>, !replica.per_replica<2 x f32>>> {
  // CHECK: %[[R:.*]]:3 = replica.replicate<2> (%[[X:.*]] = %[[D]], %[[Y:.*]] = %[[E]], %[[W:.*]] = %[[C]])
  // CHECK-SAME: : (!replica.per_replica<2 x tensor<4xf32>>, !replica.per_replica<2 x i32>, f32)
  // CHECK-SAME: -> (!replica.per_replica<2 x tensor<4xf32>>, !replica.per_replica<2 x i32>, !replica.per_replica<2 x f32>) {
  // CHECK:   %[[S:.*]] = replica.all_reduce sum %[[X]] : tensor<4xf32>
  // CHECK:   replica.yield %[[S]], %[[Y]], %[[W]] : tensor<4xf32>, i32, f32
  // CHECK: }
  // CHECK: return %[[R]]#0, %[[R]]#1, %[[R]]#2
  %r = replica.replicate<2> (%x = %s, %w = %c)
      : (tuple<!replica.per_replica<2 x tensor<4xf32>>, !replica.per_replica<2 x i32>>, f32)
      -> (tuple<!replica.per_replica<2 x tensor<4xf32>>, tuple<!replica.per_replica<2 x i32>, !replica.per_replica<2 x f32>>>) {
    %a = replica.tuple_get %x[0] : tuple<tensor<4xf32>, i32> -> tensor<4xf32>
    %b = replica.all_reduce sum %a : tensor<4xf32>
    %i = replica.tuple_get %x[1] : tuple<tensor<4xf32>, i32> -> i32
    %in = replica.tuple %i, %w : tuple<i32, f32>
    %y = replica.tuple %b, %in : tuple<tensor<4xf32>, tuple<i32, f32>>
    replica.yield %y : tuple<tensor<4xf32>, tuple<i32, f32>>
  }
  return %r : tuple<!replica.per_replica<2 x tensor<4xf32>>, tuple<!replica.per_replica<2 x i32>, !replica.per_replica<2 x f32>>>
}

// -----

// Structured control flow carrying nests.
// CHECK-LABEL: func.func @loop(
// CHECK-SAME:    %[[F:[A-Za-z0-9_]+]]: f32, %[[I:[A-Za-z0-9_]+]]: i32, %[[N:[A-Za-z0-9_]+]]: index) -> (f32, i32)
func.func @loop(%t: tuple<f32, i32>, %n: index) -> tuple<f32, i32> {
  // CHECK: %[[R:.*]]:2 = scf.for %{{.*}} = %{{.*}} to %[[N]] step %{{.*}} iter_args(%[[AF:.*]] = %[[F]], %[[AI:.*]] = %[[I]]) -> (f32, i32) {
  // CHECK:   %[[G:.*]] = arith.addf %[[AF]], %[[AF]] : f32
  // CHECK:   scf.yield %[[G]], %[[AI]] : f32, i32
  // CHECK: return %[[R]]#0, %[[R]]#1
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %r = scf.for %iv = %c0 to %n step %c1 iter_args(%acc = %t) -> tuple<f32, i32> {
    %f = replica.tuple_get %acc[0] : tuple<f32, i32> -> f32
    %g = arith.addf %f, %f : f32
    %j = replica.tuple_get %acc[1] : tuple<f32, i32> -> i32
    %u = replica.tuple %g, %j : tuple<f32, i32>
    scf.yield %u : tuple<f32, i32>
  }
  return %r : tuple<f32, i32>
}

// -----

// CHECK-LABEL: func.func @if_nest(
// CHECK-SAME:    %[[C:[A-Za-z0-9_]+]]: i1, %[[A:[A-Za-z0-9_]+]]: f32, %[[B:[A-Za-z0-9_]+]]: i32, %[[X:[A-Za-z0-9_]+]]: f32, %[[Y:[A-Za-z0-9_]+]]: i32)
func.func @if_nest(%c: i1, %t: tuple<f32, i32>, %u: tuple<f32, i32>) -> tuple<f32, i32> {
  // CHECK: %[[R:.*]]:2 = scf.if %[[C]] -> (f32, i32) {
  // CHECK:   scf.yield %[[A]], %[[B]] : f32, i32
  // CHECK: } else {
  // CHECK:   scf.yield %[[X]], %[[Y]] : f32, i32
  // CHECK: return %[[R]]#0, %[[R]]#1
  %r = scf.if %c -> tuple<f32, i32> {
    scf.yield %t : tuple<f32, i32>
  } else {
    scf.yield %u : tuple<f32, i32>
  }
  return %r : tuple<f32, i32>
}

// -----

// Unstructured control flow: block arguments of nests.
// CHECK-LABEL: func.func @branch(
// CHECK-SAME:    %[[C:[A-Za-z0-9_]+]]: i1, %[[A:[A-Za-z0-9_]+]]: f32, %[[B:[A-Za-z0-9_]+]]: i32)
func.func @branch(%c: i1, %t: tuple<f32, i32>) -> tuple<f32, i32> {
  // CHECK: cf.cond_br %[[C]], ^[[BB:.*]](%[[A]], %[[B]] : f32, i32), ^[[BB]](%[[A]], %[[B]] : f32, i32)
  // CHECK: ^[[BB]](%[[P:.*]]: f32, %[[Q:.*]]: i32):
  // CHECK: return %[[P]], %[[Q]]
  cf.cond_br %c, ^bb1(%t : tuple<f32, i32>), ^bb1(%t : tuple<f32, i32>)
^bb1(%arg: tuple<f32, i32>):
  return %arg : tuple<f32, i32>
}
