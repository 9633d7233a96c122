// RUN: replica-opt %s -replica-unroll -split-input-file | FileCheck %s

// A replicate body becomes lock-step copies with constant replica ids; its
// in-replica collective becomes one cross-replica collective over the copies.
// CHECK-LABEL: func.func @body(
// CHECK-SAME:    %[[D0:[A-Za-z0-9_]+]]: f32, %[[D1:[A-Za-z0-9_]+]]: f32) -> (f32, f32)
// CHECK-DAG:     %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG:     %[[C1:.*]] = arith.constant 1 : index
// CHECK:         %[[I0:.*]] = arith.index_cast %[[C0]] : index to i32
// CHECK:         %[[I1:.*]] = arith.index_cast %[[C1]] : index to i32
// CHECK:         %[[F0:.*]] = arith.sitofp %[[I0]]
// CHECK:         %[[F1:.*]] = arith.sitofp %[[I1]]
// CHECK:         %[[Y0:.*]] = arith.addf %[[D0]], %[[F0]] : f32
// CHECK:         %[[Y1:.*]] = arith.addf %[[D1]], %[[F1]] : f32
// CHECK:         %[[G:.*]] = replica.regroup %[[Y0]], %[[Y1]] always_wrap : f32 -> !replica.per_replica<2 x f32>
// CHECK:         %[[S:.*]] = replica.all_reduce sum %[[G]] : !replica.per_replica<2 x f32>
// CHECK:         %[[U:.*]]:2 = replica.unpack %[[S]] : !replica.mirrored<2 x f32>
// CHECK:         return %[[U]]#0, %[[U]]#1 : f32, f32
func.func @body(%d: !replica.per_replica<2 x f32>) -> !replica.per_replica<2 x f32> {
  %r = replica.replicate<2> (%x = %d) : (!replica.per_replica<2 x f32>) -> (!replica.per_replica<2 x f32>) {
    %id = replica.replica_id : index
    %i = arith.index_cast %id : index to i32
    %f = arith.sitofp %i : i32 to f32
    %y = arith.addf %x, %f : f32
    %s = replica.all_reduce sum %y : f32
    replica.yield %s : f32
  }
  return %r : !replica.per_replica<2 x f32>
}

// -----

// Control flow around collectives is kept once and carries the copies.
// CHECK-LABEL: func.func @loop(
// CHECK-SAME:    %[[A:[A-Za-z0-9_]+]]: tensor<4xf32>, %[[B:[A-Za-z0-9_]+]]: tensor<4xf32>, %[[N:[A-Za-z0-9_]+]]: index)
// CHECK:         %[[R:.*]]:2 = scf.for %{{.*}} = %{{.*}} to %[[N]] step %{{.*}} iter_args(%[[X0:.*]] = %[[A]], %[[X1:.*]] = %[[B]]) -> (tensor<4xf32>, tensor<4xf32>) {
// CHECK:           %[[G:.*]] = replica.regroup %[[X0]], %[[X1]] always_wrap
// CHECK:           %[[M:.*]] = replica.all_reduce max %[[G]]
// CHECK:           %[[U:.*]]:2 = replica.unpack %[[M]]
// CHECK:           scf.yield %[[U]]#0, %[[U]]#1 : tensor<4xf32>, tensor<4xf32>
// CHECK:         %[[C:.*]] = arith.cmpf
// CHECK:         scf.if %[[C]] -> (tensor<4xf32>, tensor<4xf32>) {
// CHECK:           replica.all_reduce sum
// CHECK:         } else {
// CHECK:           scf.yield %[[R]]#0, %[[R]]#1
// CHECK-NOT:     replica.replicate
func.func @loop(%d: !replica.per_replica<2 x tensor<4xf32>>, %n: index) -> !replica.per_replica<2 x tensor<4xf32>> {
  %r = replica.replicate<2> (%x = %d, %m = %n) : (!replica.per_replica<2 x tensor<4xf32>>, index) -> (!replica.per_replica<2 x tensor<4xf32>>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %l = scf.for %i = %c0 to %m step %c1 iter_args(%a = %x) -> tensor<4xf32> {
      %s = replica.all_reduce max %a : tensor<4xf32>
      scf.yield %s : tensor<4xf32>
    }
    %z = arith.constant 0.0 : f32
    %e = tensor.extract %l[%c0] : tensor<4xf32>
    %s2 = replica.all_reduce sum %e : f32
    %p = arith.cmpf ogt, %s2, %z : f32
    %o = scf.if %p -> tensor<4xf32> {
      %t = replica.all_reduce sum %l : tensor<4xf32>
      scf.yield %t : tensor<4xf32>
    } else {
      scf.yield %l : tensor<4xf32>
    }
    replica.yield %o : tensor<4xf32>
  }
  return %r : !replica.per_replica<2 x tensor<4xf32>>
}

