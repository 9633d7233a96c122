// RUN: replica-opt %s -split-input-file -verify-diagnostics

// Every replica must reach the same collectives in the same order: a
// collective under control flow whose condition depends on replica.replica_id
// (or on a per-replica body argument) is rejected.

func.func @if_on_replica_id(%d: !replica.per_replica<2 x f32>) {
  replica.replicate<2> (%x = %d) : (!replica.per_replica<2 x f32>) -> () {
    %id = replica.replica_id : index
    %c0 = arith.constant 0 : index
    // expected-note@+1 {{condition depends on replica_id here}}
    %p = arith.cmpi eq, %id, %c0 : index
    scf.if %p {
      // expected-error@+1 {{'replica.all_reduce' op collective under replica-dependent control flow; every replica must reach the same collectives}}
      %s = replica.all_reduce sum %x : f32
    }
    replica.yield
  }
  return
}

// -----

func.func @else_branch_on_replica_id(%d: !replica.per_replica<2 x tensor<4xf32>>) {
  replica.replicate<2> (%x = %d) : (!replica.per_replica<2 x tensor<4xf32>>) -> () {
    %id = replica.replica_id : index
    %c1 = arith.constant 1 : index
    // expected-note@+1 {{condition depends on replica_id here}}
    %p = arith.cmpi ult, %id, %c1 : index
    scf.if %p {
    } else {
      // expected-error@+1 {{'replica.broadcast' op collective under replica-dependent control flow}}
      %b = replica.broadcast %x from 0 : tensor<4xf32>
    }
    replica.yield
  }
  return
}

// -----

func.func @every_collective_kind(%d: !replica.per_replica<2 x tensor<4xf32>>) {
  replica.replicate<2> (%x = %d) : (!replica.per_replica<2 x tensor<4xf32>>) -> () {
    %id = replica.replica_id : index
    %c0 = arith.constant 0 : index
    // expected-note@+1 {{condition depends on replica_id here}}
    %p0 = arith.cmpi ne, %id, %c0 : index
    scf.if %p0 {
      // expected-error@+1 {{'replica.all_reduce' op collective under replica-dependent control flow}}
      %a = replica.all_reduce sum %x : tensor<4xf32>
    }
    // expected-note@+1 {{condition depends on replica_id here}}
    %p1 = arith.cmpi ne, %id, %c0 : index
    scf.if %p1 {
      // expected-error@+1 {{'replica.batch_all_reduce' op collective under replica-dependent control flow}}
      %b:2 = replica.batch_all_reduce max %x, %x : tensor<4xf32>, tensor<4xf32>
    }
    // expected-note@+1 {{condition depends on replica_id here}}
    %p2 = arith.cmpi ne, %id, %c0 : index
    scf.if %p2 {
      // expected-error@+1 {{'replica.reduce_to' op collective under replica-dependent control flow}}
      %c = replica.reduce_to min %x to 0 : tensor<4xf32>
    }
    // expected-note@+1 {{condition depends on replica_id here}}
    %p3 = arith.cmpi ne, %id, %c0 : index
    scf.if %p3 {
      // expected-error@+1 {{'replica.broadcast' op collective under replica-dependent control flow}}
      %e = replica.broadcast %x from 1 : tensor<4xf32>
    }
    // expected-note@+1 {{condition depends on replica_id here}}
    %p4 = arith.cmpi ne, %id, %c0 : index
    scf.if %p4 {
      // expected-error@+1 {{'replica.all_gather' op collective under replica-dependent control flow}}
      %f = replica.all_gather %x dim 0 : tensor<4xf32> -> tensor<8xf32>
    }
    replica.yield
  }
  return
}

// -----

