// RUN: replica-opt %s | FileCheck %s

// Collectives under control flow that is the same on every replica, and
// collectives after (not inside) replica-dependent control flow, are valid.

// CHECK-LABEL: func.func @condition_on_all_reduce
// CHECK:         replica.replicate<2>
// CHECK:           replica.replica_id : index
// CHECK:           %[[S:[A-Za-z0-9_]+]] = replica.all_reduce max %{{.+}} : f32
// CHECK:           %[[P:[A-Za-z0-9_]+]] = arith.cmpf ogt, %[[S]], %{{.+}} : f32
// CHECK:           scf.if %[[P]] {
// CHECK-NEXT:        replica.all_reduce sum %{{.+}} : f32
func.func @condition_on_all_reduce(%d: !replica.per_replica<2 x f32>) {
  replica.replicate<2> (%x = %d) : (!replica.per_replica<2 x f32>) -> () {
    %id = replica.replica_id : index
    %i = arith.index_cast %id : index to i32
    %f = arith.sitofp %i : i32 to f32
    %s = replica.all_reduce max %f : f32
    %z = arith.constant 0.0 : f32
    %p = arith.cmpf ogt, %s, %z : f32
    scf.if %p {
      %r = replica.all_reduce sum %x : f32
    }
    replica.yield
  }
  return
}

// CHECK-LABEL: func.func @condition_on_other_collectives
// CHECK:         replica.batch_all_reduce sum
// CHECK:         replica.broadcast %{{.+}} from 0 : i1
// CHECK:         replica.all_gather %{{.+}} dim 0 : tensor<1xf32> -> tensor<2xf32>
// CHECK:         scf.if
// CHECK-NEXT:      replica.reduce_to sum %{{.+}} to 1 : f32
// CHECK:         scf.if
// CHECK-NEXT:      replica.all_reduce min %{{.+}} : f32
// CHECK:         scf.if
// CHECK-NEXT:      replica.all_reduce max %{{.+}} : f32
func.func @condition_on_other_collectives(%d: !replica.per_replica<2 x f32>) {
  replica.replicate<2> (%x = %d) : (!replica.per_replica<2 x f32>) -> () {
    %id = replica.replica_id : index
    %c0 = arith.constant 0 : index
    %z = arith.constant 0.0 : f32
    %i = arith.index_cast %id : index to i32
    %f = arith.sitofp %i : i32 to f32
    %b:2 = replica.batch_all_reduce sum %f, %x : f32, f32
    %own = arith.cmpi eq, %id, %c0 : index
    %h = replica.broadcast %own from 0 : i1
    %t = tensor.from_elements %x : tensor<1xf32>
    %g = replica.all_gather %t dim 0 : tensor<1xf32> -> tensor<2xf32>
    %e = tensor.extract %g[%c0] : tensor<2xf32>
    %p = arith.cmpf olt, %b#0, %z : f32
    scf.if %p {
      %r = replica.reduce_to sum %x to 1 : f32
    }
    scf.if %h {
      %r = replica.all_reduce min %x : f32
    }
    %q = arith.cmpf olt, %e, %z : f32
    scf.if %q {
      %r = replica.all_reduce max %x : f32
    }
    replica.yield
  }
  return
}

// CHECK-LABEL: func.func @condition_on_mirrored_argument(
// CHECK-SAME:    %[[D:[A-Za-z0-9_]+]]: !replica.per_replica<2 x tensor<4xf32>>
// CHECK-SAME:    %[[M:[A-Za-z0-9_]+]]: !replica.mirrored<2 x f32>
// CHECK:         replica.replicate<2> (%[[X:[A-Za-z0-9_]+]] = %[[D]], %[[W:[A-Za-z0-9_]+]] = %[[M]])
// CHECK:           %[[P:[A-Za-z0-9_]+]] = arith.cmpf ogt, %[[W]], %{{.+}} : f32
// CHECK:           scf.if %[[P]] {
// CHECK-NEXT:        replica.all_reduce sum %[[X]] : tensor<4xf32>
func.func @condition_on_mirrored_argument(%d: !replica.per_replica<2 x tensor<4xf32>>, %m: !replica.mirrored<2 x f32>) {
  replica.replicate<2> (%x = %d, %w = %m) : (!replica.per_replica<2 x tensor<4xf32>>, !replica.mirrored<2 x f32>) -> () {
    %z = arith.constant 0.0 : f32
    %p = arith.cmpf ogt, %w, %z : f32
    scf.if %p {
      %r = replica.all_reduce sum %x : tensor<4xf32>
    }
    replica.yield
  }
  return
}

