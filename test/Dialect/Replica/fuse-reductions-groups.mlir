// RUN: replica-opt %s "-replica-fuse-reductions=bytes-per-pack=0 alignment=4" -split-input-file | FileCheck %s
// RUN: split-file %s %t
// RUN: replica-opt %t/ready.mlir "-replica-fuse-reductions=bytes-per-pack=0 alignment=4 report=%t.json" -o /dev/null
// RUN: FileCheck %s --input-file=%t.json --check-prefix=REPORT

// Packs of different keys that are ready together are launched together:
// the f32 and i32 sum packs become one batch_all_reduce (on MPI, one group
// of nonblocking all-reduces), placed at the last member of either; the max
// pack, another kind, is issued right beside them.
// CHECK-LABEL: func.func @ready_together(
// CHECK:         %[[F:.*]] = replica.pack %{{.*}}, %{{.*}} offsets [0, 4] : tensor<4xf32>, tensor<4xf32> -> tensor<8xf32>
// CHECK:         %[[I:.*]] = replica.pack %{{.*}}, %{{.*}} offsets [0, 4] : tensor<4xi32>, tensor<4xi32> -> tensor<8xi32>
// CHECK:         %[[M:.*]] = replica.pack %{{.*}}, %{{.*}} offsets [0, 4] : tensor<4xf32>, tensor<4xf32> -> tensor<8xf32>
// CHECK:         %[[B:.*]]:2 = replica.batch_all_reduce sum %[[F]], %[[I]] : tensor<8xf32>, tensor<8xi32>
// CHECK-NEXT:    %[[X:.*]] = replica.all_reduce max %[[M]] : tensor<8xf32>
// CHECK-NOT:     replica.all_reduce
// CHECK-NOT:     replica.batch_all_reduce
func.func @ready_together(%a: tensor<4xf32>, %b: tensor<4xf32>, %c: tensor<4xi32>, %d: tensor<4xi32>) -> !replica.per_replica<2 x tensor<4xf32>> {
  %r = replica.replicate<2> (%a0 = %a, %b0 = %b, %c0 = %c, %d0 = %d) : (tensor<4xf32>, tensor<4xf32>, tensor<4xi32>, tensor<4xi32>) -> !replica.per_replica<2 x tensor<4xf32>> {
    %ra = replica.all_reduce sum %a0 : tensor<4xf32>
    %rc = replica.all_reduce sum %c0 : tensor<4xi32>
    %ma = replica.all_reduce max %a0 : tensor<4xf32>
    %rb = replica.all_reduce sum %b0 : tensor<4xf32>
    %rd = replica.all_reduce sum %d0 : tensor<4xi32>
    %mb = replica.all_reduce max %b0 : tensor<4xf32>
    %s = arith.addf %ra, %rb : tensor<4xf32>
    %m = arith.addf %ma, %mb : tensor<4xf32>
    %t = arith.addi %rc, %rd : tensor<4xi32>
    %tf = arith.sitofp %t : tensor<4xi32> to tensor<4xf32>
    %u = arith.addf %s, %m : tensor<4xf32>
    %v = arith.addf %u, %tf : tensor<4xf32>
    replica.yield %v : tensor<4xf32>
  }
  return %r : !replica.per_replica<2 x tensor<4xf32>>
}

// -----

// Not ready together: the f32 pack's result is used before the i32 pack is
// complete, so each pack is reduced at its own last member.
// CHECK-LABEL: func.func @one_after_another(
// CHECK:         replica.all_reduce sum %{{.*}} : tensor<8xf32>
// CHECK:         arith.addf
// CHECK:         replica.all_reduce sum %{{.*}} : tensor<8xi32>
// CHECK-NOT:     replica.batch_all_reduce
func.func @one_after_another(%a: tensor<4xf32>, %b: tensor<4xf32>, %c: tensor<4xi32>, %d: tensor<4xi32>) -> !replica.per_replica<2 x tensor<4xi32>> {
  %r = replica.replicate<2> (%a0 = %a, %b0 = %b, %c0 = %c, %d0 = %d) : (tensor<4xf32>, tensor<4xf32>, tensor<4xi32>, tensor<4xi32>) -> !replica.per_replica<2 x tensor<4xi32>> {
    %ra = replica.all_reduce sum %a0 : tensor<4xf32>
    %rc = replica.all_reduce sum %c0 : tensor<4xi32>
    %rb = replica.all_reduce sum %b0 : tensor<4xf32>
    %s = arith.addf %ra, %rb : tensor<4xf32>
    %si = arith.fptosi %s : tensor<4xf32> to tensor<4xi32>
    %rd = replica.all_reduce sum %d0 : tensor<4xi32>
    %t = arith.addi %rc, %rd : tensor<4xi32>
    %v = arith.addi %t, %si : tensor<4xi32>
    replica.yield %v : tensor<4xi32>
  }
  return %r : !replica.per_replica<2 x tensor<4xi32>>
}

// The report numbers the groups of packs launched together: in @report the
// f32 pack is group 0, the i32 pack group 1.
// REPORT:      "groups": 2,
// REPORT:      "element_type": "i32",
// REPORT-NEXT: "group": 1,
// REPORT:      "element_type": "f32",
// REPORT-NEXT: "group": 0,

// CHECK-LABEL: func.func @report(
// CHECK:         replica.all_reduce sum %{{.*}} : tensor<8xf32>
// CHECK:         replica.all_reduce sum %{{.*}} : tensor<8xi32>

// -----

//--- ready.mlir
func.func @report(%a: tensor<4xf32>, %b: tensor<4xf32>, %c: tensor<4xi32>, %d: tensor<4xi32>) -> !replica.per_replica<2 x tensor<4xi32>> {
  %r = replica.replicate<2> (%a0 = %a, %b0 = %b, %c0 = %c, %d0 = %d) : (tensor<4xf32>, tensor<4xf32>, tensor<4xi32>, tensor<4xi32>) -> !replica.per_replica<2 x tensor<4xi32>> {
    %ra = replica.all_reduce sum %a0 : tensor<4xf32>
    %rc = replica.all_reduce sum %c0 : tensor<4xi32>
    %rb = replica.all_reduce sum %b0 : tensor<4xf32>
    %s = arith.addf %ra, %rb : tensor<4xf32>
    %si = arith.fptosi %s : tensor<4xf32> to tensor<4xi32>
    %rd = replica.all_reduce sum %d0 : tensor<4xi32>
    %t = arith.addi %rc, %rd : tensor<4xi32>
    %v = arith.addi %t, %si : tensor<4xi32>
    replica.yield %v : tensor<4xi32>
  }
  return %r : !replica.per_replica<2 x tensor<4xi32>>
}