func.func @through_several_ops(%d: !replica.per_replica<2 x tensor<4xf32>>) {
  replica.replicate<2> (%x = %d) : (!replica.per_replica<2 x tensor<4xf32>>) -> () {
    %id = replica.replica_id : index
    %i = arith.index_cast %id : index to i32
    %f = arith.sitofp %i : i32 to f32
    %half = arith.constant 0.5 : f32
    %g = arith.mulf %f, %half : f32
    %h = math.floor %g : f32
    // expected-note@+1 {{condition depends on replica_id here}}
    %p = arith.cmpf oeq, %h, %g : f32
    scf.if %p {
      // expected-error@+1 {{'replica.batch_all_reduce' op collective under replica-dependent control flow}}
      %s:2 = replica.batch_all_reduce sum %x, %g : tensor<4xf32>, f32
    }
    replica.yield
  }
  return
}

// -----

func.func @through_for_iter_arg(%d: !replica.per_replica<2 x f32>) {
  replica.replicate<2> (%x = %d) : (!replica.per_replica<2 x f32>) -> () {
    %id = replica.replica_id : index
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c4 = arith.constant 4 : index
    %zero = arith.constant 0.0 : f32
    %idi = arith.index_cast %id : index to i32
    %init = arith.sitofp %idi : i32 to f32
    %r = scf.for %iv = %c0 to %c4 step %c1 iter_args(%acc = %init) -> (f32) {
      // expected-note@+1 {{condition depends on replica_id here}}
      %p = arith.cmpf ogt, %acc, %zero : f32
      scf.if %p {
        // expected-error@+1 {{'replica.reduce_to' op collective under replica-dependent control flow}}
        %s = replica.reduce_to sum %x to 0 : f32
      }
      scf.yield %acc : f32
    }
    replica.yield
  }
  return
}

// -----

func.func @through_for_result(%d: !replica.per_replica<2 x f32>) {
  replica.replicate<2> (%x = %d) : (!replica.per_replica<2 x f32>) -> () {
    %id = replica.replica_id : index
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c4 = arith.constant 4 : index
    %r = scf.for %iv = %c0 to %c4 step %c1 iter_args(%acc = %id) -> (index) {
      %n = arith.addi %acc, %iv : index
      scf.yield %n : index
    }
    // expected-note@+1 {{condition depends on replica_id here}}
    %p = arith.cmpi sgt, %r, %c4 : index
    scf.if %p {
      // expected-error@+1 {{'replica.all_reduce' op collective under replica-dependent control flow}}
      %s = replica.all_reduce prod %x : f32
    }
    replica.yield
  }
  return
}

// -----

func.func @loop_carried(%d: !replica.per_replica<2 x f32>) {
  replica.replicate<2> (%x = %d) : (!replica.per_replica<2 x f32>) -> () {
    %id = replica.replica_id : index
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c4 = arith.constant 4 : index
    // The initial value is uniform; the value carried into the next iteration
    // is not.
    %r = scf.for %iv = %c0 to %c4 step %c1 iter_args(%acc = %c0) -> (index) {
      // expected-note@+1 {{condition depends on replica_id here}}
      %p = arith.cmpi eq, %acc, %c1 : index
      scf.if %p {
        // expected-error@+1 {{'replica.all_reduce' op collective under replica-dependent control flow}}
        %s = replica.all_reduce sum %x : f32
      }
      %next = arith.addi %acc, %id : index
      scf.yield %next : index
    }
    replica.yield
  }
  return
}

// -----

func.func @through_memref(%d: !replica.per_replica<2 x f32>) {
  replica.replicate<2> (%x = %d) : (!replica.per_replica<2 x f32>) -> () {
    %id = replica.replica_id : index
    %c0 = arith.constant 0 : index
    %buf = memref.alloca() : memref<1xindex>
    memref.store %id, %buf[%c0] : memref<1xindex>
    %v = memref.load %buf[%c0] : memref<1xindex>
    // expected-note@+1 {{condition depends on replica_id here}}
    %p = arith.cmpi eq, %v, %c0 : index
    scf.if %p {
      // expected-error@+1 {{'replica.all_reduce' op collective under replica-dependent control flow}}
      %s = replica.all_reduce sum %x : f32
    }
    replica.yield
  }
  return
}

