// REQUIRES: mpi
// RUN: replica-run %s | sort | FileCheck %s
// RUN: replica-run %s --schedule=false | sort | FileCheck %s
// RUN: replica-run %s --backend=mpi --np=2 | sort | FileCheck %s
// RUN: replica-run %s --backend=mpi --np=2 --schedule=false | sort | FileCheck %s
// RUN: replica-run %s --backend=mpi --np=2 --fuse=false | sort | FileCheck %s
// RUN: env REPLICA_MPI_TRANSPORT=mpi replica-run %s --backend=mpi --np=2 | sort | FileCheck %s
// RUN: env REPLICA_MPI_TRANSPORT=mpi replica-run %s --backend=mpi --np=2 --fuse=false | sort | FileCheck %s
// RUN: %if cuda-gpus-2 %{ replica-run %s --backend=nccl --np=2 | sort | FileCheck %s %}
//
// RUN: replica-run %s --backend=mpi --np=2 --bytes-per-pack=64 | sort | FileCheck %s
// RUN: env REPLICA_MPI_TRANSPORT=mpi replica-run %s --backend=mpi --np=2 --bytes-per-pack=64 | sort | FileCheck %s
//
// With a pack per gradient, the scheduler starts the last layer's
// all-reduce right after its matmul, before the matmuls of the first
// layer's gradient, and completes it where the update reads it.
// RUN: replica-opt %s -replica-to-spmd -replica-fuse-reductions=max-ops-per-pack=1 \
// RUN:   -replica-schedule-collectives | FileCheck %s --check-prefix=SCHED
// SCHED-LABEL: func.func @main
// SCHED:       %[[G2:.*]] = linalg.matmul ins(%transposed,
// SCHED-NEXT:  %[[F2:.*]] = replica.all_reduce_start mean %[[G2]] : tensor<4x4xf32>
// SCHED:       linalg.matmul
// SCHED:       %[[G1:.*]] = linalg.matmul
// SCHED-NEXT:  %[[R1:.*]] = replica.all_reduce mean %[[G1]]
// SCHED-NEXT:  arith.mulf %[[R1]]
// SCHED-NEXT:  %[[R2:.*]] = replica.all_reduce_done %[[F2]] : !replica.future<tensor<4x4xf32>>
// SCHED-NEXT:  arith.mulf %[[R2]]

// Three steps of SGD on a two-layer linear model, each replica with its own
// batch (the replica id scales it): gradients come from matmuls in reverse
// layer order, are averaged across replicas and applied. Started early and
// completed late (the default), blocking, fused or not, on one process or
// two, the weights are the same.

func.func @show(%tag: i64, %r: index, %t: tensor<4x4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %ri = arith.index_cast %r : index to i64
  vector.print %tag : i64 punctuation <no_punctuation>
  vector.print str " r"
  vector.print %ri : i64 punctuation <no_punctuation>
  vector.print str ":"
  scf.for %i = %c0 to %c4 step %c1 {
    scf.for %j = %c0 to %c4 step %c1 {
      %e = tensor.extract %t[%i, %j] : tensor<4x4xf32>
      vector.print str " "
      vector.print %e : f32 punctuation <no_punctuation>
    }
  }
  vector.print punctuation <newline>
  return
}

