// RUN: replica-opt %s -split-input-file -verify-diagnostics

//===----------------------------------------------------------------------===//
// Types (reported at parse time)
//===----------------------------------------------------------------------===//

// expected-error@+1 {{number of replicas must be at least 1, got 0}}
func.func @per_replica_zero_replicas(%d: !replica.per_replica<0 x f32>) {
  return
}

// -----

// expected-error@+1 {{number of replicas must be at least 1, got -2}}
func.func @mirrored_negative_replicas(%d: !replica.mirrored<-2 x f32>) {
  return
}

// -----

// expected-error@+1 {{element type must not be distributed, got '!replica.mirrored<2 x f32>'}}
func.func @per_replica_of_distributed(%d: !replica.per_replica<2 x !replica.mirrored<2 x f32>>) {
  return
}

// -----

// expected-error@+1 {{element type must not be distributed, got '!replica.per_replica<2 x f32>'}}
func.func @mirrored_of_distributed(%d: !replica.mirrored<2 x !replica.per_replica<2 x f32>>) {
  return
}

// -----

// expected-error@+1 {{element type must be a leaf, got tuple 'tuple<f32, i32>'; distribute its leaves instead}}
func.func @per_replica_of_tuple(%d: !replica.per_replica<2 x tuple<f32, i32>>) {
  return
}

// -----

func.func @mirrored_of_tuple_in_body(%m: memref<f32>) {
  // expected-error@+1 {{element type must be a leaf, got tuple 'tuple<f32>'}}
  %u = memref.load %m[] : memref<!replica.mirrored<2 x tuple<f32>>>
  return
}

//===----------------------------------------------------------------------===//
// Custom parsers
//===----------------------------------------------------------------------===//

// -----

func.func @unknown_reduction_kind(%d: !replica.per_replica<2 x f32>) {
  // expected-error@+1 {{expected reduction kind sum, mean, max, min or prod, got 'avg'}}
  %m = replica.all_reduce avg %d : !replica.per_replica<2 x f32>
  return
}

// -----

func.func @unknown_reduction_kind_reduce_to(%d: !replica.per_replica<2 x f32>) {
  // expected-error@+1 {{expected reduction kind sum, mean, max, min or prod, got 'add'}}
  %r = replica.reduce_to add %d to 0 : !replica.per_replica<2 x f32>
  return
}

// -----

// expected-note@+1 {{prior use here}}
func.func @select_dynamic_index_not_index(%d: !replica.per_replica<2 x f32>, %i: i32) {
  // expected-error@+1 {{use of value '%i' expects different type than prior uses: 'index' vs 'i32'}}
  %x = replica.select_replica %d[%i] : !replica.per_replica<2 x f32> -> f32
  return
}

// -----

func.func @unpack_not_distributed(%x: f32) {
  // expected-error@+1 {{invalid kind of type specified}}
  %v:2 = replica.unpack %x : f32
  return
}

// -----

func.func @tuple_get_not_tuple(%x: f32) {
  // expected-error@+1 {{invalid kind of type specified}}
  %y = replica.tuple_get %x[0] : f32 -> f32
  return
}

//===----------------------------------------------------------------------===//
// tuple / tuple_get / unpack
//===----------------------------------------------------------------------===//

// -----

func.func @tuple_element_type_mismatch(%x: f32) -> tuple<i32> {
  // expected-error@+1 {{element types do not match the result type 'tuple<i32>'}}
  %t = "replica.tuple"(%x) : (f32) -> tuple<i32>
  return %t : tuple<i32>
}

// -----

func.func @tuple_result_not_tuple(%x: f32) {
  // expected-error@+1 {{result #0 must be Fixed-sized collection of other types, but got 'f32'}}
  %t = "replica.tuple"(%x) : (f32) -> f32
  return
}

// -----

func.func @tuple_get_index_out_of_range(%t: tuple<tensor<4xf32>, i32>) -> i32 {
  // expected-error@+1 {{index 2 is out of range [0, 2)}}
  %b = replica.tuple_get %t[2] : tuple<tensor<4xf32>, i32> -> i32
  return %b : i32
}

// -----

func.func @tuple_get_negative_index(%t: tuple<tensor<4xf32>, i32>) -> i32 {
  // expected-error@+1 {{index -1 is out of range [0, 2)}}
  %b = replica.tuple_get %t[-1] : tuple<tensor<4xf32>, i32> -> i32
  return %b : i32
}

// -----

func.func @tuple_get_result_type_mismatch(%t: tuple<tensor<4xf32>, i32>) -> f32 {
  // expected-error@+1 {{result type 'f32' does not match element #1 of type 'i32'}}
  %b = replica.tuple_get %t[1] : tuple<tensor<4xf32>, i32> -> f32
  return %b : f32
}

// -----

func.func @tuple_get_operand_not_tuple(%x: f32) {
  // expected-error@+1 {{operand #0 must be Fixed-sized collection of other types, but got 'f32'}}
  %y = "replica.tuple_get"(%x) {index = 0 : i64} : (f32) -> f32
  return
}

// -----

func.func @unpack_operand_not_distributed(%x: f32) {
  // expected-error@+1 {{operand #0 must be per_replica or mirrored type, but got 'f32'}}
  %v:2 = "replica.unpack"(%x) : (f32) -> (f32, f32)
  return
}

// -----

func.func @unpack_wrong_result_count(%d: !replica.per_replica<2 x f32>) {
  // expected-error@+2 {{inferred type(s) 'f32', 'f32' are incompatible with return type(s) of operation 'f32', 'f32', 'f32'}}
  // expected-error@+1 {{failed to infer returned types}}
  %v:3 = "replica.unpack"(%d) : (!replica.per_replica<2 x f32>) -> (f32, f32, f32)
  return
}

//===----------------------------------------------------------------------===//
// regroup
//===----------------------------------------------------------------------===//

// -----

func.func @regroup_no_operands() -> f32 {
  // expected-error@+1 {{requires at least one operand}}
  %r = replica.regroup : f32 -> f32
  return %r : f32
}

// -----

func.func @regroup_mismatched_operand_types(%a: f32, %b: i32) {
  // expected-error@+1 {{operand #1 has type 'i32', expected 'f32'}}
  %r = "replica.regroup"(%a, %b) : (f32, i32) -> !replica.per_replica<2 x f32>
  return
}

// -----