// -----

func.func @through_captured_memref(%d: !replica.per_replica<2 x f32>, %buf: memref<1xf32>) {
  replica.replicate<2> (%x = %d) : (!replica.per_replica<2 x f32>) -> () {
    %c0 = arith.constant 0 : index
    memref.store %x, %buf[%c0] : memref<1xf32>
    %v = memref.load %buf[%c0] : memref<1xf32>
    %zero = arith.constant 0.0 : f32
    // expected-note@+1 {{condition depends on replica_id here}}
    %p = arith.cmpf olt, %v, %zero : f32
    scf.if %p {
      // expected-error@+1 {{'replica.all_reduce' op collective under replica-dependent control flow}}
      %s = replica.all_reduce sum %x : f32
    }
    replica.yield
  }
  return
}

// -----

func.func @through_tensor_extract(%d: !replica.per_replica<2 x f32>) {
  replica.replicate<2> (%x = %d) : (!replica.per_replica<2 x f32>) -> () {
    %id = replica.replica_id : index
    %c0 = arith.constant 0 : index
    %t = tensor.from_elements %id : tensor<1xindex>
    %e = tensor.extract %t[%c0] : tensor<1xindex>
    // expected-note@+1 {{condition depends on replica_id here}}
    %p = arith.cmpi eq, %e, %c0 : index
    scf.if %p {
      // expected-error@+1 {{'replica.all_reduce' op collective under replica-dependent control flow}}
      %s = replica.all_reduce sum %x : f32
    }
    replica.yield
  }
  return
}

// -----

func.func @through_tensor_extract_at_replica_id(%d: !replica.per_replica<2 x f32>, %table: tensor<2xi1>) {
  replica.replicate<2> (%x = %d) : (!replica.per_replica<2 x f32>) -> () {
    %id = replica.replica_id : index
    // expected-note@+1 {{condition depends on replica_id here}}
    %p = tensor.extract %table[%id] : tensor<2xi1>
    scf.if %p {
      // expected-error@+1 {{'replica.all_reduce' op collective under replica-dependent control flow}}
      %s = replica.all_reduce sum %x : f32
    }
    replica.yield
  }
  return
}

// -----

func.func @nested_if_outer_divergent(%d: !replica.per_replica<2 x f32>, %q: i1) {
  replica.replicate<2> (%x = %d) : (!replica.per_replica<2 x f32>) -> () {
    %id = replica.replica_id : index
    %c0 = arith.constant 0 : index
    // expected-note@+1 {{condition depends on replica_id here}}
    %p = arith.cmpi eq, %id, %c0 : index
    scf.if %p {
      scf.if %q {
        // expected-error@+1 {{'replica.all_reduce' op collective under replica-dependent control flow}}
        %s = replica.all_reduce sum %x : f32
      }
    }
    replica.yield
  }
  return
}

// -----

func.func @nested_if_inner_divergent(%d: !replica.per_replica<2 x f32>, %q: i1) {
  replica.replicate<2> (%x = %d) : (!replica.per_replica<2 x f32>) -> () {
    %id = replica.replica_id : index
    %c0 = arith.constant 0 : index
    scf.if %q {
      %c1 = arith.constant 1 : index
      %j = arith.addi %id, %c1 : index
      scf.if %q {
        // expected-note@+1 {{condition depends on replica_id here}}
        %p = arith.cmpi eq, %j, %c1 : index
        scf.if %p {
          %t = tensor.from_elements %x : tensor<1xf32>
          // expected-error@+1 {{'replica.all_gather' op collective under replica-dependent control flow}}
          %g = replica.all_gather %t dim 0 : tensor<1xf32> -> tensor<2xf32>
        }
      }
    }
    replica.yield
  }
  return
}

// -----

