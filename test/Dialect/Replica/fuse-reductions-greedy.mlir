// RUN: replica-opt %s "-replica-fuse-reductions=bytes-per-pack=128 order=program" \
// RUN:   --remarks-filter-missed=replica-fuse-reductions --remark-format=emitRemark -verify-diagnostics | FileCheck %s

// A candidate larger than bytes-per-pack is a pack of its own and leaves the
// open pack open: the 64-byte candidates before and after the 256-byte one
// share a pack (128 bytes); the third small one no longer fits and opens the
// next pack, which the last one joins.
// CHECK-LABEL: func.func @big_in_between(
// The two packs are ready together (one batch); the large candidate stays
// where it is.
// CHECK-DAG:     replica.all_reduce sum %{{.*}} : tensor<64xf32>
// CHECK-DAG:     %[[P0:.*]] = replica.pack %{{.*}}, %{{.*}} offsets [0, 16] : tensor<16xf32>, tensor<16xf32> -> tensor<32xf32>
// CHECK-DAG:     %[[P1:.*]] = replica.pack %{{.*}}, %{{.*}} offsets [0, 16] : tensor<16xf32>, tensor<16xf32> -> tensor<32xf32>
// CHECK:         replica.batch_all_reduce sum %[[P0]], %[[P1]] : tensor<32xf32>, tensor<32xf32>
func.func @big_in_between(%a: tensor<16xf32>, %big: tensor<64xf32>, %b: tensor<16xf32>,
                          %c: tensor<16xf32>, %d: tensor<16xf32>)
    -> (tensor<16xf32>, tensor<64xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>) {
  %r:5 = replica.replicate<2> (%a0 = %a, %g0 = %big, %b0 = %b, %c0 = %c, %d0 = %d)
      : (tensor<16xf32>, tensor<64xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>)
      -> (!replica.per_replica<2 x tensor<16xf32>>, !replica.per_replica<2 x tensor<64xf32>>, !replica.per_replica<2 x tensor<16xf32>>, !replica.per_replica<2 x tensor<16xf32>>, !replica.per_replica<2 x tensor<16xf32>>) {
    %ra = replica.all_reduce sum %a0 : tensor<16xf32>
    // expected-remark@+1 {{Reason="larger than bytes-per-pack: a pack of its own"}}
    %rg = replica.all_reduce sum %g0 : tensor<64xf32>
    %rb = replica.all_reduce sum %b0 : tensor<16xf32>
    %rc = replica.all_reduce sum %c0 : tensor<16xf32>
    %rd = replica.all_reduce sum %d0 : tensor<16xf32>
    replica.yield %ra, %rg, %rb, %rc, %rd : tensor<16xf32>, tensor<64xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>
  }
  %x0 = replica.select_replica %r#0[0] : !replica.per_replica<2 x tensor<16xf32>> -> tensor<16xf32>
  %x1 = replica.select_replica %r#1[0] : !replica.per_replica<2 x tensor<64xf32>> -> tensor<64xf32>
  %x2 = replica.select_replica %r#2[0] : !replica.per_replica<2 x tensor<16xf32>> -> tensor<16xf32>
  %x3 = replica.select_replica %r#3[0] : !replica.per_replica<2 x tensor<16xf32>> -> tensor<16xf32>
  %x4 = replica.select_replica %r#4[0] : !replica.per_replica<2 x tensor<16xf32>> -> tensor<16xf32>
  return %x0, %x1, %x2, %x3, %x4 : tensor<16xf32>, tensor<64xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>
}
