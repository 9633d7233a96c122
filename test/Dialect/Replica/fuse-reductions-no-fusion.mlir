// RUN: replica-opt %s -replica-fuse-reductions=bytes-per-pack=0 \
// RUN:   --remarks-filter-missed=replica-fuse-reductions --remark-format=emitRemark -verify-diagnostics | FileCheck %s

// All-reduces marked replica.no_fusion stay as they are, and the attribute
// with them; the others are packed around them.
// CHECK-LABEL: func.func @f(
// CHECK-SAME:    %[[A:[A-Za-z0-9_]+]]: tensor<4xf32>, %[[B:[A-Za-z0-9_]+]]: tensor<4xf32>, %[[C:[A-Za-z0-9_]+]]: tensor<4xf32>, %[[D:[A-Za-z0-9_]+]]: tensor<4xf32>, %[[E:[A-Za-z0-9_]+]]: tensor<4xf32>)
// CHECK:         %[[RA:.*]] = replica.all_reduce sum %[[A]] {replica.no_fusion} : tensor<4xf32>
// CHECK:         %[[RC:.*]]:2 = replica.batch_all_reduce sum %[[C]], %[[D]] {replica.no_fusion} : tensor<4xf32>, tensor<4xf32>
// CHECK:         %[[P:.*]] = replica.pack %[[B]], %[[E]] offsets [0, 16] : tensor<4xf32>, tensor<4xf32> -> tensor<32xf32>
// CHECK:         %[[R:.*]] = replica.all_reduce sum %[[P]] : tensor<32xf32>
// CHECK:         %[[M:.*]]:2 = replica.split_pack %[[R]] offsets [0, 16]
// CHECK:         return %[[RA]], %[[M]]#0, %[[RC]]#0, %[[RC]]#1, %[[M]]#1
module attributes {replica.num_replicas = 2 : i64} {
  func.func @f(%a: tensor<4xf32>, %b: tensor<4xf32>, %c: tensor<4xf32>, %d: tensor<4xf32>, %e: tensor<4xf32>)
      -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
    // expected-remark@+1 {{Reason="marked replica.no_fusion"}}
    %ra = replica.all_reduce sum %a {replica.no_fusion} : tensor<4xf32>
    %rb = replica.all_reduce sum %b : tensor<4xf32>
    // One remark per operand, both matched here.
    // expected-remark@+1 {{Reason="marked replica.no_fusion"}}
    %rc:2 = replica.batch_all_reduce sum %c, %d {replica.no_fusion} : tensor<4xf32>, tensor<4xf32>
    %re = replica.all_reduce sum %e : tensor<4xf32>
    return %ra, %rb, %rc#0, %rc#1, %re : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
  }
}