// -----

// The other collectives: batch, reduce_to (the destination gets the result,
// the other replicas keep their operand), broadcast from a replica, gather.
// CHECK-LABEL: func.func @collectives(
// CHECK-SAME:    %[[A:[A-Za-z0-9_]+]]: tensor<2xi32>, %[[B:[A-Za-z0-9_]+]]: tensor<2xi32>)
// CHECK:         %[[G:.*]] = replica.regroup %[[A]], %[[B]] always_wrap
// CHECK:         %[[P:.*]]:2 = replica.batch_all_reduce prod %[[G]], %[[G]]
// CHECK:         %[[PU:.*]]:2 = replica.unpack %[[P]]#1
// CHECK:         %[[R:.*]] = replica.reduce_to min %[[G]] to 1 : !replica.per_replica<2 x tensor<2xi32>>
// CHECK:         %[[BC:.*]] = replica.broadcast %[[B]] : tensor<2xi32> -> !replica.mirrored<2 x tensor<2xi32>>
// CHECK:         %[[BU:.*]]:2 = replica.unpack %[[BC]]
// CHECK:         %[[AG:.*]] = replica.all_gather %[[G]] dim 0 : !replica.per_replica<2 x tensor<2xi32>> -> !replica.mirrored<2 x tensor<4xi32>>
// CHECK:         %[[AU:.*]]:2 = replica.unpack %[[AG]]
// CHECK:         return %[[PU]]#0, %[[PU]]#1, %[[A]], %[[R]], %[[BU]]#0, %[[BU]]#1, %[[AU]]#0, %[[AU]]#1
func.func @collectives(%d: !replica.per_replica<2 x tensor<2xi32>>)
    -> (!replica.per_replica<2 x tensor<2xi32>>, !replica.per_replica<2 x tensor<2xi32>>,
        !replica.per_replica<2 x tensor<2xi32>>, !replica.per_replica<2 x tensor<4xi32>>) {
  %r:4 = replica.replicate<2> (%x = %d) : (!replica.per_replica<2 x tensor<2xi32>>)
      -> (!replica.per_replica<2 x tensor<2xi32>>, !replica.per_replica<2 x tensor<2xi32>>,
          !replica.per_replica<2 x tensor<2xi32>>, !replica.per_replica<2 x tensor<4xi32>>) {
    %p:2 = replica.batch_all_reduce prod %x, %x : tensor<2xi32>, tensor<2xi32>
    %m = replica.reduce_to min %x to 1 : tensor<2xi32>
    %b = replica.broadcast %x from 1 : tensor<2xi32>
    %g = replica.all_gather %x dim 0 : tensor<2xi32> -> tensor<4xi32>
    replica.yield %p#1, %m, %b, %g : tensor<2xi32>, tensor<2xi32>, tensor<2xi32>, tensor<4xi32>
  }
  return %r#0, %r#1, %r#2, %r#3 : !replica.per_replica<2 x tensor<2xi32>>, !replica.per_replica<2 x tensor<2xi32>>,
      !replica.per_replica<2 x tensor<2xi32>>, !replica.per_replica<2 x tensor<4xi32>>
}

// -----

// select_replica: a static index picks a copy, a dynamic one selects.
// CHECK-LABEL: func.func @select(
// CHECK-SAME:    %[[A:[A-Za-z0-9_]+]]: f32, %[[B:[A-Za-z0-9_]+]]: f32, %[[C:[A-Za-z0-9_]+]]: f32, %[[I:[A-Za-z0-9_]+]]: index) -> (f32, f32)
// CHECK:         %[[ONE:.*]] = arith.constant 1 : index
// CHECK:         %[[E1:.*]] = arith.cmpi eq, %[[I]], %[[ONE]]
// CHECK:         %[[S1:.*]] = arith.select %[[E1]], %[[B]], %[[A]]
// CHECK:         %[[TWO:.*]] = arith.constant 2 : index
// CHECK:         %[[E2:.*]] = arith.cmpi eq, %[[I]], %[[TWO]]
// CHECK:         %[[S2:.*]] = arith.select %[[E2]], %[[C]], %[[S1]]
// CHECK:         return %[[C]], %[[S2]]
func.func @select(%d: !replica.per_replica<3 x f32>, %i: index) -> (f32, f32) {
  %x = replica.select_replica %d[2] : !replica.per_replica<3 x f32> -> f32
  %y = replica.select_replica %d[%i] : !replica.per_replica<3 x f32> -> f32
  return %x, %y : f32, f32
}

// -----