func.func @regroup_distributed_operands(%a: !replica.per_replica<2 x f32>, %b: !replica.per_replica<2 x f32>) {
  // expected-error@+1 {{operands must be replica-local, got distributed type '!replica.per_replica<2 x f32>'}}
  %r = replica.regroup %a, %b : !replica.per_replica<2 x f32> -> !replica.per_replica<2 x f32>
  return
}

// -----

func.func @regroup_distributed_leaf_operands(%a: tuple<f32, !replica.mirrored<2 x i32>>) {
  // expected-error@+1 {{operands must be replica-local, got distributed type 'tuple<f32, !replica.mirrored<2 x i32>>'}}
  %r = replica.regroup %a, %a : tuple<f32, !replica.mirrored<2 x i32>> -> tuple<!replica.per_replica<2 x f32>, !replica.mirrored<2 x i32>>
  return
}

// -----

func.func @regroup_one_operand_wrapped_result(%a: f32) {
  // expected-error@+1 {{with one operand and no always_wrap the result type must be the operand type 'f32', got '!replica.per_replica<1 x f32>'}}
  %r = replica.regroup %a : f32 -> !replica.per_replica<1 x f32>
  return
}

// -----

func.func @regroup_always_wrap_unwrapped_leaf(%a: f32) {
  // expected-error@+1 {{result must be wrapped as '!replica.per_replica<1 x f32>' with always_wrap}}
  %r = replica.regroup %a always_wrap : f32 -> f32
  return
}

// -----

func.func @regroup_always_wrap_same_value_leaf(%a: tensor<4xf32>, %b: i32) {
  %t = replica.tuple %a, %b : tuple<tensor<4xf32>, i32>
  // expected-error@+1 {{result leaf [1] must be wrapped as '!replica.per_replica<2 x i32>' with always_wrap}}
  %r = replica.regroup %t, %t always_wrap : tuple<tensor<4xf32>, i32> -> tuple<!replica.per_replica<2 x tensor<4xf32>>, i32>
  return
}

// -----

func.func @regroup_unwrapped_leaf_not_provably_same(%a: f32, %b: f32) {
  // expected-error@+1 {{result of type 'f32' is not provably the same value on every replica; it must be wrapped as '!replica.per_replica<2 x f32>'}}
  %r = replica.regroup %a, %b : f32 -> f32
  return
}

// -----

func.func @regroup_unwrapped_tuple_leaf_not_provably_same(%a0: tensor<4xf32>, %a1: tensor<4xf32>, %s: i32, %t: i32) {
  %t0 = replica.tuple %a0, %s : tuple<tensor<4xf32>, i32>
  %t1 = replica.tuple %a1, %t : tuple<tensor<4xf32>, i32>
  // expected-error@+1 {{result leaf [1] of type 'i32' is not provably the same value on every replica; it must be wrapped as '!replica.mirrored<2 x i32>'}}
  %r = replica.regroup %t0, %t1 mirrored : tuple<tensor<4xf32>, i32> -> tuple<!replica.mirrored<2 x tensor<4xf32>>, i32>
  return
}

// -----

func.func @regroup_wrong_leaf_kind(%a: f32, %b: f32) {
  // expected-error@+1 {{result has type '!replica.mirrored<2 x f32>', expected '!replica.per_replica<2 x f32>'}}
  %r = replica.regroup %a, %b : f32 -> !replica.mirrored<2 x f32>
  return
}

// -----

func.func @regroup_mirrored_wrong_leaf_kind(%a: f32, %b: f32) {
  // expected-error@+1 {{result has type '!replica.per_replica<2 x f32>', expected '!replica.mirrored<2 x f32>'}}
  %r = replica.regroup %a, %b mirrored : f32 -> !replica.per_replica<2 x f32>
  return
}

// -----

func.func @regroup_wrong_leaf_count(%a: f32, %b: f32) {
  // expected-error@+1 {{result has type '!replica.per_replica<3 x f32>', expected '!replica.per_replica<2 x f32>'}}
  %r = replica.regroup %a, %b : f32 -> !replica.per_replica<3 x f32>
  return
}

// -----

func.func @regroup_wrong_leaf_type(%t0: tuple<tensor<4xf32>, i32>, %t1: tuple<tensor<4xf32>, i32>) {
  // expected-error@+1 {{result leaf [1] has type '!replica.per_replica<2 x i64>', expected '!replica.per_replica<2 x i32>'}}
  %r = replica.regroup %t0, %t1 : tuple<tensor<4xf32>, i32> -> tuple<!replica.per_replica<2 x tensor<4xf32>>, !replica.per_replica<2 x i64>>
  return
}

// -----

func.func @regroup_wrong_tuple_arity(%t0: tuple<tensor<4xf32>, i32>, %t1: tuple<tensor<4xf32>, i32>) {
  // expected-error@+1 {{result has type 'tuple<!replica.per_replica<2 x tensor<4xf32>>>', expected a tuple of 2 elements}}
  %r = replica.regroup %t0, %t1 : tuple<tensor<4xf32>, i32> -> tuple<!replica.per_replica<2 x tensor<4xf32>>>
  return
}

// -----

func.func @regroup_nested_tuple_not_tuple(%t0: tuple<f32, tuple<i32, i32>>, %t1: tuple<f32, tuple<i32, i32>>) {
  // expected-error@+1 {{result leaf [1] has type '!replica.per_replica<2 x i32>', expected a tuple of 2 elements}}
  %r = replica.regroup %t0, %t1 : tuple<f32, tuple<i32, i32>> -> tuple<!replica.per_replica<2 x f32>, !replica.per_replica<2 x i32>>
  return
}

//===----------------------------------------------------------------------===//
// select_replica
//===----------------------------------------------------------------------===//

// -----

func.func @select_index_out_of_range(%d: !replica.per_replica<4 x f32>) -> f32 {
  // expected-error@+1 {{index 4 is out of range [0, 4)}}
  %x = replica.select_replica %d[4] : !replica.per_replica<4 x f32> -> f32
  return %x : f32
}

// -----

func.func @select_negative_index(%d: !replica.mirrored<2 x f32>) -> f32 {
  // expected-error@+1 {{index -1 is out of range [0, 2)}}
  %x = replica.select_replica %d[-1] : !replica.mirrored<2 x f32> -> f32
  return %x : f32
}

// -----

