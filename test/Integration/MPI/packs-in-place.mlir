// REQUIRES: mpi
// RUN: replica-run %s | sort | FileCheck %s
// RUN: replica-run %s --backend=mpi --np=2 | sort | FileCheck %s
// RUN: replica-run %s --fuse=false | sort | FileCheck %s
// RUN: replica-run %s --backend=mpi --np=2 --fuse=false | sort | FileCheck %s
// RUN: replica-run %s --bytes-per-pack=64 | sort | FileCheck %s
// RUN: replica-run %s --backend=mpi --np=2 --bytes-per-pack=64 | sort | FileCheck %s
// RUN: replica-run %s --backend=mpi --np=2 --cost-table=16:1,32:1.5,64:40 | sort | FileCheck %s
// RUN: %if cuda-gpus-2 %{ replica-run %s --backend=nccl --cost-table=16:1,32:1.5,64:40 | sort | FileCheck %s %}
// RUN: %if cuda-gpus-2 %{ replica-run %s --backend=nccl --np=2 --cost-table=16:1,32:1.5,64:40 | sort | FileCheck %s %}
//
// The gradients really are computed into the pack (otherwise the runs above
// test nothing new): the report counts the members written in place.
// RUN: replica-opt %s -replica-to-spmd "-replica-fuse-reductions=report=%t.json" -o /dev/null
// RUN: FileCheck %s --input-file=%t.json --check-prefix=REPORT
// REPORT: "copies_avoided": 3,

// A data-parallel step whose gradients are computed by destination-style
// ops (a matmul accumulating into a fill, an elementwise product, a
// reduction into a fill), so fusion computes them straight into the pack
// buffer; one gradient comes from a function argument and is copied in.
// Replica r holds x = X + r; the mean over 2 replicas is X + 0.5.

func.func @show(%tag: i64, %r: index, %t: tensor<?xf32>) {
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
  %x = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %bias = arith.constant dense<[0.5, -1.5]> : tensor<2xf32>
  replica.replicate<2> (%x0 = %x, %b0 = %bias) : (tensor<2x2xf32>, tensor<2xf32>) -> () {
    %id = replica.replica_id : index
    %idi = arith.index_cast %id : index to i64
    %idf = arith.sitofp %idi : i64 to f32
    %zero = arith.constant 0.0 : f32
    %e22 = tensor.empty() : tensor<2x2xf32>
    %shift = linalg.fill ins(%idf : f32) outs(%e22 : tensor<2x2xf32>) -> tensor<2x2xf32>
    %xr = linalg.add ins(%x0, %shift : tensor<2x2xf32>, tensor<2x2xf32>) outs(%e22 : tensor<2x2xf32>) -> tensor<2x2xf32>
    // dW = xr * xr (matrix product), accumulated into zeros.
    %dw0 = tensor.empty() : tensor<2x2xf32>
    %dwz = linalg.fill ins(%zero : f32) outs(%dw0 : tensor<2x2xf32>) -> tensor<2x2xf32>
    %dw = linalg.matmul ins(%xr, %xr : tensor<2x2xf32>, tensor<2x2xf32>) outs(%dwz : tensor<2x2xf32>) -> tensor<2x2xf32>
    // dS = xr .* xr.
    %ds0 = tensor.empty() : tensor<2x2xf32>
    %ds = linalg.mul ins(%xr, %xr : tensor<2x2xf32>, tensor<2x2xf32>) outs(%ds0 : tensor<2x2xf32>) -> tensor<2x2xf32>
    // dC = column sums of xr.
    %dc0 = tensor.empty() : tensor<2xf32>
    %dcz = linalg.fill ins(%zero : f32) outs(%dc0 : tensor<2xf32>) -> tensor<2xf32>
    %dc = linalg.reduce ins(%xr : tensor<2x2xf32>) outs(%dcz : tensor<2xf32>) dimensions = [0]
      (%in: f32, %acc: f32) {
        %s = arith.addf %in, %acc : f32
        linalg.yield %s : f32
      }
    %gw = replica.all_reduce mean %dw : tensor<2x2xf32>
    %gs = replica.all_reduce mean %ds : tensor<2x2xf32>
    %gc = replica.all_reduce mean %dc : tensor<2xf32>
    %gb = replica.all_reduce sum %b0 : tensor<2xf32>
    %fw = tensor.collapse_shape %gw [[0, 1]] : tensor<2x2xf32> into tensor<4xf32>
    %fs = tensor.collapse_shape %gs [[0, 1]] : tensor<2x2xf32> into tensor<4xf32>
    %uw = tensor.cast %fw : tensor<4xf32> to tensor<?xf32>
    %us = tensor.cast %fs : tensor<4xf32> to tensor<?xf32>
    %uc = tensor.cast %gc : tensor<2xf32> to tensor<?xf32>
    %ub = tensor.cast %gb : tensor<2xf32> to tensor<?xf32>
    %t1 = arith.constant 1 : i64
    %t2 = arith.constant 2 : i64
    %t3 = arith.constant 3 : i64
    %t4 = arith.constant 4 : i64
    func.call @show(%t1, %id, %uw) : (i64, index, tensor<?xf32>) -> ()
    func.call @show(%t2, %id, %us) : (i64, index, tensor<?xf32>) -> ()
    func.call @show(%t3, %id, %uc) : (i64, index, tensor<?xf32>) -> ()
    func.call @show(%t4, %id, %ub) : (i64, index, tensor<?xf32>) -> ()
    replica.yield
  }
  // r0: xr = [[1,2],[3,4]], xr^2 = [[7,10],[15,22]]; r1: xr = [[2,3],[4,5]],
  // xr^2 = [[16,21],[28,37]]. Means: [11.5, 15.5, 21.5, 29.5].
  // CHECK:      1 r0: 11.5 15.5 21.5 29.5
  // CHECK-NEXT: 1 r1: 11.5 15.5 21.5 29.5
  // .*: r0 [1,4,9,16], r1 [4,9,16,25]; means [2.5, 6.5, 12.5, 20.5].
  // CHECK-NEXT: 2 r0: 2.5 6.5 12.5 20.5
  // CHECK-NEXT: 2 r1: 2.5 6.5 12.5 20.5
  // Column sums: r0 [4, 6], r1 [6, 8]; means [5, 7].
  // CHECK-NEXT: 3 r0: 5 7
  // CHECK-NEXT: 3 r1: 5 7
  // CHECK-NEXT: 4 r0: 1 -3
  // CHECK-NEXT: 4 r1: 1 -3
  // CHECK-NOT: {{.}}
  return
}
