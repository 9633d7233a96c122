// RUN: replica-opt %s -replica-scf-to-cf -split-input-file | FileCheck %s
// Upstream's control flow graph: lowering innermost first, last to first
// within a block, changes only how much IR each split moves.
// RUN: replica-opt %s -replica-scf-to-cf -split-input-file > %t.linear
// RUN: replica-opt %s -convert-scf-to-cf -split-input-file > %t.upstream
// RUN: diff %t.linear %t.upstream

// A loop nest, then an if with a result, then a loop carrying it.
// CHECK-LABEL: func.func @nest_if_carried
// CHECK-SAME:    (%[[N:.*]]: index, %[[M:.*]]: memref<?xf32>, %[[C:.*]]: i1)
// CHECK:         cf.br ^[[OUTER:bb[0-9]+]](%[[C0:.*]] : index)
// CHECK:       ^[[OUTER]](%[[I:.*]]: index):
// CHECK:         %[[IC:.*]] = arith.cmpi slt, %[[I]], %[[N]]
// CHECK:         cf.cond_br %[[IC]], ^[[OPRE:bb[0-9]+]], ^[[IF:bb[0-9]+]]
// CHECK:       ^[[OPRE]]:
// CHECK:         cf.br ^[[INNER:bb[0-9]+]](%[[C0]] : index)
// CHECK:       ^[[INNER]](%[[J:.*]]: index):
// CHECK:         cf.cond_br %{{.*}}, ^[[BODY:bb[0-9]+]], ^[[OLATCH:bb[0-9]+]]
// CHECK:       ^[[BODY]]:
// CHECK:         memref.store %{{.*}}, %[[M]][%[[J]]]
// CHECK:         cf.br ^[[INNER]]
// CHECK:       ^[[OLATCH]]:
// CHECK:         cf.br ^[[OUTER]]
// CHECK:       ^[[IF]]:
// CHECK:         cf.cond_br %[[C]], ^[[THEN:bb[0-9]+]], ^[[ELSE:bb[0-9]+]]
// CHECK:       ^[[THEN]]:
// CHECK:         %[[V:.*]] = memref.load %[[M]]
// CHECK:         cf.br ^[[JOIN:bb[0-9]+]](%[[V]] : f32)
// CHECK:       ^[[ELSE]]:
// CHECK:         cf.br ^[[JOIN]](%{{.*}} : f32)
// CHECK:       ^[[JOIN]](%[[R:.*]]: f32):
// CHECK:         cf.br ^[[PRE:bb[0-9]+]]
// CHECK:       ^[[PRE]]:
// CHECK:         cf.br ^[[HEAD:bb[0-9]+]](%[[C0]], %[[R]] : index, f32)
// CHECK:       ^[[HEAD]](%{{.*}}: index, %[[ACC:.*]]: f32):
// CHECK:         cf.cond_br %{{.*}}, ^{{bb[0-9]+}}, ^[[EXIT:bb[0-9]+]]
// CHECK:       ^[[EXIT]]:
// CHECK-NEXT:    return %[[ACC]] : f32
// CHECK-NOT:   scf.
func.func @nest_if_carried(%n: index, %m: memref<?xf32>, %c: i1) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f32
  scf.for %i = %c0 to %n step %c1 {
    scf.for %j = %c0 to %n step %c1 {
      memref.store %zero, %m[%j] : memref<?xf32>
    }
  }
  %r = scf.if %c -> f32 {
    %v = memref.load %m[%c0] : memref<?xf32>
    scf.yield %v : f32
  } else {
    scf.yield %zero : f32
  }
  %s = scf.for %k = %c0 to %n step %c1 iter_args(%acc = %r) -> f32 {
    %w = arith.addf %acc, %acc : f32
    scf.yield %w : f32
  }
  return %s : f32
}

// -----

// A while loop whose body holds an index_switch and a parallel loop.
// CHECK-LABEL: func.func @while_switch_parallel
// CHECK-NOT:   scf.
// CHECK:         cf.switch
// CHECK:         return
func.func @while_switch_parallel(%n: index, %m: memref<?xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %one = arith.constant 1.0 : f32
  %end = scf.while (%i = %c0) : (index) -> index {
    %more = arith.cmpi slt, %i, %n : index
    scf.condition(%more) %i : index
  } do {
  ^bb0(%i: index):
    scf.index_switch %i
    case 0 {
      scf.parallel (%p) = (%c0) to (%n) step (%c1) {
        memref.store %one, %m[%p] : memref<?xf32>
      }
      scf.yield
    }
    default {
    }
    %next = arith.addi %i, %c1 : index
    scf.yield %next : index
  }
  return
}
