// RUN: replica-opt %s -replica-batch-pack-copies -split-input-file | FileCheck %s
// RUN: replica-opt %s -replica-batch-pack-copies=max-copies-per-loop=2 -split-input-file | FileCheck %s --check-prefix=SPLIT

// Three members copied into their slices of a pack (one expanded from 2-D,
// one reshaped from 3-D) become one parallel loop over (element, member):
// the longest member sets the extent, shorter ones are guarded, and the
// pack is written through its buffer at each slice's offset.
// CHECK-LABEL: func.func @into(
// CHECK-SAME:    %[[A:[a-z0-9]+]]: memref<4x8xf32>, %[[B:[a-z0-9]+]]: memref<3xf32>, %[[C:[a-z0-9]+]]: memref<5x4xf32>)
// CHECK-DAG:     %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG:     %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG:     %[[C32:.*]] = arith.constant 32 : index
// CHECK-DAG:     %[[C3:.*]] = arith.constant 3 : index
// CHECK-DAG:     %[[C20:.*]] = arith.constant 20 : index
// CHECK-DAG:     %[[C36:.*]] = arith.constant 36 : index
// CHECK:         %[[PACK:.*]] = memref.alloc() : memref<64xf32>
// CHECK:         %[[FA:.*]] = memref.collapse_shape %[[A]] {{\[\[}}0, 1]]
// CHECK:         %[[FC:.*]] = memref.collapse_shape %[[C]] {{\[\[}}0, 1]]
// CHECK-NOT:     memref.subview
// CHECK:         scf.parallel (%[[I:.*]], %[[M:.*]]) = (%[[C0]], %[[C0]]) to (%[[C32]], %[[C3]]) step (%[[C1]], %[[C1]]) {
// CHECK:           scf.index_switch %[[M]]
// CHECK:           case 0 {
// CHECK:             %[[VA:.*]] = memref.load %[[FA]][%[[I]]]
// CHECK:             memref.store %[[VA]], %[[PACK]][%[[I]]]
// CHECK:           case 1 {
// CHECK:             %[[IN:.*]] = arith.cmpi ult, %[[I]], %[[C3]]
// CHECK:             scf.if %[[IN]] {
// CHECK:               %[[OB:.*]] = arith.addi %[[I]], %[[C32]]
// CHECK:               %[[VB:.*]] = memref.load %[[B]][%[[I]]]
// CHECK:               memref.store %[[VB]], %[[PACK]][%[[OB]]]
// CHECK:           case 2 {
// CHECK:             arith.cmpi ult, %[[I]], %[[C20]]
// CHECK:               %[[OC:.*]] = arith.addi %[[I]], %[[C36]]
// CHECK:               memref.load %[[FC]][%[[I]]]
// CHECK:               memref.store {{.*}}, %[[PACK]][%[[OC]]]
// CHECK:           default {
// CHECK-NOT:     memref.copy
// CHECK:         return %[[PACK]]

// At most two copies a loop: the three are two loops.
// SPLIT-LABEL: func.func @into(
// SPLIT-DAG:     %[[S1:.*]] = arith.constant 1 : index
// SPLIT-DAG:     %[[S2:.*]] = arith.constant 2 : index
// SPLIT-DAG:     %[[S20:.*]] = arith.constant 20 : index
// SPLIT-DAG:     %[[S32:.*]] = arith.constant 32 : index
// SPLIT:         scf.parallel ({{.*}}) to (%[[S32]], %[[S2]])
// SPLIT:         scf.parallel ({{.*}}) to (%[[S20]], %[[S1]])
// SPLIT-NOT:     scf.parallel
// SPLIT-LABEL: func.func @out_of(
func.func @into(%a: memref<4x8xf32>, %b: memref<3xf32>, %c: memref<5x4xf32>) -> memref<64xf32> {
  %pack = memref.alloc() : memref<64xf32>
  %fa = memref.collapse_shape %a [[0, 1]] : memref<4x8xf32> into memref<32xf32>
  %sa = memref.subview %pack[0] [32] [1] : memref<64xf32> to memref<32xf32, strided<[1]>>
  memref.copy %fa, %sa : memref<32xf32> to memref<32xf32, strided<[1]>>
  %sb = memref.subview %pack[32] [3] [1] : memref<64xf32> to memref<3xf32, strided<[1], offset: 32>>
  memref.copy %b, %sb : memref<3xf32> to memref<3xf32, strided<[1], offset: 32>>
  %sc = memref.subview %pack[36] [20] [1] : memref<64xf32> to memref<20xf32, strided<[1], offset: 36>>
  %ec = memref.expand_shape %sc [[0, 1]] output_shape [5, 4] : memref<20xf32, strided<[1], offset: 36>> into memref<5x4xf32, strided<[4, 1], offset: 36>>
  memref.copy %c, %ec : memref<5x4xf32> to memref<5x4xf32, strided<[4, 1], offset: 36>>
  return %pack : memref<64xf32>
}

// -----

