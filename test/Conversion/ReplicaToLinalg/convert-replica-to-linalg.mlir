// RUN: replica-opt %s -convert-replica-to-linalg -split-input-file | FileCheck %s

// Reductions fold the per-replica values in replica order; mean divides once,
// each element by the scalar count (no tensor of counts, which would be a
// constant the size of the value in the generated code).
// CHECK-LABEL: func.func @mean(
// CHECK-SAME:    %[[A:[A-Za-z0-9_]+]]: tensor<4xf32>, %[[B:[A-Za-z0-9_]+]]: tensor<4xf32>, %[[C:[A-Za-z0-9_]+]]: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
// CHECK:         %[[S1:.*]] = arith.addf %[[A]], %[[B]] : tensor<4xf32>
// CHECK:         %[[S2:.*]] = arith.addf %[[S1]], %[[C]] : tensor<4xf32>
// CHECK:         %[[N:.*]] = arith.constant 3.000000e+00 : f32
// CHECK:         %[[E:.*]] = tensor.empty() : tensor<4xf32>
// CHECK:         %[[M:.*]] = linalg.generic {{.*}} iterator_types = ["parallel"]} ins(%[[S2]] : tensor<4xf32>) outs(%[[E]] : tensor<4xf32>)
// CHECK-NEXT:    ^bb0(%[[X:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT:      %[[Q:.*]] = arith.divf %[[X]], %[[N]] : f32
// CHECK-NEXT:      linalg.yield %[[Q]] : f32
// CHECK-NOT:     arith.divf
// Each replica's copy of a mirrored tensor gets its own buffer.
// CHECK:         %[[M1:.*]] = bufferization.alloc_tensor() copy(%[[M]]) : tensor<4xf32>
// CHECK:         %[[M2:.*]] = bufferization.alloc_tensor() copy(%[[M]]) : tensor<4xf32>
// CHECK:         return %[[M]], %[[M1]], %[[M2]]
func.func @mean(%d: !replica.per_replica<3 x tensor<4xf32>>) -> !replica.mirrored<3 x tensor<4xf32>> {
  %m = replica.all_reduce mean %d : !replica.per_replica<3 x tensor<4xf32>>
  return %m : !replica.mirrored<3 x tensor<4xf32>>
}

// -----

// CHECK-LABEL: func.func @kinds(
// CHECK-SAME:    %[[A:[A-Za-z0-9_]+]]: i64, %[[B:[A-Za-z0-9_]+]]: i64, %[[X:[A-Za-z0-9_]+]]: f64, %[[Y:[A-Za-z0-9_]+]]: f64)
// CHECK-DAG:     %[[P:.*]] = arith.muli %[[A]], %[[B]] : i64
// CHECK-DAG:     %[[MX:.*]] = arith.maxsi %[[A]], %[[B]] : i64
// CHECK-DAG:     %[[MN:.*]] = arith.minimumf %[[X]], %[[Y]] : f64
// CHECK-DAG:     %[[MF:.*]] = arith.maximumf %[[X]], %[[Y]] : f64
// CHECK-DAG:     %[[SI:.*]] = arith.minsi %[[A]], %[[B]] : i64
// CHECK:         return %[[P]], %[[MX]], %[[MN]], %[[MF]], %[[SI]]
func.func @kinds(%i: !replica.per_replica<2 x i64>, %f: !replica.per_replica<2 x f64>) -> (i64, i64, f64, f64, i64) {
  %p = replica.all_reduce prod %i : !replica.per_replica<2 x i64>
  %mx = replica.all_reduce max %i : !replica.per_replica<2 x i64>
  %mn = replica.all_reduce min %f : !replica.per_replica<2 x f64>
  %mf = replica.all_reduce max %f : !replica.per_replica<2 x f64>
  %r = replica.reduce_to min %i to 1 : !replica.per_replica<2 x i64>
  %p0 = replica.select_replica %p[0] : !replica.mirrored<2 x i64> -> i64
  %mx0 = replica.select_replica %mx[1] : !replica.mirrored<2 x i64> -> i64
  %mn0 = replica.select_replica %mn[0] : !replica.mirrored<2 x f64> -> f64
  %mf0 = replica.select_replica %mf[0] : !replica.mirrored<2 x f64> -> f64
  return %p0, %mx0, %mn0, %mf0, %r : i64, i64, f64, f64, i64
}

