// RUN: replica-opt %s -split-input-file -verify-diagnostics

// expected-error @+1 {{'replica.num_replicas' must be a positive integer on a module, got 0 : i64}}
module attributes {replica.num_replicas = 0 : i64} {
}

// -----

module {
  // expected-error @+1 {{'replica.num_replicas' must be a positive integer on a module, got 2 : i64}}
  func.func @f() attributes {replica.num_replicas = 2 : i64} {
    return
  }
}

// -----

// expected-error @+1 {{'replica.mpi_window_bytes' must be a positive integer on a module, got "big"}}
module attributes {replica.mpi_window_bytes = "big"} {
}

// -----

// expected-error @+1 {{unknown replica attribute replica.window}}
module attributes {replica.window = 1 : i64} {
}

// -----

// expected-error @+1 {{'replica.mpi_shared_window_bytes' must be a positive integer on a module, got -64 : i64}}
module attributes {replica.mpi_shared_window_bytes = -64 : i64} {
}

// -----

func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'replica.no_fusion' must be a unit attribute, got false}}
  %r = replica.all_reduce sum %x {replica.no_fusion = false} : tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

// expected-error @+1 {{'replica.no_fusion' belongs on a replica.all_reduce or replica.batch_all_reduce, not on 'func.func'}}
func.func @f() attributes {replica.no_fusion} {
  return
}
