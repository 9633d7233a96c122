// REQUIRES: cuda-gpu
// RUN: replica-run %s | FileCheck %s
// RUN: replica-run %s --backend=nccl | FileCheck %s
// RUN: replica-run %s --backend=nccl --fuse=false | FileCheck %s
//
// Linear regression trained for 4 SGD steps by one replica on one GPU: every
// step's compute (transpose, matmul, elementwise, a reduction) runs as
// kernels inside the loop, the gradients go through the (N = 1) mean, and
// the weights stay in managed memory across iterations; the cpu backend
// gives the reference values.

func.func @main() {
  %x = arith.constant dense<[[1.0, 2.0], [3.0, -1.0], [0.5, 0.5], [2.0, 1.0]]> : tensor<4x2xf32>
  %y = arith.constant dense<[[5.0], [1.0], [1.5], [4.0]]> : tensor<4x1xf32>
  %w0 = arith.constant dense<[[0.0], [0.0]]> : tensor<2x1xf32>
  %b0 = arith.constant dense<0.0> : tensor<1xf32>
  %out:2 = replica.replicate<1> (%xr = %x, %yr = %y, %wi = %w0, %bi = %b0)
      : (tensor<4x2xf32>, tensor<4x1xf32>, tensor<2x1xf32>, tensor<1xf32>)
      -> (!replica.per_replica<1 x tensor<2x1xf32>>, !replica.per_replica<1 x tensor<1xf32>>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c4 = arith.constant 4 : index
    %zero = arith.constant 0.0 : f32
    %lr = arith.constant 0.05 : f32
    %r:2 = scf.for %i = %c0 to %c4 step %c1 iter_args(%w = %wi, %b = %bi)
        -> (tensor<2x1xf32>, tensor<1xf32>) {
      // Prediction and error: e = x w + b - y.
      %p0 = tensor.empty() : tensor<4x1xf32>
      %pz = linalg.fill ins(%zero : f32) outs(%p0 : tensor<4x1xf32>) -> tensor<4x1xf32>
      %p = linalg.matmul ins(%xr, %w : tensor<4x2xf32>, tensor<2x1xf32>) outs(%pz : tensor<4x1xf32>) -> tensor<4x1xf32>
      %bb = linalg.broadcast ins(%b : tensor<1xf32>) outs(%p0 : tensor<4x1xf32>) dimensions = [0]
      %pb = linalg.add ins(%p, %bb : tensor<4x1xf32>, tensor<4x1xf32>) outs(%p0 : tensor<4x1xf32>) -> tensor<4x1xf32>
      %e = linalg.sub ins(%pb, %yr : tensor<4x1xf32>, tensor<4x1xf32>) outs(%p0 : tensor<4x1xf32>) -> tensor<4x1xf32>
      // Gradients: dw = x^T e, db = sum(e).
      %xt0 = tensor.empty() : tensor<2x4xf32>
      %xt = linalg.transpose ins(%xr : tensor<4x2xf32>) outs(%xt0 : tensor<2x4xf32>) permutation = [1, 0]
      %g0 = tensor.empty() : tensor<2x1xf32>
      %gz = linalg.fill ins(%zero : f32) outs(%g0 : tensor<2x1xf32>) -> tensor<2x1xf32>
      %dw = linalg.matmul ins(%xt, %e : tensor<2x4xf32>, tensor<4x1xf32>) outs(%gz : tensor<2x1xf32>) -> tensor<2x1xf32>
      %s0 = tensor.empty() : tensor<1xf32>
      %sz = linalg.fill ins(%zero : f32) outs(%s0 : tensor<1xf32>) -> tensor<1xf32>
      %db = linalg.reduce ins(%e : tensor<4x1xf32>) outs(%sz : tensor<1xf32>) dimensions = [0]
        (%in: f32, %acc: f32) {
          %sum = arith.addf %in, %acc : f32
          linalg.yield %sum : f32
        }
      %gw = replica.all_reduce mean %dw : tensor<2x1xf32>
      %gb = replica.all_reduce mean %db : tensor<1xf32>
      // SGD.
      %lw = linalg.fill ins(%lr : f32) outs(%g0 : tensor<2x1xf32>) -> tensor<2x1xf32>
      %sw = linalg.mul ins(%gw, %lw : tensor<2x1xf32>, tensor<2x1xf32>) outs(%g0 : tensor<2x1xf32>) -> tensor<2x1xf32>
      %nw = linalg.sub ins(%w, %sw : tensor<2x1xf32>, tensor<2x1xf32>) outs(%g0 : tensor<2x1xf32>) -> tensor<2x1xf32>
      %lb = linalg.fill ins(%lr : f32) outs(%s0 : tensor<1xf32>) -> tensor<1xf32>
      %sb = linalg.mul ins(%gb, %lb : tensor<1xf32>, tensor<1xf32>) outs(%s0 : tensor<1xf32>) -> tensor<1xf32>
      %nb = linalg.sub ins(%b, %sb : tensor<1xf32>, tensor<1xf32>) outs(%s0 : tensor<1xf32>) -> tensor<1xf32>
      scf.yield %nw, %nb : tensor<2x1xf32>, tensor<1xf32>
    }
    %w00 = tensor.extract %r#0[%c0, %c0] : tensor<2x1xf32>
    %w10 = tensor.extract %r#0[%c1, %c0] : tensor<2x1xf32>
    %b00 = tensor.extract %r#1[%c0] : tensor<1xf32>
    vector.print %w00 : f32
    vector.print %w10 : f32
    vector.print %b00 : f32
    replica.yield %r#0, %r#1 : tensor<2x1xf32>, tensor<1xf32>
  }
  return
}
// CHECK:      0.756509
// CHECK-NEXT: 1.41647
// CHECK-NEXT: 0.727328
// CHECK-NOT:  {{.}}
