// RUN: replica-opt %s -convert-replica-to-nccl -split-input-file -verify-diagnostics

func.func @not_spmd(%d: !replica.per_replica<2 x f32>) -> !replica.mirrored<2 x f32> {
  // expected-error@+1 {{must be made SPMD first (replica-to-spmd)}}
  %s = replica.all_reduce sum %d : !replica.per_replica<2 x f32>
  return %s : !replica.mirrored<2 x f32>
}

// -----

module attributes {replica.num_replicas = 2 : i64} {
  func.func @element_type(%x: tensor<4xi16>) -> tensor<4xi16> {
    // expected-error@+1 {{element type 'i16' is not supported by the NCCL backend (f32, f64, i32, i64, f16, bf16)}}
    %s = replica.all_reduce sum %x : tensor<4xi16>
    return %s : tensor<4xi16>
  }
}