func.func @select_mixed_replica_counts(%s: tuple<!replica.per_replica<2 x f32>, !replica.per_replica<4 x i32>>) {
  // expected-error@+1 {{operand type mixes replica counts 2 and 4}}
  %x = replica.select_replica %s[0] : tuple<!replica.per_replica<2 x f32>, !replica.per_replica<4 x i32>> -> tuple<f32, i32>
  return
}

// -----

func.func @select_result_type_mismatch(%d: !replica.per_replica<2 x tensor<4xf32>>) {
  // expected-error@+1 {{result type 'f32' does not match the selected type 'tensor<4xf32>'}}
  %x = replica.select_replica %d[1] : !replica.per_replica<2 x tensor<4xf32>> -> f32
  return
}

// -----

func.func @select_tuple_result_type_mismatch(%s: tuple<!replica.per_replica<2 x tensor<4xf32>>, f32>, %i: index) {
  // expected-error@+1 {{result type 'tuple<!replica.per_replica<2 x tensor<4xf32>>, f32>' does not match the selected type 'tuple<tensor<4xf32>, f32>'}}
  %x = replica.select_replica %s[%i] : tuple<!replica.per_replica<2 x tensor<4xf32>>, f32> -> tuple<!replica.per_replica<2 x tensor<4xf32>>, f32>
  return
}

// -----

func.func @select_static_and_dynamic_index(%d: !replica.per_replica<2 x f32>, %i: index) {
  // expected-error@+1 {{requires exactly one of a dynamic or a static index}}
  %x = "replica.select_replica"(%d, %i) {static_index = 0 : i64} : (!replica.per_replica<2 x f32>, index) -> f32
  return
}

// -----

func.func @select_no_index(%d: !replica.per_replica<2 x f32>) {
  // expected-error@+1 {{requires exactly one of a dynamic or a static index}}
  %x = "replica.select_replica"(%d) : (!replica.per_replica<2 x f32>) -> f32
  return
}

// -----

func.func @select_index_operand_not_index(%d: !replica.per_replica<2 x f32>, %i: i32) {
  // expected-error@+1 {{operand #1 must be index, but got 'i32'}}
  %x = "replica.select_replica"(%d, %i) : (!replica.per_replica<2 x f32>, i32) -> f32
  return
}

//===----------------------------------------------------------------------===//
// replicate / yield / replica_id
//===----------------------------------------------------------------------===//

// -----

func.func @replicate_zero_replicas() {
  // expected-error@+1 {{number of replicas must be at least 1, got 0}}
  replica.replicate<0> () : () -> () {
    replica.yield
  }
  return
}

// -----

func.func @replicate_nested() {
  // expected-note@+1 {{enclosing replicate is here}}
  replica.replicate<2> () : () -> () {
    // expected-error@+1 {{cannot be nested in another replica.replicate body}}
    replica.replicate<2> () : () -> () {
      replica.yield
    }
    replica.yield
  }
  return
}

// -----

func.func @replicate_operand_replica_count(%d: !replica.per_replica<2 x f32>) {
  // expected-error@+1 {{operand #0 has 2 replicas, expected 4}}
  replica.replicate<4> (%x = %d) : (!replica.per_replica<2 x f32>) -> () {
    replica.yield
  }
  return
}

// -----

func.func @replicate_second_operand_replica_count(%d: !replica.per_replica<4 x f32>, %m: !replica.mirrored<2 x i32>) {
  // expected-error@+1 {{operand #1 has 2 replicas, expected 4}}
  replica.replicate<4> (%x = %d, %y = %m) : (!replica.per_replica<4 x f32>, !replica.mirrored<2 x i32>) -> () {
    replica.yield
  }
  return
}

// -----

func.func @replicate_operand_mixed_counts(%s: tuple<!replica.per_replica<4 x f32>, !replica.mirrored<2 x f32>>) {
  // expected-error@+1 {{operand type mixes replica counts 4 and 2}}
  replica.replicate<4> (%x = %s) : (tuple<!replica.per_replica<4 x f32>, !replica.mirrored<2 x f32>>) -> () {
    replica.yield
  }
  return
}

// -----

func.func @replicate_body_argument_count(%d: !replica.per_replica<2 x f32>) {
  // expected-error@+1 {{body has 0 arguments, expected 1}}
  "replica.replicate"(%d) ({
    "replica.yield"() : () -> ()
  }) {num_replicas = 2 : i64} : (!replica.per_replica<2 x f32>) -> ()
  return
}

// -----

func.func @replicate_body_argument_type(%d: !replica.per_replica<2 x tensor<4xf32>>) {
  // expected-error@+1 {{body argument #0 has type 'f32', expected 'tensor<4xf32>'}}
  "replica.replicate"(%d) ({
  ^bb0(%x: f32):
    "replica.yield"() : () -> ()
  }) {num_replicas = 2 : i64} : (!replica.per_replica<2 x tensor<4xf32>>) -> ()
  return
}

// -----

func.func @replicate_yield_count() {
  // expected-error@+1 {{has 2 results, but its body yields 1}}
  %r:2 = replica.replicate<2> () : () -> (!replica.per_replica<2 x f32>, !replica.per_replica<2 x f32>) {
    %c = arith.constant 1.0 : f32
    replica.yield %c : f32
  }
  return
}

// -----

func.func @replicate_yield_nothing() {
  // expected-error@+1 {{has 1 results, but its body yields 0}}
  %r = replica.replicate<2> () : () -> (!replica.per_replica<2 x f32>) {
    replica.yield
  }
  return
}

// -----

func.func @replicate_yield_distributed(%d: !replica.per_replica<2 x f32>) {
  %r = replica.replicate<2> () : () -> (!replica.per_replica<2 x f32>) {
    // expected-error@+1 {{'replica.yield' op operand #0 must be replica-local, got '!replica.per_replica<2 x f32>'}}
    replica.yield %d : !replica.per_replica<2 x f32>
  }
  return
}

// -----

func.func @replicate_result_type_mismatch() {
  // expected-error@+1 {{result #0 has type '!replica.per_replica<2 x f32>', expected '!replica.per_replica<2 x i32>' for yielded 'i32'}}
  %r = replica.replicate<2> () : () -> (!replica.per_replica<2 x f32>) {
    %c = arith.constant 1 : i32
    replica.yield %c : i32
  }
  return
}

// -----

