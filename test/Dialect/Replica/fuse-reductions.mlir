// RUN: replica-opt %s -replica-fuse-reductions=bytes-per-pack=0 -split-input-file | FileCheck %s --check-prefixes=CHECK,ONE
// RUN: replica-opt %s -replica-fuse-reductions="bytes-per-pack=128 order=program" -split-input-file | FileCheck %s --check-prefixes=CHECK,B128
// RUN: replica-opt %s -replica-fuse-reductions="bytes-per-pack=128 order=reverse" -split-input-file | FileCheck %s --check-prefixes=CHECK,REV
// RUN: replica-opt %s -replica-fuse-reductions="bytes-per-pack=0 alignment=4" -split-input-file | FileCheck %s --check-prefixes=CHECK,ALIGN4

// Four f32 all-reduces of 16, 16, 64 and 4 bytes (64-byte slots: 64 each).
// bytes-per-pack=0: one pack; 128 in program order: {a, b}, {c, d};
// in reverse order {d, c}, {b, a}: the same packs, placed in program order.
// CHECK-LABEL: func.func @sizes(
// CHECK-SAME:    %[[A:[A-Za-z0-9_]+]]: tensor<4xf32>, %[[B:[A-Za-z0-9_]+]]: tensor<4xf32>, %[[C:[A-Za-z0-9_]+]]: tensor<16xf32>, %[[D:[A-Za-z0-9_]+]]: f32)
// ONE:         %[[DT:.*]] = tensor.from_elements %[[D]] : tensor<1xf32>
// ONE:         %[[P:.*]] = replica.pack %[[A]], %[[B]], %[[C]], %[[DT]] offsets [0, 16, 32, 48] : tensor<4xf32>, tensor<4xf32>, tensor<16xf32>, tensor<1xf32> -> tensor<64xf32>
// ONE:         %[[R:.*]] = replica.all_reduce sum %[[P]] : tensor<64xf32>
// ONE:         %[[M:.*]]:4 = replica.split_pack %[[R]] offsets [0, 16, 32, 48] : tensor<64xf32> -> tensor<4xf32>, tensor<4xf32>, tensor<16xf32>, tensor<1xf32>
// ONE:         %[[DR:.*]] = tensor.extract %[[M]]#3
// ONE-NOT:     replica.all_reduce
// ONE:         return %[[M]]#0, %[[M]]#1, %[[M]]#2, %[[DR]]

// The two packs are ready together: one batch launches both.
// B128:         %[[P0:.*]] = replica.pack %[[A]], %[[B]] offsets [0, 16] : {{.*}} -> tensor<32xf32>
// B128:         %[[DT:.*]] = tensor.from_elements %[[D]]
// B128:         %[[P1:.*]] = replica.pack %[[C]], %[[DT]] offsets [0, 16] : {{.*}} -> tensor<32xf32>
// B128:         %[[R:.*]]:2 = replica.batch_all_reduce sum %[[P0]], %[[P1]] : tensor<32xf32>, tensor<32xf32>
// B128:         replica.split_pack %[[R]]#0 offsets [0, 16] : tensor<32xf32> -> tensor<4xf32>, tensor<4xf32>
// B128:         replica.split_pack %[[R]]#1 offsets [0, 16] : tensor<32xf32> -> tensor<16xf32>, tensor<1xf32>
// B128-NOT:     replica.all_reduce

// REV:         %[[P0:.*]] = replica.pack %[[A]], %[[B]] offsets [0, 16]
// REV:         %[[P1:.*]] = replica.pack %[[C]], %{{.*}} offsets [0, 16]
// REV:         replica.batch_all_reduce sum %[[P0]], %[[P1]] : tensor<32xf32>, tensor<32xf32>

// ALIGN4:         replica.pack %[[A]], %[[B]], %[[C]], %{{.*}} offsets [0, 4, 8, 24] : {{.*}} -> tensor<25xf32>
module attributes {replica.num_replicas = 2 : i64} {
  func.func @sizes(%a: tensor<4xf32>, %b: tensor<4xf32>, %c: tensor<16xf32>, %d: f32)
      -> (tensor<4xf32>, tensor<4xf32>, tensor<16xf32>, f32) {
    %ra = replica.all_reduce sum %a : tensor<4xf32>
    %rb = replica.all_reduce sum %b : tensor<4xf32>
    %rc = replica.all_reduce sum %c : tensor<16xf32>
    %rd = replica.all_reduce sum %d : f32
    return %ra, %rb, %rc, %rd : tensor<4xf32>, tensor<4xf32>, tensor<16xf32>, f32
  }
}

// -----

// Packs never mix keys: kind, element type and replica group differ.
// CHECK-LABEL: func.func @keys(
// ONE-DAG:     replica.all_reduce sum %{{.*}} : tensor<32xf32>
// ONE-DAG:     replica.all_reduce max %{{.*}} : tensor<4xf32>
// ONE-DAG:     replica.all_reduce sum %{{.*}} : tensor<4xi32>
// ONE-DAG:     replica.all_reduce sum %{{.*}} : tensor<4xf64>
module attributes {replica.num_replicas = 2 : i64} {
  func.func @keys(%a: tensor<4xf32>, %b: tensor<4xf32>, %i: tensor<4xi32>, %f: tensor<4xf64>)
      -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xi32>, tensor<4xf64>) {
    %ra = replica.all_reduce sum %a : tensor<4xf32>
    %rm = replica.all_reduce max %a : tensor<4xf32>
    %ri = replica.all_reduce sum %i : tensor<4xi32>
    %rf = replica.all_reduce sum %f : tensor<4xf64>
    %rb = replica.all_reduce sum %b : tensor<4xf32>
    return %ra, %rb, %rm, %ri, %rf : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xi32>, tensor<4xf64>
  }
}

