// REQUIRES: mpi
// RUN: replica-run %s | sort | FileCheck %s
// RUN: replica-run %s --backend=mpi --np=2 | sort | FileCheck %s
// RUN: %if cuda-gpus-2 %{ replica-run %s --backend=nccl | sort | FileCheck %s %}
// RUN: %if cuda-gpus-2 %{ replica-run %s --backend=nccl --np=2 | sort | FileCheck %s %}

// Loops that carry tensors through collectives: the yielded tensor is a
// collective's result, a fresh buffer each iteration (in-replica on both
// backends, and a function-level loop carrying a mirrored value).

func.func @show_f32(%tag: i64, %r: index, %t: tensor<?xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = tensor.dim %t, %c0 : tensor<?xf32>
  %ri = arith.index_cast %r : index to i64
  vector.print %tag : i64 punctuation <no_punctuation>
  vector.print str " r"
  vector.print %ri : i64 punctuation <no_punctuation>
  vector.print str ":"
  scf.for %i = %c0 to %n step %c1 {
    %e = tensor.extract %t[%i] : tensor<?xf32>
    vector.print str " "
    vector.print %e : f32 punctuation <no_punctuation>
  }
  vector.print punctuation <newline>
  return
}

func.func @main() {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %v0 = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>

  // t <- mean over replicas of t * (id + 1) = 1.5 t, three times from
  // [1, 2]: [3.375, 6.75].
  replica.replicate<2> (%v = %v0) : (tensor<2xf32>) -> () {
    %id = replica.replica_id : index
    %idi = arith.index_cast %id : index to i64
    %idf = arith.sitofp %idi : i64 to f32
    %one = arith.constant 1.0 : f32
    %k = arith.addf %idf, %one : f32
    %ks = tensor.splat %k : tensor<2xf32>
    %t = scf.for %i = %c0 to %c3 step %c1 iter_args(%a = %v) -> (tensor<2xf32>) {
      %b = arith.mulf %a, %ks : tensor<2xf32>
      %m = replica.all_reduce mean %b : tensor<2xf32>
      scf.yield %m : tensor<2xf32>
    }
    %t11 = arith.constant 11 : i64
    %td = tensor.cast %t : tensor<2xf32> to tensor<?xf32>
    func.call @show_f32(%t11, %id, %td) : (i64, index, tensor<?xf32>) -> ()
    replica.yield
  }
  // CHECK:      11 r0: 3.375 6.75
  // CHECK-NEXT: 11 r1: 3.375 6.75

  // At function level: m <- all_reduce sum over replicas of (2 m + id),
  // i.e. 4 m + 1, three times from [1, 0.5]: [5, 3], [21, 13], [85, 53].
  %init = arith.constant dense<[1.0, 0.5]> : tensor<2xf32>
  %m0 = replica.broadcast %init : tensor<2xf32> -> !replica.mirrored<2 x tensor<2xf32>>
  %mf = scf.for %i = %c0 to %c3 step %c1 iter_args(%m = %m0) -> (!replica.mirrored<2 x tensor<2xf32>>) {
    %pr = replica.replicate<2> (%x = %m) : (!replica.mirrored<2 x tensor<2xf32>>)
        -> !replica.per_replica<2 x tensor<2xf32>> {
      %id = replica.replica_id : index
      %idi = arith.index_cast %id : index to i64
      %idf = arith.sitofp %idi : i64 to f32
      %ids = tensor.splat %idf : tensor<2xf32>
      %x2 = arith.addf %x, %x : tensor<2xf32>
      %y = arith.addf %x2, %ids : tensor<2xf32>
      replica.yield %y : tensor<2xf32>
    }
    %s = replica.all_reduce sum %pr : !replica.per_replica<2 x tensor<2xf32>>
    scf.yield %s : !replica.mirrored<2 x tensor<2xf32>>
  }
  replica.replicate<2> (%m = %mf) : (!replica.mirrored<2 x tensor<2xf32>>) -> () {
    %id = replica.replica_id : index
    %t21 = arith.constant 21 : i64
    %md = tensor.cast %m : tensor<2xf32> to tensor<?xf32>
    func.call @show_f32(%t21, %id, %md) : (i64, index, tensor<?xf32>) -> ()
    replica.yield
  }
  // CHECK-NEXT: 21 r0: 85 53
  // CHECK-NEXT: 21 r1: 85 53
  // CHECK-NOT: {{.}}
  return
}