func.func @replicate_result_not_wrapped() {
  // expected-error@+1 {{result #0 has type 'f32', expected '!replica.per_replica<2 x f32>' for yielded 'f32'}}
  %r = replica.replicate<2> () : () -> (f32) {
    %c = arith.constant 1.0 : f32
    replica.yield %c : f32
  }
  return
}

// -----

func.func @replicate_result_mirrored() {
  // expected-error@+1 {{result #0 has type '!replica.mirrored<2 x f32>', expected '!replica.per_replica<2 x f32>' for yielded 'f32'}}
  %r = replica.replicate<2> () : () -> (!replica.mirrored<2 x f32>) {
    %c = arith.constant 1.0 : f32
    replica.yield %c : f32
  }
  return
}

// -----

func.func @replicate_result_replica_count() {
  // expected-error@+1 {{result #0 has type '!replica.per_replica<4 x f32>', expected '!replica.per_replica<2 x f32>' for yielded 'f32'}}
  %r = replica.replicate<2> () : () -> (!replica.per_replica<4 x f32>) {
    %c = arith.constant 1.0 : f32
    replica.yield %c : f32
  }
  return
}

// -----

func.func @replicate_tuple_result_not_leafwise(%t: tuple<f32, i32>) {
  // expected-error@+1 {{result #0 has type '!replica.per_replica<2 x f32>', expected 'tuple<!replica.per_replica<2 x f32>, !replica.per_replica<2 x i32>>' for yielded 'tuple<f32, i32>'}}
  %r = replica.replicate<2> (%x = %t) : (tuple<f32, i32>) -> (!replica.per_replica<2 x f32>) {
    replica.yield %x : tuple<f32, i32>
  }
  return
}

// -----

func.func @yield_outside_replicate() {
  // expected-error@+1 {{'replica.yield' op expects parent op 'replica.replicate'}}
  replica.yield
}

// -----

func.func @replica_id_outside_replicate() -> index {
  // expected-error@+1 {{'replica.replica_id' op is only valid inside a replica.replicate body}}
  %id = replica.replica_id : index
  return %id : index
}

// -----

func.func @replica_id_not_index() {
  replica.replicate<2> () : () -> () {
    // expected-error@+1 {{invalid kind of type specified: expected builtin.index, but found 'i32'}}
    %id = replica.replica_id : i32
    replica.yield
  }
  return
}

// -----

func.func @replica_id_result_not_index() {
  replica.replicate<2> () : () -> () {
    // expected-error@+1 {{result #0 must be index, but got 'i32'}}
    %id = "replica.replica_id"() : () -> i32
    replica.yield
  }
  return
}

//===----------------------------------------------------------------------===//
// Collectives: form (in-replica inside replicate, cross-replica outside)
//===----------------------------------------------------------------------===//

// -----

func.func @all_reduce_in_replica_outside_replicate(%x: tensor<4xf32>) {
  // expected-error@+1 {{'replica.all_reduce' op in-replica form (local operand and result) is only valid inside a replica.replicate body}}
  %s = replica.all_reduce sum %x : tensor<4xf32>
  return
}

// -----

func.func @all_reduce_cross_replica_inside_replicate(%d: !replica.per_replica<2 x f32>) {
  // expected-note@+1 {{enclosing replicate is here}}
  replica.replicate<2> () : () -> () {
    // expected-error@+1 {{'replica.all_reduce' op cross-replica form (distributed operand or result) is not valid inside a replica.replicate body}}
    %m = replica.all_reduce sum %d : !replica.per_replica<2 x f32>
    replica.yield
  }
  return
}

// -----

func.func @batch_all_reduce_in_replica_outside_replicate(%x: f32, %y: f32) {
  // expected-error@+1 {{'replica.batch_all_reduce' op in-replica form (local operand and result) is only valid inside a replica.replicate body}}
  %s:2 = replica.batch_all_reduce sum %x, %y : f32, f32
  return
}

// -----

func.func @batch_all_reduce_cross_replica_inside_replicate(%d: !replica.per_replica<2 x f32>) {
  // expected-note@+1 {{enclosing replicate is here}}
  replica.replicate<2> () : () -> () {
    // expected-error@+1 {{'replica.batch_all_reduce' op cross-replica form (distributed operand or result) is not valid inside a replica.replicate body}}
    %m = replica.batch_all_reduce sum %d : !replica.per_replica<2 x f32>
    replica.yield
  }
  return
}

// -----

func.func @reduce_to_in_replica_outside_replicate(%x: f32) {
  // expected-error@+1 {{'replica.reduce_to' op in-replica form (local operand and result) is only valid inside a replica.replicate body}}
  %r = replica.reduce_to sum %x to 0 : f32
  return
}

// -----

func.func @reduce_to_cross_replica_inside_replicate(%d: !replica.per_replica<2 x f32>) {
  // expected-note@+1 {{enclosing replicate is here}}
  replica.replicate<2> () : () -> () {
    // expected-error@+1 {{'replica.reduce_to' op cross-replica form (distributed operand or result) is not valid inside a replica.replicate body}}
    %r = replica.reduce_to sum %d to 0 : !replica.per_replica<2 x f32>
    replica.yield
  }
  return
}

// -----

func.func @broadcast_in_replica_outside_replicate(%x: f32) {
  // expected-error@+1 {{'replica.broadcast' op in-replica form (local operand and result) is only valid inside a replica.replicate body}}
  %b = replica.broadcast %x from 0 : f32
  return
}

// -----

func.func @broadcast_cross_replica_inside_replicate(%v: f32) {
  // expected-note@+1 {{enclosing replicate is here}}
  replica.replicate<2> () : () -> () {
    // expected-error@+1 {{'replica.broadcast' op cross-replica form (distributed operand or result) is not valid inside a replica.replicate body}}
    %b = replica.broadcast %v : f32 -> !replica.mirrored<2 x f32>
    replica.yield
  }
  return
}

// -----

func.func @all_gather_in_replica_outside_replicate(%x: tensor<8xf32>) {
  // expected-error@+1 {{'replica.all_gather' op in-replica form (local operand and result) is only valid inside a replica.replicate body}}
  %g = replica.all_gather %x dim 0 : tensor<8xf32> -> tensor<16xf32>
  return
}

// -----