// -----

// A candidate that depends on another's result never joins its pack.
// CHECK-LABEL: func.func @chain(
// ONE:         %[[R1:.*]] = replica.all_reduce sum %{{.*}} : tensor<4xf32>
// ONE:         arith.addf %[[R1]]
// ONE:         replica.all_reduce sum %{{.*}} : tensor<32xf32>
module attributes {replica.num_replicas = 2 : i64} {
  func.func @chain(%a: tensor<4xf32>, %b: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
    %r1 = replica.all_reduce sum %a : tensor<4xf32>
    %x = arith.addf %r1, %b : tensor<4xf32>
    %r2 = replica.all_reduce sum %x : tensor<4xf32>
    %r3 = replica.all_reduce sum %b : tensor<4xf32>
    return %r1, %r2, %r3 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
  }
}

// -----

// Nothing moves across a side effect.
// CHECK-LABEL: func.func @side_effect(
// ONE:         replica.all_reduce sum %{{.*}} : tensor<4xf32>
// ONE:         vector.print
// ONE:         replica.all_reduce sum %{{.*}} : tensor<4xf32>
module attributes {replica.num_replicas = 2 : i64} {
  func.func @side_effect(%a: tensor<4xf32>, %b: tensor<4xf32>, %p: f32) -> (tensor<4xf32>, tensor<4xf32>) {
    %r1 = replica.all_reduce sum %a : tensor<4xf32>
    vector.print %p : f32
    %r2 = replica.all_reduce sum %b : tensor<4xf32>
    return %r1, %r2 : tensor<4xf32>, tensor<4xf32>
  }
}

// -----

// Batch operands are candidates; a loop body is a block of its own; the
// cross-replica form packs each replica's components.
// CHECK-LABEL: func.func @loop_and_cross(
// ONE:         scf.for
// ONE:           replica.all_reduce mean %{{.*}} : tensor<32xf32>
// ONE-NOT:       replica.batch_all_reduce
// ONE:           scf.yield
// ONE:         replica.unpack
// ONE:         replica.regroup %{{.*}}, %{{.*}} always_wrap : tensor<32xf32> -> !replica.per_replica<2 x tensor<32xf32>>
// ONE:         replica.all_reduce sum %{{.*}} : !replica.per_replica<2 x tensor<32xf32>>
// ONE:         replica.regroup %{{.*}}, %{{.*}} mirrored always_wrap : tensor<4xf32> -> !replica.mirrored<2 x tensor<4xf32>>
func.func @loop_and_cross(%d: !replica.per_replica<2 x tensor<4xf32>>, %e: !replica.per_replica<2 x tensor<4xf32>>, %n: index)
    -> (!replica.per_replica<2 x tensor<4xf32>>, !replica.mirrored<2 x tensor<4xf32>>, !replica.mirrored<2 x tensor<4xf32>>) {
  %r = replica.replicate<2> (%x = %d, %y = %e, %m = %n)
      : (!replica.per_replica<2 x tensor<4xf32>>, !replica.per_replica<2 x tensor<4xf32>>, index) -> (!replica.per_replica<2 x tensor<4xf32>>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %l:2 = scf.for %i = %c0 to %m step %c1 iter_args(%a = %x, %b = %y) -> (tensor<4xf32>, tensor<4xf32>) {
      %s:2 = replica.batch_all_reduce mean %a, %b : tensor<4xf32>, tensor<4xf32>
      scf.yield %s#0, %s#1 : tensor<4xf32>, tensor<4xf32>
    }
    replica.yield %l#0 : tensor<4xf32>
  }
  %s1 = replica.all_reduce sum %d : !replica.per_replica<2 x tensor<4xf32>>
  %s2 = replica.all_reduce sum %e : !replica.per_replica<2 x tensor<4xf32>>
  return %r, %s1, %s2 : !replica.per_replica<2 x tensor<4xf32>>, !replica.mirrored<2 x tensor<4xf32>>, !replica.mirrored<2 x tensor<4xf32>>
}

// -----

// Three 64-byte slots with bytes-per-pack=128: program order packs {a, b}
// and leaves c alone; reverse order packs {c, b} and leaves a alone.
// CHECK-LABEL: func.func @order(
// CHECK-SAME:    %[[A:[A-Za-z0-9_]+]]: tensor<4xf32>, %[[B:[A-Za-z0-9_]+]]: tensor<4xf32>, %[[C:[A-Za-z0-9_]+]]: tensor<4xf32>)
// B128:         %[[P:.*]] = replica.pack %[[A]], %[[B]] offsets [0, 16]
// B128:         replica.all_reduce sum %[[P]] : tensor<32xf32>
// B128:         replica.all_reduce sum %[[C]] : tensor<4xf32>
// REV:         replica.all_reduce sum %[[A]] : tensor<4xf32>
// REV:         %[[P:.*]] = replica.pack %[[B]], %[[C]] offsets [0, 16]
// REV:         replica.all_reduce sum %[[P]] : tensor<32xf32>
module attributes {replica.num_replicas = 2 : i64} {
  func.func @order(%a: tensor<4xf32>, %b: tensor<4xf32>, %c: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
    %ra = replica.all_reduce sum %a : tensor<4xf32>
    %rb = replica.all_reduce sum %b : tensor<4xf32>
    %rc = replica.all_reduce sum %c : tensor<4xf32>
    return %ra, %rb, %rc : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
  }
}