func.func @main() {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %w1_0 = arith.constant dense<[[1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0],
                                [0.0, 0.0, 1.0, 0.0], [0.0, 0.0, 0.0, 1.0]]> : tensor<4x4xf32>
  %w2_0 = arith.constant dense<[[0.5, 0.0, 0.0, 0.0], [0.0, 0.5, 0.0, 0.0],
                                [0.0, 0.0, 0.5, 0.0], [0.0, 0.0, 0.0, 0.5]]> : tensor<4x4xf32>
  %x0 = arith.constant dense<[[1.0, 2.0, 0.0, 1.0], [0.0, 1.0, 1.0, 0.0],
                              [1.0, 0.0, 1.0, 2.0], [2.0, 1.0, 0.0, 0.0]]> : tensor<4x4xf32>
  %lr = arith.constant dense<0.0625> : tensor<4x4xf32>
  replica.replicate<2> (%a = %w1_0, %b = %w2_0) : (tensor<4x4xf32>, tensor<4x4xf32>) -> () {
    %id = replica.replica_id : index
    %idi = arith.index_cast %id : index to i64
    %idf = arith.sitofp %idi : i64 to f32
    %one = arith.constant 1.0 : f32
    %k = arith.addf %idf, %one : f32
    %ks = tensor.splat %k : tensor<4x4xf32>
    %x = arith.mulf %x0, %ks : tensor<4x4xf32>
    %zero = arith.constant 0.0 : f32
    %e = tensor.empty() : tensor<4x4xf32>
    %z = linalg.fill ins(%zero : f32) outs(%e : tensor<4x4xf32>) -> tensor<4x4xf32>
    %w1, %w2 = scf.for %i = %c0 to %c3 step %c1 iter_args(%w1i = %a, %w2i = %b)
        -> (tensor<4x4xf32>, tensor<4x4xf32>) {
      // Forward: h = x w1, y = h w2; loss gradient dy = y - x.
      %h = linalg.matmul ins(%x, %w1i : tensor<4x4xf32>, tensor<4x4xf32>) outs(%z : tensor<4x4xf32>) -> tensor<4x4xf32>
      %y = linalg.matmul ins(%h, %w2i : tensor<4x4xf32>, tensor<4x4xf32>) outs(%z : tensor<4x4xf32>) -> tensor<4x4xf32>
      %dy = arith.subf %y, %x : tensor<4x4xf32>
      // Backward, last layer first: g2 = h^T dy, dh = dy w2^T, g1 = x^T dh.
      %ht = linalg.transpose ins(%h : tensor<4x4xf32>) outs(%e : tensor<4x4xf32>) permutation = [1, 0]
      %g2 = linalg.matmul ins(%ht, %dy : tensor<4x4xf32>, tensor<4x4xf32>) outs(%z : tensor<4x4xf32>) -> tensor<4x4xf32>
      %r2 = replica.all_reduce mean %g2 : tensor<4x4xf32>
      %w2t = linalg.transpose ins(%w2i : tensor<4x4xf32>) outs(%e : tensor<4x4xf32>) permutation = [1, 0]
      %dh = linalg.matmul ins(%dy, %w2t : tensor<4x4xf32>, tensor<4x4xf32>) outs(%z : tensor<4x4xf32>) -> tensor<4x4xf32>
      %xt = linalg.transpose ins(%x : tensor<4x4xf32>) outs(%e : tensor<4x4xf32>) permutation = [1, 0]
      %g1 = linalg.matmul ins(%xt, %dh : tensor<4x4xf32>, tensor<4x4xf32>) outs(%z : tensor<4x4xf32>) -> tensor<4x4xf32>
      %r1 = replica.all_reduce mean %g1 : tensor<4x4xf32>
      %s1 = arith.mulf %r1, %lr : tensor<4x4xf32>
      %s2 = arith.mulf %r2, %lr : tensor<4x4xf32>
      %n1 = arith.subf %w1i, %s1 : tensor<4x4xf32>
      %n2 = arith.subf %w2i, %s2 : tensor<4x4xf32>
      scf.yield %n1, %n2 : tensor<4x4xf32>, tensor<4x4xf32>
    }
    %t1 = arith.constant 1 : i64
    %t2 = arith.constant 2 : i64
    func.call @show(%t1, %id, %w1) : (i64, index, tensor<4x4xf32>) -> ()
    func.call @show(%t2, %id, %w2) : (i64, index, tensor<4x4xf32>) -> ()
    replica.yield
  }
  // CHECK:      1 r0: 3.25027 1.93764 0.678702 1.58517 1.93764 2.9618 0.653029 1.44997 0.678702 0.653029 1.35469 0.558879 1.58517 1.44997 0.558879 2.34652
  // CHECK-NEXT: 1 r1: 3.25027 1.93764 0.678702 1.58517 1.93764 2.9618 0.653029 1.44997 0.678702 0.653029 1.35469 0.558879 1.58517 1.44997 0.558879 2.34652
  // CHECK-NEXT: 2 r0: 2.89022 1.95294 0.668877 1.59668 1.95294 2.61128 0.656788 1.4404 0.668877 0.656788 0.959362 0.591496 1.59668 1.4404 0.591496 1.98817
  // CHECK-NEXT: 2 r1: 2.89022 1.95294 0.668877 1.59668 1.95294 2.61128 0.656788 1.4404 0.668877 0.656788 0.959362 0.591496 1.59668 1.4404 0.591496 1.98817
  return
}