func.func @nested_if_divergent_result(%d: !replica.per_replica<2 x f32>) {
  replica.replicate<2> (%x = %d) : (!replica.per_replica<2 x f32>) -> () {
    %id = replica.replica_id : index
    %c0 = arith.constant 0 : index
    %p = arith.cmpi eq, %id, %c0 : index
    %true = arith.constant true
    %false = arith.constant false
    // Both branches yield constants; which one arrives depends on replica_id.
    // expected-note@+1 {{condition depends on replica_id here}}
    %q = scf.if %p -> (i1) {
      scf.yield %true : i1
    } else {
      scf.yield %false : i1
    }
    scf.if %q {
      // expected-error@+1 {{'replica.all_reduce' op collective under replica-dependent control flow}}
      %s = replica.all_reduce sum %x : f32
    }
    replica.yield
  }
  return
}

// -----

func.func @for_upper_bound(%d: !replica.per_replica<2 x f32>) {
  replica.replicate<2> (%x = %d) : (!replica.per_replica<2 x f32>) -> () {
    %id = replica.replica_id : index
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    // expected-note@+1 {{condition depends on replica_id here}}
    %ub = arith.addi %id, %c1 : index
    scf.for %iv = %c0 to %ub step %c1 {
      // expected-error@+1 {{'replica.all_reduce' op collective under replica-dependent control flow}}
      %s = replica.all_reduce sum %x : f32
    }
    replica.yield
  }
  return
}

// -----

func.func @for_step(%d: !replica.per_replica<2 x f32>) {
  replica.replicate<2> (%x = %d) : (!replica.per_replica<2 x f32>) -> () {
    %id = replica.replica_id : index
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c8 = arith.constant 8 : index
    // expected-note@+1 {{condition depends on replica_id here}}
    %step = arith.addi %id, %c1 : index
    scf.for %iv = %c0 to %c8 step %step {
      // expected-error@+1 {{'replica.broadcast' op collective under replica-dependent control flow}}
      %b = replica.broadcast %x from 0 : f32
    }
    replica.yield
  }
  return
}

// -----

func.func @while_condition(%d: !replica.per_replica<2 x f32>) {
  replica.replicate<2> (%x = %d) : (!replica.per_replica<2 x f32>) -> () {
    %id = replica.replica_id : index
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %r = scf.while (%i = %c0) : (index) -> index {
      // expected-note@+1 {{condition depends on replica_id here}}
      %p = arith.cmpi ult, %i, %id : index
      scf.condition(%p) %i : index
    } do {
    ^bb0(%j: index):
      // expected-error@+1 {{'replica.all_reduce' op collective under replica-dependent control flow}}
      %s = replica.all_reduce sum %x : f32
      %n = arith.addi %j, %c1 : index
      scf.yield %n : index
    }
    replica.yield
  }
  return
}

// -----

func.func @while_condition_before_region(%d: !replica.per_replica<2 x f32>) {
  replica.replicate<2> (%x = %d) : (!replica.per_replica<2 x f32>) -> () {
    %id = replica.replica_id : index
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %r = scf.while (%i = %c0) : (index) -> index {
      // The before region runs once more than the after region: as many
      // times as the replica-dependent condition says.
      // expected-error@+1 {{'replica.all_reduce' op collective under replica-dependent control flow}}
      %s = replica.all_reduce sum %x : f32
      // expected-note@+1 {{condition depends on replica_id here}}
      %p = arith.cmpi ult, %i, %id : index
      scf.condition(%p) %i : index
    } do {
    ^bb0(%j: index):
      %n = arith.addi %j, %c1 : index
      scf.yield %n : index
    }
    replica.yield
  }
  return
}

// -----

func.func @index_switch_on_replica_id(%d: !replica.per_replica<2 x f32>) {
  replica.replicate<2> (%x = %d) : (!replica.per_replica<2 x f32>) -> () {
    // expected-note@+1 {{condition depends on replica_id here}}
    %id = replica.replica_id : index
    scf.index_switch %id
    case 0 {
      // expected-error@+1 {{'replica.all_reduce' op collective under replica-dependent control flow}}
      %s = replica.all_reduce sum %x : f32
      scf.yield
    }
    default {
    }
    replica.yield
  }
  return
}