// Distributed values through calls and structured control flow.
// CHECK-LABEL: func.func private @callee(f32, f32) -> (f32, f32)
func.func private @callee(!replica.mirrored<2 x f32>) -> !replica.mirrored<2 x f32>
// CHECK-LABEL: func.func @caller(
// CHECK-SAME:    %[[C:[A-Za-z0-9_]+]]: i1, %[[A:[A-Za-z0-9_]+]]: f32, %[[B:[A-Za-z0-9_]+]]: f32) -> (f32, f32)
// CHECK:         %[[R:.*]]:2 = scf.if %[[C]] -> (f32, f32) {
// CHECK:           %[[K:.*]]:2 = func.call @callee(%[[A]], %[[B]]) : (f32, f32) -> (f32, f32)
// CHECK:           scf.yield %[[K]]#0, %[[K]]#1
// CHECK:         } else {
// CHECK:           scf.yield %[[A]], %[[B]]
// CHECK:         return %[[R]]#0, %[[R]]#1
func.func @caller(%c: i1, %m: !replica.mirrored<2 x f32>) -> !replica.mirrored<2 x f32> {
  %r = scf.if %c -> !replica.mirrored<2 x f32> {
    %k = func.call @callee(%m) : (!replica.mirrored<2 x f32>) -> !replica.mirrored<2 x f32>
    scf.yield %k : !replica.mirrored<2 x f32>
  } else {
    scf.yield %m : !replica.mirrored<2 x f32>
  }
  return %r : !replica.mirrored<2 x f32>
}

// -----

// A per-replica and a mirrored value of the same lanes, both reduced: each
// keeps its own type (they used to share one materialization of the wrong
// type and the conversion failed).
// CHECK-LABEL: func.func @same_lanes_both_kinds(
// CHECK-SAME:    %[[C:[A-Za-z0-9_]+]]: tensor<4xf32>)
// CHECK-NOT:     unrealized_conversion_cast
// CHECK:         %[[P:.*]] = replica.regroup %[[C]], %[[C]] always_wrap : tensor<4xf32> -> !replica.per_replica<2 x tensor<4xf32>>
// CHECK:         %[[M:.*]] = replica.regroup %[[C]], %[[C]] mirrored always_wrap : tensor<4xf32> -> !replica.mirrored<2 x tensor<4xf32>>
// CHECK:         replica.all_reduce sum %[[P]] : !replica.per_replica<2 x tensor<4xf32>>
// CHECK:         replica.all_reduce prod %[[M]] : !replica.mirrored<2 x tensor<4xf32>>
// CHECK-NOT:     unrealized_conversion_cast
func.func @same_lanes_both_kinds(%c: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %p = replica.regroup %c, %c : tensor<4xf32> -> !replica.per_replica<2 x tensor<4xf32>>
  %m = replica.regroup %c, %c mirrored : tensor<4xf32> -> !replica.mirrored<2 x tensor<4xf32>>
  %a = replica.all_reduce sum %p : !replica.per_replica<2 x tensor<4xf32>>
  %b = replica.all_reduce prod %m : !replica.mirrored<2 x tensor<4xf32>>
  %x = replica.select_replica %a[0] : !replica.mirrored<2 x tensor<4xf32>> -> tensor<4xf32>
  %y = replica.select_replica %b[1] : !replica.mirrored<2 x tensor<4xf32>> -> tensor<4xf32>
  return %x, %y : tensor<4xf32>, tensor<4xf32>
}

// -----

// One process runs every replica: a started all-reduce is computed where it
// starts, the blocking collective over the copies.
// CHECK-LABEL: func.func @started(
// CHECK:         %[[G:.*]] = replica.regroup
// CHECK-NEXT:    %[[S:.*]] = replica.all_reduce sum %[[G]] : !replica.per_replica<2 x tensor<2xf32>>
// CHECK-NEXT:    %[[SU:.*]]:2 = replica.unpack %[[S]]
// CHECK:         arith.mulf
// CHECK:         arith.mulf
// CHECK-NOT:     all_reduce_start
// CHECK-NOT:     all_reduce_done
func.func @started(%d: !replica.per_replica<2 x tensor<2xf32>>) -> !replica.per_replica<2 x tensor<2xf32>> {
  %r = replica.replicate<2> (%x = %d) : (!replica.per_replica<2 x tensor<2xf32>>)
      -> !replica.per_replica<2 x tensor<2xf32>> {
    %f = replica.all_reduce_start sum %x : tensor<2xf32>
    %y = arith.mulf %x, %x : tensor<2xf32>
    %s = replica.all_reduce_done %f : !replica.future<tensor<2xf32>>
    %z = arith.addf %y, %s : tensor<2xf32>
    replica.yield %z : tensor<2xf32>
  }
  return %r : !replica.per_replica<2 x tensor<2xf32>>
}
