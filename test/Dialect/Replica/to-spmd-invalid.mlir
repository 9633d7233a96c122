// RUN: replica-opt %s -replica-to-spmd -split-input-file -verify-diagnostics

func.func @two_counts(%a: !replica.per_replica<2 x f32>, %f: f32) {
  // expected-note@-1 {{2 replicas here}}
  // expected-error@+1 {{uses 4 replicas, but the module already uses 2; replica-to-spmd needs one replica count}}
  %b = replica.regroup %f, %f, %f, %f always_wrap : f32 -> !replica.per_replica<4 x f32>
  return
}

// -----

func.func @structure(%t: tuple<!replica.per_replica<2 x f32>, f32>) {
  // expected-error@-1 {{holds a structure; run replica-decompose-structures before replica-to-spmd}}
  return
}