// -----

func.func @per_replica_body_argument(%d: !replica.per_replica<2 x f32>) {
  replica.replicate<2> (%x = %d) : (!replica.per_replica<2 x f32>) -> () {
    %zero = arith.constant 0.0 : f32
    // expected-note@+1 {{condition depends on replica_id here}}
    %p = arith.cmpf ogt, %x, %zero : f32
    scf.if %p {
      // expected-error@+1 {{'replica.all_reduce' op collective under replica-dependent control flow}}
      %s = replica.all_reduce sum %x : f32
    }
    replica.yield
  }
  return
}

// -----

func.func @per_replica_tuple_body_argument(%s: tuple<!replica.per_replica<2 x i1>, f32>) {
  replica.replicate<2> (%t = %s) : (tuple<!replica.per_replica<2 x i1>, f32>) -> () {
    // expected-note@+1 {{condition depends on replica_id here}}
    %p = replica.tuple_get %t[0] : tuple<i1, f32> -> i1
    %v = replica.tuple_get %t[1] : tuple<i1, f32> -> f32
    scf.if %p {
      // expected-error@+1 {{'replica.all_reduce' op collective under replica-dependent control flow}}
      %r = replica.all_reduce sum %v : f32
    }
    replica.yield
  }
  return
}

// -----

func.func @reduce_to_result_is_not_uniform(%d: !replica.per_replica<2 x f32>) {
  replica.replicate<2> (%x = %d) : (!replica.per_replica<2 x f32>) -> () {
    %z = arith.constant 0.0 : f32
    // Only replica 0 receives the reduced value: unlike all_reduce, reduce_to
    // does not make its result uniform.
    %r = replica.reduce_to sum %x to 0 : f32
    // expected-note@+1 {{condition depends on replica_id here}}
    %p = arith.cmpf ogt, %r, %z : f32
    scf.if %p {
      // expected-error@+1 {{'replica.all_reduce' op collective under replica-dependent control flow}}
      %s = replica.all_reduce sum %x : f32
    }
    replica.yield
  }
  return
}

// -----

func.func @cond_br_in_execute_region(%d: !replica.per_replica<2 x f32>) {
  replica.replicate<2> (%x = %d) : (!replica.per_replica<2 x f32>) -> () {
    %id = replica.replica_id : index
    %c0 = arith.constant 0 : index
    scf.execute_region {
      // expected-note@+1 {{condition depends on replica_id here}}
      %p = arith.cmpi eq, %id, %c0 : index
      cf.cond_br %p, ^bb1, ^bb2
    ^bb1:
      // expected-error@+1 {{'replica.all_reduce' op collective under replica-dependent control flow}}
      %s = replica.all_reduce sum %x : f32
      cf.br ^bb2
    ^bb2:
      scf.yield
    }
    replica.yield
  }
  return
}

// -----

func.func @cond_br_merged_value(%d: !replica.per_replica<2 x f32>) {
  replica.replicate<2> (%x = %d) : (!replica.per_replica<2 x f32>) -> () {
    %id = replica.replica_id : index
    %c0 = arith.constant 0 : index
    %true = arith.constant true
    %false = arith.constant false
    %q = scf.execute_region -> i1 {
      %p = arith.cmpi eq, %id, %c0 : index
      cf.cond_br %p, ^bb1, ^bb2
    ^bb1:
      cf.br ^bb3(%true : i1)
    ^bb2:
      cf.br ^bb3(%false : i1)
    ^bb3(%m: i1):
      scf.yield %m : i1
    }
    // expected-note@+1 {{condition depends on replica_id here}}
    %r = arith.xori %q, %true : i1
    scf.if %r {
      // expected-error@+1 {{'replica.all_reduce' op collective under replica-dependent control flow}}
      %s = replica.all_reduce sum %x : f32
    }
    replica.yield
  }
  return
}

// -----

