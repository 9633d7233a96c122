// RUN: replica-opt %s -replica-fuse-reductions=bytes-per-pack=0 | FileCheck %s

// Upstream shard.all_reduce is packed too; its key is the grid, the grid
// axes and the reduction (with the element type).
shard.grid @grid(shape = 2x4)

// CHECK-LABEL: func.func @shard(
// CHECK-SAME:    %[[A:[A-Za-z0-9_]+]]: tensor<4xf32>, %[[B:[A-Za-z0-9_]+]]: tensor<2x2xf32>, %[[C:[A-Za-z0-9_]+]]: tensor<4xf32>, %[[D:[A-Za-z0-9_]+]]: tensor<4xf32>)
// CHECK:         %[[P:.*]] = replica.pack %[[A]], %[[B]] offsets [0, 16] : tensor<4xf32>, tensor<2x2xf32> -> tensor<32xf32>
// CHECK:         %[[R:.*]] = shard.all_reduce %[[P]] on @grid grid_axes = [1] : tensor<32xf32> -> tensor<32xf32>
// CHECK:         %[[M:.*]]:2 = replica.split_pack %[[R]] offsets [0, 16] : tensor<32xf32> -> tensor<4xf32>, tensor<2x2xf32>
// CHECK:         %[[RC:.*]] = shard.all_reduce %[[C]] on @grid grid_axes = [0]
// CHECK:         %[[RD:.*]] = shard.all_reduce %[[D]] on @grid grid_axes = [1] reduction = max
// CHECK:         return %[[M]]#0, %[[M]]#1, %[[RC]], %[[RD]]
func.func @shard(%a: tensor<4xf32>, %b: tensor<2x2xf32>, %c: tensor<4xf32>, %d: tensor<4xf32>)
    -> (tensor<4xf32>, tensor<2x2xf32>, tensor<4xf32>, tensor<4xf32>) {
  %ra = shard.all_reduce %a on @grid grid_axes = [1] : tensor<4xf32> -> tensor<4xf32>
  %rb = shard.all_reduce %b on @grid grid_axes = [1] : tensor<2x2xf32> -> tensor<2x2xf32>
  %rc = shard.all_reduce %c on @grid grid_axes = [0] : tensor<4xf32> -> tensor<4xf32>
  %rd = shard.all_reduce %d on @grid grid_axes = [1] reduction = max : tensor<4xf32> -> tensor<4xf32>
  return %ra, %rb, %rc, %rd : tensor<4xf32>, tensor<2x2xf32>, tensor<4xf32>, tensor<4xf32>
}