// A local (non-distributed) operand and a value captured from above are the
// same on every replica.
// CHECK-LABEL: func.func @condition_on_local_operand_and_capture(
// CHECK-SAME:    %[[D:[A-Za-z0-9_]+]]: !replica.per_replica<2 x f32>
// CHECK-SAME:    %[[C:[A-Za-z0-9_]+]]: i1
// CHECK-SAME:    %[[Q:[A-Za-z0-9_]+]]: i1
// CHECK:         replica.replicate<2> (%[[X:[A-Za-z0-9_]+]] = %[[D]], %[[B:[A-Za-z0-9_]+]] = %[[C]])
// CHECK:           scf.if %[[B]] {
// CHECK-NEXT:        replica.all_reduce sum %[[X]] : f32
// CHECK:           scf.if %[[Q]] {
// CHECK-NEXT:        replica.broadcast %[[X]] from 1 : f32
func.func @condition_on_local_operand_and_capture(%d: !replica.per_replica<2 x f32>, %c: i1, %q: i1) {
  replica.replicate<2> (%x = %d, %b = %c) : (!replica.per_replica<2 x f32>, i1) -> () {
    scf.if %b {
      %r = replica.all_reduce sum %x : f32
    }
    scf.if %q {
      %r = replica.broadcast %x from 1 : f32
    }
    replica.yield
  }
  return
}

// CHECK-LABEL: func.func @for_divergent_init_uniform_bounds
// CHECK:         %[[ID:[A-Za-z0-9_]+]] = replica.replica_id : index
// CHECK:         scf.for %{{.+}} = %{{.+}} to %{{.+}} step %{{.+}} iter_args(%{{[A-Za-z0-9_]+}} = %[[ID]]) -> (index) {
// CHECK:           replica.all_reduce sum %{{.+}} : f32
// CHECK:           scf.yield
func.func @for_divergent_init_uniform_bounds(%d: !replica.per_replica<2 x f32>) {
  replica.replicate<2> (%x = %d) : (!replica.per_replica<2 x f32>) -> () {
    %id = replica.replica_id : index
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c4 = arith.constant 4 : index
    %r = scf.for %iv = %c0 to %c4 step %c1 iter_args(%acc = %id) -> (index) {
      %s = replica.all_reduce sum %x : f32
      %n = arith.addi %acc, %iv : index
      scf.yield %n : index
    }
    replica.yield
  }
  return
}

// CHECK-LABEL: func.func @collectives_after_divergent_if
// CHECK:         %[[V:[A-Za-z0-9_]+]] = scf.if %{{.+}} -> (f32) {
// CHECK:         } else {
// CHECK:         }
// CHECK-NEXT:    replica.all_reduce sum %[[V]] : f32
// CHECK:         replica.all_gather %{{.+}} dim 0 : tensor<1xf32> -> tensor<2xf32>
func.func @collectives_after_divergent_if(%d: !replica.per_replica<2 x f32>) {
  replica.replicate<2> (%x = %d) : (!replica.per_replica<2 x f32>) -> () {
    %id = replica.replica_id : index
    %c0 = arith.constant 0 : index
    %p = arith.cmpi eq, %id, %c0 : index
    %v = scf.if %p -> (f32) {
      %two = arith.constant 2.0 : f32
      %y = arith.mulf %x, %two : f32
      scf.yield %y : f32
    } else {
      scf.yield %x : f32
    }
    %s = replica.all_reduce sum %v : f32
    %t = tensor.from_elements %v : tensor<1xf32>
    %g = replica.all_gather %t dim 0 : tensor<1xf32> -> tensor<2xf32>
    replica.yield
  }
  return
}

// CHECK-LABEL: func.func @collective_after_divergent_loop
// CHECK:         scf.for
// CHECK:         }
// CHECK-NEXT:    replica.batch_all_reduce sum
func.func @collective_after_divergent_loop(%d: !replica.per_replica<2 x f32>) {
  replica.replicate<2> (%x = %d) : (!replica.per_replica<2 x f32>) -> () {
    %id = replica.replica_id : index
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %r = scf.for %iv = %c0 to %id step %c1 iter_args(%acc = %x) -> (f32) {
      %n = arith.addf %acc, %x : f32
      scf.yield %n : f32
    }
    %s:2 = replica.batch_all_reduce sum %r, %x : f32, f32
    replica.yield
  }
  return
}