// -----

// Half precision is accumulated in f32 and rounded once.
// CHECK-LABEL: func.func @half(
// CHECK-SAME:    %[[A:[A-Za-z0-9_]+]]: tensor<2xbf16>, %[[B:[A-Za-z0-9_]+]]: tensor<2xbf16>)
// CHECK:         %[[WA:.*]] = arith.extf %[[A]] : tensor<2xbf16> to tensor<2xf32>
// CHECK:         %[[WB:.*]] = arith.extf %[[B]] : tensor<2xbf16> to tensor<2xf32>
// CHECK:         %[[S:.*]] = arith.addf %[[WA]], %[[WB]] : tensor<2xf32>
// CHECK:         %[[R:.*]] = arith.truncf %[[S]] : tensor<2xf32> to tensor<2xbf16>
// CHECK:         %[[R1:.*]] = bufferization.alloc_tensor() copy(%[[R]])
// CHECK:         return %[[R]], %[[R1]]
func.func @half(%d: !replica.per_replica<2 x tensor<2xbf16>>) -> !replica.mirrored<2 x tensor<2xbf16>> {
  %s = replica.all_reduce sum %d : !replica.per_replica<2 x tensor<2xbf16>>
  return %s : !replica.mirrored<2 x tensor<2xbf16>>
}

// -----

// Gather concatenates; broadcast copies; a batch reduces each operand.
// CHECK-LABEL: func.func @gather_broadcast_batch(
// CHECK-SAME:    %[[A:[A-Za-z0-9_]+]]: tensor<2x3xi32>, %[[B:[A-Za-z0-9_]+]]: tensor<2x3xi32>, %[[V:[A-Za-z0-9_]+]]: f32, %[[X:[A-Za-z0-9_]+]]: f32, %[[Y:[A-Za-z0-9_]+]]: f32)
// CHECK:         %[[G:.*]] = tensor.concat dim(1) %[[A]], %[[B]] : (tensor<2x3xi32>, tensor<2x3xi32>) -> tensor<2x6xi32>
// CHECK:         %[[G1:.*]] = bufferization.alloc_tensor() copy(%[[G]])
// CHECK:         %[[S:.*]] = arith.addf %[[X]], %[[Y]] : f32
// CHECK:         %[[I:.*]] = arith.addi %[[A]], %[[B]] : tensor<2x3xi32>
// CHECK:         %[[I1:.*]] = bufferization.alloc_tensor() copy(%[[I]])
// CHECK:         return %[[G]], %[[G1]], %[[V]], %[[V]], %[[S]], %[[S]], %[[I]], %[[I1]]
func.func @gather_broadcast_batch(%d: !replica.per_replica<2 x tensor<2x3xi32>>, %v: f32, %e: !replica.per_replica<2 x f32>)
    -> (!replica.mirrored<2 x tensor<2x6xi32>>, !replica.mirrored<2 x f32>, !replica.mirrored<2 x f32>, !replica.mirrored<2 x tensor<2x3xi32>>) {
  %g = replica.all_gather %d dim 1 : !replica.per_replica<2 x tensor<2x3xi32>> -> !replica.mirrored<2 x tensor<2x6xi32>>
  %b = replica.broadcast %v : f32 -> !replica.mirrored<2 x f32>
  %s:2 = replica.batch_all_reduce sum %e, %d : !replica.per_replica<2 x f32>, !replica.per_replica<2 x tensor<2x3xi32>>
  return %g, %b, %s#0, %s#1 : !replica.mirrored<2 x tensor<2x6xi32>>, !replica.mirrored<2 x f32>, !replica.mirrored<2 x f32>, !replica.mirrored<2 x tensor<2x3xi32>>
}