// reduce_to gives its result on one replica only, whatever its operand.
func.func @condition_on_reduce_to_of_uniform_value() {
  replica.replicate<2> () : () -> () {
    %one = arith.constant 1.0 : f32
    %z = arith.constant 0.0 : f32
    %r = replica.reduce_to sum %one to 0 : f32
    // expected-note@+1 {{condition depends on replica_id here}}
    %p = arith.cmpf ogt, %r, %z : f32
    scf.if %p {
      // expected-error@+1 {{collective under replica-dependent control flow}}
      %s = replica.all_reduce sum %one : f32
    }
    replica.yield
  }
  return
}

// -----

// A uniform value stored under replica-dependent control makes the buffer
// replica-dependent.
func.func @store_under_divergent_if(%buf: memref<i1>) {
  replica.replicate<2> () : () -> () {
    %id = replica.replica_id : index
    %c0 = arith.constant 0 : index
    %true = arith.constant true
    %false = arith.constant false
    %one = arith.constant 1.0 : f32
    memref.store %false, %buf[] : memref<i1>
    %first = arith.cmpi eq, %id, %c0 : index
    scf.if %first {
      memref.store %true, %buf[] : memref<i1>
    }
    // expected-note@+1 {{condition depends on replica_id here}}
    %q = memref.load %buf[] : memref<i1>
    scf.if %q {
      // expected-error@+1 {{collective under replica-dependent control flow}}
      %s = replica.all_reduce sum %one : f32
    }
    replica.yield
  }
  return
}

// -----

// An unstructured loop whose trip count depends on the replica: the header
// post-dominates the branch but runs a replica-dependent number of times.
func.func @cf_loop_divergent_trip_count(%d: !replica.per_replica<2 x f32>) {
  replica.replicate<2> (%x = %d) : (!replica.per_replica<2 x f32>) -> () {
    %id = replica.replica_id : index
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    scf.execute_region {
      cf.br ^header(%c0 : index)
    ^header(%i: index):
      // expected-error@+1 {{collective under replica-dependent control flow}}
      %s = replica.all_reduce sum %x : f32
      // expected-note@+1 {{condition depends on replica_id here}}
      %p = arith.cmpi ult, %i, %id : index
      cf.cond_br %p, ^body, ^exit
    ^body:
      %n = arith.addi %i, %c1 : index
      cf.br ^header(%n : index)
    ^exit:
      scf.yield
    }
    replica.yield
  }
  return
}

// -----

// A store through a view makes the viewed buffer replica-dependent.
func.func @store_through_view(%buf: memref<1xindex>) {
  replica.replicate<2> () : () -> () {
    %id = replica.replica_id : index
    %c0 = arith.constant 0 : index
    %one = arith.constant 1.0 : f32
    %v = memref.cast %buf : memref<1xindex> to memref<?xindex>
    memref.store %id, %v[%c0] : memref<?xindex>
    %l = memref.load %buf[%c0] : memref<1xindex>
    // expected-note@+1 {{condition depends on replica_id here}}
    %p = arith.cmpi eq, %l, %c0 : index
    scf.if %p {
      // expected-error@+1 {{collective under replica-dependent control flow}}
      %s = replica.all_reduce sum %one : f32
    }
    replica.yield
  }
  return
}

// -----

func.func @start_on_replica_id(%d: !replica.per_replica<2 x f32>) {
  replica.replicate<2> (%x = %d) : (!replica.per_replica<2 x f32>) -> () {
    %id = replica.replica_id : index
    %c0 = arith.constant 0 : index
    // expected-note@+1 {{condition depends on replica_id here}}
    %p = arith.cmpi eq, %id, %c0 : index
    scf.if %p {
      // expected-error@+1 {{'replica.all_reduce_start' op collective under replica-dependent control flow; every replica must reach the same collectives}}
      %s = replica.all_reduce_start sum %x : f32
      %r = replica.all_reduce_done %s : !replica.future<f32>
    }
    replica.yield
  }
  return
}