// The merge block post-dominates the replica-dependent branch: every replica
// reaches its collective.
// CHECK-LABEL: func.func @cond_br_collective_in_merge_block
// CHECK:         scf.execute_region {
// CHECK:           cf.cond_br %{{.+}}, ^{{.+}}, ^[[MERGE:bb[0-9]+]]
// CHECK:         ^[[MERGE]]:
// CHECK-NEXT:      replica.all_reduce sum %{{.+}} : f32
// CHECK-NEXT:      scf.yield
func.func @cond_br_collective_in_merge_block(%d: !replica.per_replica<2 x f32>) {
  replica.replicate<2> (%x = %d) : (!replica.per_replica<2 x f32>) -> () {
    %id = replica.replica_id : index
    %c0 = arith.constant 0 : index
    scf.execute_region {
      %p = arith.cmpi eq, %id, %c0 : index
      cf.cond_br %p, ^bb1, ^bb2
    ^bb1:
      cf.br ^bb2
    ^bb2:
      %s = replica.all_reduce sum %x : f32
      scf.yield
    }
    replica.yield
  }
  return
}

// CHECK-LABEL: func.func @replica_id_used_without_control_flow
// CHECK:         %[[ID:[A-Za-z0-9_]+]] = replica.replica_id : index
// CHECK:         %[[E:[A-Za-z0-9_]+]] = tensor.extract %{{.+}}[%[[ID]]] : tensor<2xf32>
// CHECK:         replica.all_reduce sum %[[E]] : f32
// CHECK:         replica.reduce_to prod %[[E]] to 0 : f32
func.func @replica_id_used_without_control_flow(%table: tensor<2xf32>) {
  replica.replicate<2> () : () -> () {
    %id = replica.replica_id : index
    %e = tensor.extract %table[%id] : tensor<2xf32>
    %s = replica.all_reduce sum %e : f32
    %r = replica.reduce_to prod %e to 0 : f32
    replica.yield
  }
  return
}

// A load at a replica-dependent index reads the buffer; it does not make
// the buffer replica-dependent.
// CHECK-LABEL: func.func @load_at_divergent_index
// CHECK:         scf.if
// CHECK-NEXT:      replica.all_reduce sum
func.func @load_at_divergent_index(%buf: memref<2xi1>) {
  replica.replicate<2> () : () -> () {
    %id = replica.replica_id : index
    %c0 = arith.constant 0 : index
    %one = arith.constant 1.0 : f32
    %mine = memref.load %buf[%id] : memref<2xi1>
    %first = memref.load %buf[%c0] : memref<2xi1>
    scf.if %first {
      %s = replica.all_reduce sum %one : f32
    }
    replica.yield
  }
  return
}

// Mirrored leaves of a structure argument are the same on every replica.
// CHECK-LABEL: func.func @condition_on_mirrored_leaf_of_tuple
// CHECK:         scf.if
// CHECK-NEXT:      replica.all_reduce sum
func.func @condition_on_mirrored_leaf_of_tuple(%s: tuple<!replica.mirrored<2 x i1>, !replica.per_replica<2 x f32>>) {
  replica.replicate<2> (%t = %s) : (tuple<!replica.mirrored<2 x i1>, !replica.per_replica<2 x f32>>) -> () {
    %p = replica.tuple_get %t[0] : tuple<i1, f32> -> i1
    %x = replica.tuple_get %t[1] : tuple<i1, f32> -> f32
    scf.if %p {
      %r = replica.all_reduce sum %x : f32
    }
    replica.yield
  }
  return
}

// A buffer that is both a replicate operand and captured, written with a
// per-replica value: the body's top-level collectives are still reached by
// every replica.
// CHECK-LABEL: func.func @captured_buffer_written
// CHECK:         memref.store
// CHECK-NEXT:    replica.all_reduce sum
func.func @captured_buffer_written(%d: !replica.per_replica<2 x f32>, %buf: memref<1xf32>) {
  replica.replicate<2> (%x = %d, %m = %buf) : (!replica.per_replica<2 x f32>, memref<1xf32>) -> () {
    %c0 = arith.constant 0 : index
    memref.store %x, %buf[%c0] : memref<1xf32>
    %r = replica.all_reduce sum %x : f32
    replica.yield
  }
  return
}
