// RUN: replica-opt %s -replica-fuse-reductions="bytes-per-pack=0 report=%t.json" \
// RUN:   --remarks-filter-missed=replica-fuse-reductions --remark-format=emitRemark -verify-diagnostics -o /dev/null
// RUN: FileCheck %s --input-file=%t.json
// Repeated runs give the same packs.
// RUN: replica-opt %s -replica-fuse-reductions="bytes-per-pack=0" -o %t.first.mlir
// RUN: replica-opt %s -replica-fuse-reductions="bytes-per-pack=0" -o %t.second.mlir
// RUN: diff %t.first.mlir %t.second.mlir

// Every candidate left unfused gets a remark saying why; the report lists
// every pack with its members, offsets, bytes and modelled time.

// CHECK:      "candidates": 4,
// CHECK:      "fused": 2,
// CHECK:      "bytes": 64,
// CHECK-NEXT: "cross_replica": false,
// CHECK-NEXT: "element_type": "i32",
// CHECK-NEXT: "group": -1,
// CHECK-NEXT: "kind": "sum",
// CHECK:      "bytes": 128,
// CHECK-NEXT: "cross_replica": false,
// CHECK-NEXT: "element_type": "f32",
// CHECK-NEXT: "group": 0,
// CHECK-NEXT: "kind": "sum",
// CHECK-NEXT: "members": [
// CHECK:        "offset_bytes": 0,
// CHECK:        "type": "tensor<4xf32>"
// CHECK:        "offset_bytes": 64,
// CHECK:        "type": "tensor<4xf32>"
// CHECK:      "modelled_us":
// CHECK-NEXT: "replicas": 2
module attributes {replica.num_replicas = 2 : i64} {
  func.func @f(%a: tensor<4xf32>, %b: tensor<4xf32>, %c: tensor<?xf32>, %d: tensor<4xi32>)
      -> (tensor<4xf32>, tensor<4xf32>, tensor<?xf32>, tensor<4xi32>) {
    %ra = replica.all_reduce sum %a : tensor<4xf32>
    %rb = replica.all_reduce sum %b : tensor<4xf32>
    // expected-remark@+1 {{Reason="dynamic shape"}}
    %rc = replica.all_reduce sum %c : tensor<?xf32>
    // expected-remark@+1 {{Reason="no other candidate with its reduction kind, element type and replica group"}}
    %rd = replica.all_reduce sum %d : tensor<4xi32>
    return %ra, %rb, %rc, %rd : tensor<4xf32>, tensor<4xf32>, tensor<?xf32>, tensor<4xi32>
  }
}