func.func @all_gather_cross_replica_inside_replicate(%d: !replica.per_replica<2 x tensor<8xf32>>) {
  // expected-note@+1 {{enclosing replicate is here}}
  replica.replicate<2> () : () -> () {
    // expected-error@+1 {{'replica.all_gather' op cross-replica form (distributed operand or result) is not valid inside a replica.replicate body}}
    %g = replica.all_gather %d dim 0 : !replica.per_replica<2 x tensor<8xf32>> -> !replica.mirrored<2 x tensor<16xf32>>
    replica.yield
  }
  return
}

//===----------------------------------------------------------------------===//
// Reductions: kinds and operand types
//===----------------------------------------------------------------------===//

// -----

func.func @all_reduce_result_not_mirrored(%d: !replica.per_replica<2 x f32>) {
  // expected-error@+2 {{inferred type(s) '!replica.mirrored<2 x f32>' are incompatible with return type(s) of operation '!replica.per_replica<2 x f32>'}}
  // expected-error@+1 {{failed to infer returned types}}
  %m = "replica.all_reduce"(%d) <{kind = #replica<reduction sum>}> : (!replica.per_replica<2 x f32>) -> !replica.per_replica<2 x f32>
  return
}

// -----

func.func @all_reduce_mean_integer(%d: !replica.per_replica<2 x tensor<4xi32>>) {
  // expected-error@+1 {{reduction 'mean' is not defined on integer element type 'i32'}}
  %m = replica.all_reduce mean %d : !replica.per_replica<2 x tensor<4xi32>>
  return
}

// -----

func.func @all_reduce_in_replica_mean_integer(%d: !replica.per_replica<2 x i64>) {
  replica.replicate<2> (%x = %d) : (!replica.per_replica<2 x i64>) -> () {
    // expected-error@+1 {{reduction 'mean' is not defined on integer element type 'i64'}}
    %m = replica.all_reduce mean %x : i64
    replica.yield
  }
  return
}

// -----

func.func @batch_all_reduce_mean_integer(%a: !replica.per_replica<2 x tensor<4xf32>>, %b: !replica.per_replica<2 x i32>) {
  // expected-error@+1 {{reduction 'mean' is not defined on integer element type 'i32'}}
  %m:2 = replica.batch_all_reduce mean %a, %b : !replica.per_replica<2 x tensor<4xf32>>, !replica.per_replica<2 x i32>
  return
}

// -----

func.func @reduce_to_mean_integer(%d: !replica.per_replica<2 x i8>) {
  // expected-error@+1 {{reduction 'mean' is not defined on integer element type 'i8'}}
  %r = replica.reduce_to mean %d to 1 : !replica.per_replica<2 x i8>
  return
}

// -----

func.func @all_reduce_operand_memref(%d: !replica.per_replica<2 x memref<4xf32>>) {
  // expected-error@+1 {{operand #0 must be an integer or float scalar or a ranked tensor of one, got 'memref<4xf32>'}}
  %m = replica.all_reduce sum %d : !replica.per_replica<2 x memref<4xf32>>
  return
}

// -----

func.func @all_reduce_operand_unranked_tensor(%d: !replica.per_replica<2 x tensor<*xf32>>) {
  // expected-error@+1 {{operand #0 must be an integer or float scalar or a ranked tensor of one, got 'tensor<*xf32>'}}
  %m = replica.all_reduce sum %d : !replica.per_replica<2 x tensor<*xf32>>
  return
}

// -----

func.func @all_reduce_operand_index(%d: !replica.per_replica<2 x index>) {
  // expected-error@+1 {{operand #0 must be an integer or float scalar or a ranked tensor of one, got 'index'}}
  %m = replica.all_reduce max %d : !replica.per_replica<2 x index>
  return
}

// -----

func.func @all_reduce_operand_complex_tensor(%d: !replica.per_replica<2 x tensor<4xcomplex<f32>>>) {
  // expected-error@+1 {{operand #0 must be an integer or float scalar or a ranked tensor of one, got 'tensor<4xcomplex<f32>>'}}
  %m = replica.all_reduce sum %d : !replica.per_replica<2 x tensor<4xcomplex<f32>>>
  return
}

// -----

func.func @all_reduce_in_replica_operand_vector(%v: vector<4xf32>) {
  replica.replicate<2> () : () -> () {
    // expected-error@+1 {{operand #0 must be an integer or float scalar or a ranked tensor of one, got 'vector<4xf32>'}}
    %s = replica.all_reduce sum %v : vector<4xf32>
    replica.yield
  }
  return
}

// -----

func.func @batch_all_reduce_operand_kind(%a: !replica.per_replica<2 x f32>, %b: !replica.per_replica<2 x memref<4xf32>>) {
  // expected-error@+1 {{operand #1 must be an integer or float scalar or a ranked tensor of one, got 'memref<4xf32>'}}
  %m:2 = replica.batch_all_reduce sum %a, %b : !replica.per_replica<2 x f32>, !replica.per_replica<2 x memref<4xf32>>
  return
}

// -----

func.func @reduce_to_operand_kind(%d: !replica.per_replica<2 x memref<4xf32>>) {
  // expected-error@+1 {{operand #0 must be an integer or float scalar or a ranked tensor of one, got 'memref<4xf32>'}}
  %r = replica.reduce_to sum %d to 0 : !replica.per_replica<2 x memref<4xf32>>
  return
}

// -----

func.func @batch_all_reduce_no_operands() {
  // expected-error@+1 {{requires at least one operand}}
  "replica.batch_all_reduce"() {kind = #replica<reduction sum>} : () -> ()
  return
}

// -----

func.func @batch_all_reduce_replica_counts(%a: !replica.per_replica<4 x f32>, %b: !replica.per_replica<2 x f32>) {
  // expected-error@+1 {{operand #1 has 2 replicas, expected 4}}
  %m:2 = replica.batch_all_reduce sum %a, %b : !replica.per_replica<4 x f32>, !replica.per_replica<2 x f32>
  return
}

// -----

func.func @batch_all_reduce_mirrored_replica_counts(%a: !replica.per_replica<4 x f32>, %b: !replica.per_replica<4 x f32>, %c: !replica.mirrored<3 x f32>) {
  // expected-error@+1 {{operand #2 has 3 replicas, expected 4}}
  %m:3 = replica.batch_all_reduce sum %a, %b, %c : !replica.per_replica<4 x f32>, !replica.per_replica<4 x f32>, !replica.mirrored<3 x f32>
  return
}

// -----

func.func @batch_all_reduce_mixed_forms(%a: !replica.per_replica<2 x f32>, %b: f32) {
  // expected-error@+1 {{operand #1 of type 'f32' mixes the cross-replica and in-replica forms}}
  %m:2 = replica.batch_all_reduce sum %a, %b : !replica.per_replica<2 x f32>, f32
  return
}

// -----

func.func @batch_all_reduce_in_replica_mixed_forms(%a: !replica.per_replica<2 x f32>) {
  replica.replicate<2> () : () -> () {
    %c = arith.constant 1.0 : f32
    // expected-error@+1 {{operand #1 of type '!replica.per_replica<2 x f32>' mixes the cross-replica and in-replica forms}}
    %s:2 = replica.batch_all_reduce sum %c, %a : f32, !replica.per_replica<2 x f32>
    replica.yield
  }
  return
}

// -----

func.func @reduce_to_destination_out_of_range(%d: !replica.per_replica<4 x f32>) {
  // expected-error@+1 {{destination 4 is out of range [0, 4)}}
  %r = replica.reduce_to sum %d to 4 : !replica.per_replica<4 x f32>
  return
}

// -----

func.func @reduce_to_negative_destination(%d: !replica.mirrored<4 x f32>) {
  // expected-error@+1 {{destination -1 is out of range [0, 4)}}
  %r = replica.reduce_to sum %d to -1 : !replica.mirrored<4 x f32>
  return
}

// -----

func.func @reduce_to_in_replica_destination_out_of_range(%d: !replica.per_replica<2 x f32>) {
  replica.replicate<2> (%x = %d) : (!replica.per_replica<2 x f32>) -> () {
    // expected-error@+1 {{destination 2 is out of range [0, 2)}}
    %r = replica.reduce_to max %x to 2 : f32
    replica.yield
  }
  return
}

//===----------------------------------------------------------------------===//
// broadcast
//===----------------------------------------------------------------------===//

// -----

func.func @broadcast_distributed_operand(%d: !replica.per_replica<4 x f32>) {
  // expected-error@+1 {{operand must be replica-local, got '!replica.per_replica<4 x f32>'}}
  %b = replica.broadcast %d : !replica.per_replica<4 x f32> -> !replica.mirrored<4 x f32>
  return
}

// -----

func.func @broadcast_operand_kind(%v: memref<4xf32>) {
  // expected-error@+1 {{operand must be an integer or float scalar or a ranked tensor of one, got 'memref<4xf32>'}}
  %b = replica.broadcast %v : memref<4xf32> -> !replica.mirrored<4 x memref<4xf32>>
  return
}

// -----

func.func @broadcast_in_replica_operand_kind(%v: index) {
  replica.replicate<2> () : () -> () {
    // expected-error@+1 {{operand must be an integer or float scalar or a ranked tensor of one, got 'index'}}
    %b = replica.broadcast %v from 0 : index
    replica.yield
  }
  return
}

// -----

func.func @broadcast_element_type_mismatch(%v: tensor<16xf32>) {
  // expected-error@+1 {{result type '!replica.mirrored<4 x tensor<16xf64>>' must be}}
  %b = replica.broadcast %v : tensor<16xf32> -> !replica.mirrored<4 x tensor<16xf64>>
  return
}

// -----

func.func @broadcast_result_per_replica(%v: tensor<16xf32>) {
  // expected-error@+1 {{result type '!replica.per_replica<4 x tensor<16xf32>>' must be '!replica.mirrored<4 x tensor<16xf32>>'}}
  %b = replica.broadcast %v : tensor<16xf32> -> !replica.per_replica<4 x tensor<16xf32>>
  return
}

// -----

func.func @broadcast_cross_replica_with_from(%v: tensor<16xf32>) {
  // expected-error@+1 {{cross-replica form takes no 'from' replica}}
  %b = replica.broadcast %v from 0 : tensor<16xf32> -> !replica.mirrored<4 x tensor<16xf32>>
  return
}

// -----

func.func @broadcast_in_replica_result_mismatch(%v: tensor<16xf32>) {
  replica.replicate<2> () : () -> () {
    // expected-error@+1 {{result type 'tensor<8xf32>' must match the operand type 'tensor<16xf32>'}}
    %b = replica.broadcast %v from 0 : tensor<16xf32> -> tensor<8xf32>
    replica.yield
  }
  return
}

// -----

func.func @broadcast_in_replica_without_from(%v: f32) {
  replica.replicate<2> () : () -> () {
    // expected-error@+1 {{in-replica form requires a 'from' replica}}
    %b = replica.broadcast %v : f32
    replica.yield
  }
  return
}

// -----

func.func @broadcast_from_out_of_range(%d: !replica.per_replica<4 x f32>) {
  replica.replicate<4> (%x = %d) : (!replica.per_replica<4 x f32>) -> () {
    // expected-error@+1 {{source replica 4 is out of range [0, 4)}}
    %b = replica.broadcast %x from 4 : f32
    replica.yield
  }
  return
}

// -----

func.func @broadcast_negative_from(%d: !replica.per_replica<4 x f32>) {
  replica.replicate<4> (%x = %d) : (!replica.per_replica<4 x f32>) -> () {
    // expected-error@+1 {{source replica -1 is out of range [0, 4)}}
    %b = replica.broadcast %x from -1 : f32
    replica.yield
  }
  return
}

//===----------------------------------------------------------------------===//
// all_gather
//===----------------------------------------------------------------------===//

// -----

func.func @all_gather_result_not_mirrored(%d: !replica.per_replica<4 x tensor<8x16xf32>>) {
  // expected-error@+1 {{result type '!replica.per_replica<4 x tensor<32x16xf32>>' must be a !replica.mirrored of 4 replicas}}
  %g = replica.all_gather %d dim 0 : !replica.per_replica<4 x tensor<8x16xf32>> -> !replica.per_replica<4 x tensor<32x16xf32>>
  return
}

// -----

func.func @all_gather_result_local(%d: !replica.per_replica<4 x tensor<8x16xf32>>) {
  // expected-error@+1 {{result type 'tensor<32x16xf32>' must be a !replica.mirrored of 4 replicas}}
  %g = replica.all_gather %d dim 0 : !replica.per_replica<4 x tensor<8x16xf32>> -> tensor<32x16xf32>
  return
}

// -----

func.func @all_gather_result_replica_count(%d: !replica.per_replica<4 x tensor<8x16xf32>>) {
  // expected-error@+1 {{result type '!replica.mirrored<2 x tensor<32x16xf32>>' must be a !replica.mirrored of 4 replicas}}
  %g = replica.all_gather %d dim 0 : !replica.per_replica<4 x tensor<8x16xf32>> -> !replica.mirrored<2 x tensor<32x16xf32>>
  return
}

// -----

func.func @all_gather_in_replica_result_distributed(%d: !replica.per_replica<2 x tensor<8xf32>>) {
  replica.replicate<2> (%x = %d) : (!replica.per_replica<2 x tensor<8xf32>>) -> () {
    // expected-error@+1 {{result type '!replica.mirrored<2 x tensor<16xf32>>' must be local in the in-replica form}}
    %g = replica.all_gather %x dim 0 : tensor<8xf32> -> !replica.mirrored<2 x tensor<16xf32>>
    replica.yield
  }
  return
}

// -----

func.func @all_gather_rank_zero(%d: !replica.per_replica<4 x tensor<f32>>) {
  // expected-error@+1 {{operand must be a ranked tensor of rank >= 1 of integer or float type, got 'tensor<f32>'}}
  %g = replica.all_gather %d dim 0 : !replica.per_replica<4 x tensor<f32>> -> !replica.mirrored<4 x tensor<4xf32>>
  return
}

// -----

func.func @all_gather_scalar(%d: !replica.per_replica<4 x f32>) {
  // expected-error@+1 {{operand must be a ranked tensor of rank >= 1 of integer or float type, got 'f32'}}
  %g = replica.all_gather %d dim 0 : !replica.per_replica<4 x f32> -> !replica.mirrored<4 x tensor<4xf32>>
  return
}

// -----

func.func @all_gather_memref(%d: !replica.per_replica<4 x memref<8xf32>>) {
  // expected-error@+1 {{operand must be a ranked tensor of rank >= 1 of integer or float type, got 'memref<8xf32>'}}
  %g = replica.all_gather %d dim 0 : !replica.per_replica<4 x memref<8xf32>> -> !replica.mirrored<4 x memref<32xf32>>
  return
}

// -----

func.func @all_gather_element_type_mismatch(%d: !replica.per_replica<4 x tensor<8x16xf32>>) {
  // expected-error@+1 {{result type 'tensor<32x16xf16>' must be a tensor of rank 2 with element type 'f32'}}
  %g = replica.all_gather %d dim 0 : !replica.per_replica<4 x tensor<8x16xf32>> -> !replica.mirrored<4 x tensor<32x16xf16>>
  return
}

// -----

func.func @all_gather_rank_mismatch(%d: !replica.per_replica<4 x tensor<8x16xf32>>) {
  // expected-error@+1 {{result type 'tensor<512xf32>' must be a tensor of rank 2 with element type 'f32'}}
  %g = replica.all_gather %d dim 0 : !replica.per_replica<4 x tensor<8x16xf32>> -> !replica.mirrored<4 x tensor<512xf32>>
  return
}

// -----

func.func @all_gather_dim_out_of_range(%d: !replica.per_replica<4 x tensor<8x16xf32>>) {
  // expected-error@+1 {{dimension 2 is out of range [0, 2)}}
  %g = replica.all_gather %d dim 2 : !replica.per_replica<4 x tensor<8x16xf32>> -> !replica.mirrored<4 x tensor<8x16xf32>>
  return
}

// -----

func.func @all_gather_negative_dim(%d: !replica.per_replica<4 x tensor<8x16xf32>>) {
  // expected-error@+1 {{dimension -1 is out of range [0, 2)}}
  %g = replica.all_gather %d dim -1 : !replica.per_replica<4 x tensor<8x16xf32>> -> !replica.mirrored<4 x tensor<8x16xf32>>
  return
}

// -----

func.func @all_gather_wrong_dim_size(%d: !replica.per_replica<4 x tensor<8x16xf32>>) {
  // expected-error@+1 {{result dimension 0 is 16, expected 32 (4 x 8)}}
  %g = replica.all_gather %d dim 0 : !replica.per_replica<4 x tensor<8x16xf32>> -> !replica.mirrored<4 x tensor<16x16xf32>>
  return
}

// -----

func.func @all_gather_wrong_other_dim(%d: !replica.per_replica<4 x tensor<8x16xf32>>) {
  // expected-error@+1 {{result dimension 0 is 32, expected 8}}
  %g = replica.all_gather %d dim 1 : !replica.per_replica<4 x tensor<8x16xf32>> -> !replica.mirrored<4 x tensor<32x64xf32>>
  return
}

// -----

func.func @all_gather_static_result_of_dynamic_dim(%d: !replica.per_replica<4 x tensor<?x16xf32>>) {
  // expected-error@+1 {{result dimension 0 is 32, expected dynamic}}
  %g = replica.all_gather %d dim 0 : !replica.per_replica<4 x tensor<?x16xf32>> -> !replica.mirrored<4 x tensor<32x16xf32>>
  return
}

// -----

func.func @all_gather_dynamic_result_of_static_dim(%d: !replica.per_replica<4 x tensor<8x16xf32>>) {
  // expected-error@+1 {{result dimension 0 is dynamic, expected 32 (4 x 8)}}
  %g = replica.all_gather %d dim 0 : !replica.per_replica<4 x tensor<8x16xf32>> -> !replica.mirrored<4 x tensor<?x16xf32>>
  return
}

// -----

func.func @all_gather_in_replica_wrong_dim_size(%d: !replica.per_replica<2 x tensor<8x16xf32>>) {
  replica.replicate<2> (%x = %d) : (!replica.per_replica<2 x tensor<8x16xf32>>) -> () {
    // expected-error@+1 {{result dimension 1 is 64, expected 32 (2 x 16)}}
    %g = replica.all_gather %x dim 1 : tensor<8x16xf32> -> tensor<8x64xf32>
    replica.yield
  }
  return
}

// -----

func.func @unpack_too_many_components(%d: !replica.per_replica<2000000000 x f32>) {
  // expected-error@+1 {{cannot unpack 2000000000 components; at most 1048576}}
  %v:2 = replica.unpack %d : !replica.per_replica<2000000000 x f32>
  return
}

// -----

func.func @all_gather_size_overflow(%d: !replica.per_replica<4 x tensor<4611686018427387904xf32>>) {
  // expected-error@+1 {{gathered dimension 0 of size 4611686018427387904 x 4 replicas overflows int64}}
  %g = replica.all_gather %d dim 0 : !replica.per_replica<4 x tensor<4611686018427387904xf32>> -> !replica.mirrored<4 x tensor<0xf32>>
  return
}

// -----

func.func @select_negative_index_of_local(%x: f32) -> f32 {
  // expected-error@+1 {{index -3 must be non-negative}}
  %y = replica.select_replica %x[-3] : f32 -> f32
  return %y : f32
}

// -----

func.func @pack_dynamic(%a: tensor<4xf32>) -> tensor<?xf32> {
  // expected-error@+1 {{pack must have a static size, got 'tensor<?xf32>'}}
  %p = replica.pack %a offsets [0] : tensor<4xf32> -> tensor<?xf32>
  return %p : tensor<?xf32>
}

// -----

func.func @pack_offsets(%a: tensor<4xf32>) -> tensor<8xf32> {
  // expected-error@+1 {{has 1 members but 2 offsets}}
  %p = replica.pack %a offsets [0, 4] : tensor<4xf32> -> tensor<8xf32>
  return %p : tensor<8xf32>
}

// -----

func.func @pack_element_type(%a: tensor<4xi32>) -> tensor<8xf32> {
  // expected-error@+1 {{member 0 has element type 'i32' but the pack has 'f32'}}
  %p = replica.pack %a offsets [0] : tensor<4xi32> -> tensor<8xf32>
  return %p : tensor<8xf32>
}

// -----

func.func @pack_overlap(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<8xf32> {
  // expected-error@+1 {{member 1 at offset 2 overlaps the previous member, which ends at 4}}
  %p = replica.pack %a, %b offsets [0, 2] : tensor<4xf32>, tensor<4xf32> -> tensor<8xf32>
  return %p : tensor<8xf32>
}

// -----

func.func @split_pack_beyond(%p: tensor<8xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{member 0 ends at 10, beyond the pack's 8 elements}}
  %m = replica.split_pack %p offsets [6] : tensor<8xf32> -> tensor<4xf32>
  return %m : tensor<4xf32>
}

//===----------------------------------------------------------------------===//
// all_reduce_start / all_reduce_done
//===----------------------------------------------------------------------===//

// -----

func.func @start_never_done(%d: !replica.per_replica<2 x f32>) {
  // expected-error@+1 {{'replica.all_reduce_start' op must be completed by exactly one 'replica.all_reduce_done', found 0 uses of its future}}
  %s = replica.all_reduce_start sum %d : !replica.per_replica<2 x f32>
  return
}

// -----

func.func @start_done_twice(%d: !replica.per_replica<2 x f32>) {
  // expected-error@+1 {{'replica.all_reduce_start' op must be completed by exactly one 'replica.all_reduce_done', found 2 uses of its future}}
  %s = replica.all_reduce_start sum %d : !replica.per_replica<2 x f32>
  %a = replica.all_reduce_done %s : !replica.future<!replica.mirrored<2 x f32>>
  %b = replica.all_reduce_done %s : !replica.future<!replica.mirrored<2 x f32>>
  return
}

// -----

func.func @start_done_in_other_block(%d: !replica.per_replica<2 x f32>, %p: i1) {
  // expected-error@+1 {{'replica.all_reduce_start' op must be completed by a 'replica.all_reduce_done' in its own block, not by replica.all_reduce_done}}
  %s = replica.all_reduce_start sum %d : !replica.per_replica<2 x f32>
  scf.if %p {
    %a = replica.all_reduce_done %s : !replica.future<!replica.mirrored<2 x f32>>
  }
  return
}

// -----

func.func @start_future_returned(%d: !replica.per_replica<2 x f32>) -> !replica.future<!replica.mirrored<2 x f32>> {
  // expected-error@+1 {{'replica.all_reduce_start' op must be completed by a 'replica.all_reduce_done' in its own block, not by func.return}}
  %s = replica.all_reduce_start sum %d : !replica.per_replica<2 x f32>
  return %s : !replica.future<!replica.mirrored<2 x f32>>
}

// -----

func.func @done_of_argument(%f: !replica.future<!replica.mirrored<2 x f32>>) {
  // expected-error@+1 {{'replica.all_reduce_done' op future must come from a 'replica.all_reduce_start'}}
  %a = replica.all_reduce_done %f : !replica.future<!replica.mirrored<2 x f32>>
  return
}

// -----

func.func @start_without_operands() {
  // expected-error@+1 {{'replica.all_reduce_start' op requires at least one operand}}
  %s = "replica.all_reduce_start"() {kind = #replica<reduction sum>} : () -> !replica.future<f32>
  return
}

// -----

func.func @start_mean_of_integers(%d: !replica.per_replica<2 x i32>) {
  // expected-error@+1 {{'replica.all_reduce_start' op reduction 'mean' is not defined on integer}}
  %s = replica.all_reduce_start mean %d : !replica.per_replica<2 x i32>
  %a = replica.all_reduce_done %s : !replica.future<!replica.mirrored<2 x i32>>
  return
}

// -----

// A future names at least one result type.
// expected-error@+2 {{expected non-function type}}
// expected-error@+1 {{failed to parse Replica_FutureType parameter 'resultTypes'}}
func.func @future_of_nothing(%f: !replica.future<>) {
  return
}

// -----

func.func @start_in_replica_outside_replicate(%x: f32) {
  // expected-error@+1 {{'replica.all_reduce_start' op in-replica form (local operand and result) is only valid inside a replica.replicate body}}
  %s = replica.all_reduce_start sum %x : f32
  %r = replica.all_reduce_done %s : !replica.future<f32>
  return
}

// -----

func.func @start_mixed_forms(%d: !replica.per_replica<2 x f32>, %x: f32) {
  // expected-error@+1 {{'replica.all_reduce_start' op operand #1 of type 'f32' mixes the cross-replica and in-replica forms}}
  %s = replica.all_reduce_start sum %d, %x : !replica.per_replica<2 x f32>, f32
  %r:2 = replica.all_reduce_done %s : !replica.future<!replica.mirrored<2 x f32>, f32>
  return
}