// Copies out of a reduced pack into fresh buffers: the allocations between
// them do not end the run; a single member needs no dispatch.
// CHECK-LABEL: func.func @out_of(
// CHECK-DAG:     %[[O2:.*]] = arith.constant 2 : index
// CHECK-DAG:     %[[O4:.*]] = arith.constant 4 : index
// CHECK:         %[[X:.*]] = memref.alloc() : memref<3xf32>
// CHECK:         %[[Y:.*]] = memref.alloc() : memref<2x2xf32>
// CHECK:         %[[FY:.*]] = memref.collapse_shape %[[Y]]
// CHECK:         scf.parallel ({{.*}}) = ({{.*}}) to (%[[O4]], %[[O2]])
// CHECK:           scf.index_switch
// CHECK-NOT:     memref.copy
// CHECK-LABEL: func.func @single(
// CHECK-DAG:     %[[N1:.*]] = arith.constant 1 : index
// CHECK-DAG:     %[[N3:.*]] = arith.constant 3 : index
// CHECK:         scf.parallel (%[[I:.*]], %{{.*}}) = ({{.*}}) to (%[[N3]], %[[N1]])
// CHECK-NOT:       scf.index_switch
// CHECK:           memref.load
// CHECK:           memref.store
func.func @out_of(%pack: memref<8xf32>) -> (memref<3xf32>, memref<2x2xf32>) {
  %sx = memref.subview %pack[0] [3] [1] : memref<8xf32> to memref<3xf32, strided<[1]>>
  %sy = memref.subview %pack[4] [4] [1] : memref<8xf32> to memref<4xf32, strided<[1], offset: 4>>
  %ey = memref.expand_shape %sy [[0, 1]] output_shape [2, 2] : memref<4xf32, strided<[1], offset: 4>> into memref<2x2xf32, strided<[2, 1], offset: 4>>
  %x = memref.alloc() : memref<3xf32>
  memref.copy %sx, %x : memref<3xf32, strided<[1]>> to memref<3xf32>
  %y = memref.alloc() : memref<2x2xf32>
  memref.copy %ey, %y : memref<2x2xf32, strided<[2, 1], offset: 4>> to memref<2x2xf32>
  return %x, %y : memref<3xf32>, memref<2x2xf32>
}
func.func @single(%pack: memref<8xf32>, %b: memref<3xf32>) {
  %s = memref.subview %pack[0] [3] [1] : memref<8xf32> to memref<3xf32, strided<[1]>>
  memref.copy %b, %s : memref<3xf32> to memref<3xf32, strided<[1]>>
  return
}

// -----

memref.global "private" constant @bias : memref<3xf32> = dense<1.0>

// Left alone: a copy reading a global (host memory). Not batched: a
// dynamically sized member, a loop of its own over its elements; copies on
// either side of an op with side effects are two runs.
// CHECK-LABEL: func.func @left_alone(
// CHECK:         memref.copy %{{.*}}, %{{.*}} : memref<3xf32> to memref<3xf32, strided<[1]>>
// CHECK:         %[[N:.*]] = memref.dim %{{.*}}, %{{.*}} : memref<?xf32>
// CHECK:         scf.parallel (%[[I:.*]]) = (%{{.*}}) to (%[[N]])
// CHECK-NEXT:      %[[V:.*]] = memref.load %{{.*}}[%[[I]]] : memref<?xf32>
// CHECK-NEXT:      memref.store %[[V]], %{{.*}}[%[[I]]] : memref<?xf32, strided<[1], offset: 3>>
// CHECK:         scf.parallel
// CHECK:         memref.store %{{.*}}, %{{.*}}[%{{.*}}] : memref<8xf32>
// CHECK:         memref.store %{{.*}}, %{{.*}}[%{{.*}}] : memref<8xf32>
// CHECK:         scf.parallel
// CHECK-NOT:     memref.copy
// CHECK:         return
func.func @left_alone(%pack: memref<8xf32>, %d: memref<?xf32>, %n: index, %b: memref<2xf32>) {
  %g = memref.get_global @bias : memref<3xf32>
  %s0 = memref.subview %pack[0] [3] [1] : memref<8xf32> to memref<3xf32, strided<[1]>>
  memref.copy %g, %s0 : memref<3xf32> to memref<3xf32, strided<[1]>>
  %s1 = memref.subview %pack[3] [%n] [1] : memref<8xf32> to memref<?xf32, strided<[1], offset: 3>>
  memref.copy %d, %s1 : memref<?xf32> to memref<?xf32, strided<[1], offset: 3>>
  %s2 = memref.subview %pack[4] [2] [1] : memref<8xf32> to memref<2xf32, strided<[1], offset: 4>>
  memref.copy %b, %s2 : memref<2xf32> to memref<2xf32, strided<[1], offset: 4>>
  %c7 = arith.constant 7 : index
  %zero = arith.constant 0.0 : f32
  memref.store %zero, %pack[%c7] : memref<8xf32>
  %s3 = memref.subview %pack[6] [2] [1] : memref<8xf32> to memref<2xf32, strided<[1], offset: 6>>
  memref.copy %b, %s3 : memref<2xf32> to memref<2xf32, strided<[1], offset: 6>>
  return
}
