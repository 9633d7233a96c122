// The stock mlir-opt of LLVM 22 with ReplicaPlugin.so loaded as dialect and
// pass plugin: it parses and verifies replica IR, runs replica passes and
// pipelines by name, and the CPU pipeline's output runs in the stock
// mlir-runner.
// UNSUPPORTED: sanitize
// RUN: mlir-opt %s --load-dialect-plugin=%replica_plugin --load-pass-plugin=%replica_plugin \
// RUN:   --pass-pipeline="builtin.module(replica-decompose-structures,canonicalize,replica-fuse-reductions{bytes-per-pack=0})" \
// RUN:   | FileCheck %s
// RUN: mlir-opt %s --load-dialect-plugin=%replica_plugin --load-pass-plugin=%replica_plugin \
// RUN:   --pass-pipeline="builtin.module(replica-lower-to-cpu)" \
// RUN:   | mlir-runner -e main -entry-point-result=void -shared-libs=%mlir_runner_utils \
// RUN:     -shared-libs=%mlir_c_runner_utils | FileCheck %s --check-prefix=OUT
// RUN: not mlir-opt %s --load-dialect-plugin=%replica_plugin --load-pass-plugin=%replica_plugin \
// RUN:   --pass-pipeline="builtin.module(replica-fuse-reductions{cost-table=1:x})" 2>&1 \
// RUN:   | FileCheck %s --check-prefix=BAD

// CHECK-LABEL: func.func @step(
// CHECK-SAME:    %{{.*}}: !replica.per_replica<2 x tensor<4xf32>>, %{{.*}}: !replica.per_replica<2 x tensor<2xf32>>
// CHECK:         replica.replicate<2>
// CHECK:           replica.all_reduce mean %{{.*}} : tensor<32xf32>
// CHECK-NOT:       replica.all_reduce
// CHECK-NOT:       tuple
// CHECK-LABEL: func.func @main(
func.func @step(%g: tuple<!replica.per_replica<2 x tensor<4xf32>>, !replica.per_replica<2 x tensor<2xf32>>>)
    -> tuple<!replica.per_replica<2 x tensor<4xf32>>, !replica.per_replica<2 x tensor<2xf32>>> {
  %r = replica.replicate<2> (%x = %g)
      : (tuple<!replica.per_replica<2 x tensor<4xf32>>, !replica.per_replica<2 x tensor<2xf32>>>)
      -> (tuple<!replica.per_replica<2 x tensor<4xf32>>, !replica.per_replica<2 x tensor<2xf32>>>) {
    %w = replica.tuple_get %x[0] : tuple<tensor<4xf32>, tensor<2xf32>> -> tensor<4xf32>
    %b = replica.tuple_get %x[1] : tuple<tensor<4xf32>, tensor<2xf32>> -> tensor<2xf32>
    %s:2 = replica.batch_all_reduce mean %w, %b : tensor<4xf32>, tensor<2xf32>
    %t = replica.tuple %s#0, %s#1 : tuple<tensor<4xf32>, tensor<2xf32>>
    replica.yield %t : tuple<tensor<4xf32>, tensor<2xf32>>
  }
  return %r : tuple<!replica.per_replica<2 x tensor<4xf32>>, !replica.per_replica<2 x tensor<2xf32>>>
}

// OUT: ( 3, 1.5 )
func.func @main() {
  %a = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %b = arith.constant dense<[5.0, 1.0]> : tensor<2xf32>
  %d = replica.regroup %a, %b : tensor<2xf32> -> !replica.per_replica<2 x tensor<2xf32>>
  %m = replica.all_reduce mean %d : !replica.per_replica<2 x tensor<2xf32>>
  %x = replica.select_replica %m[1] : !replica.mirrored<2 x tensor<2xf32>> -> tensor<2xf32>
  %c0 = arith.constant 0 : index
  %pad = arith.constant 0.0 : f32
  %v = vector.transfer_read %x[%c0], %pad : tensor<2xf32>, vector<2xf32>
  vector.print %v : vector<2xf32>
  return
}

// BAD: error: invalid cost-table entry '1:x'
