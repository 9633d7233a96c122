// RUN: replica-opt %s -convert-replica-to-linalg -split-input-file -verify-diagnostics

func.func @not_unrolled(%d: !replica.per_replica<2 x f32>) {
  // expected-error@+1 {{'replica.replicate' op must be unrolled first (replica-unroll)}}
  replica.replicate<2> (%x = %d) : (!replica.per_replica<2 x f32>) -> () {
    %s = replica.all_reduce sum %x : f32
    replica.yield
  }
  return
}
