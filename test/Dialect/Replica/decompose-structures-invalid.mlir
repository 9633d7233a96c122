// RUN: replica-opt %s -replica-decompose-structures -split-input-file -verify-diagnostics

// An op the pass cannot decompose keeps a tuple: it is reported at the op.
func.func @unknown_user(%t: tuple<f32, i32>) -> f32 {
  // expected-error@+1 {{failed to legalize operation 'builtin.unrealized_conversion_cast'}}
  %c = builtin.unrealized_conversion_cast %t : tuple<f32, i32> to f32
  return %c : f32
}
