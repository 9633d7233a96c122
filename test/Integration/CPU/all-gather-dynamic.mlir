// RUN: replica-run %s | sort | FileCheck %s

// all_gather of tensors whose gathered dimension is dynamic and differs per
// replica (TF's IndexedSlices: each replica contributes a different number of
// rows). Cross-replica: a regroup of 1 and 2 rows; in-replica: replica r
// contributes r + 1 elements.
//
// cpu only: the MPI backend gathers equal blocks (MPI_Allgather) and stops
// with a message on blocks of different sizes (test/Integration/MPI/
// all-gather-unequal.mlir).

func.func @show_i32(%tag: i64, %r: index, %t: tensor<?xi32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = tensor.dim %t, %c0 : tensor<?xi32>
  %ri = arith.index_cast %r : index to i64
  vector.print %tag : i64 punctuation <no_punctuation>
  vector.print str " r"
  vector.print %ri : i64 punctuation <no_punctuation>
  vector.print str ":"
  scf.for %i = %c0 to %n step %c1 {
    %e = tensor.extract %t[%i] : tensor<?xi32>
    vector.print str " "
    vector.print %e : i32 punctuation <no_punctuation>
  }
  vector.print punctuation <newline>
  return
}

func.func @main() {
  %a = arith.constant dense<[[1, 2]]> : tensor<1x2xi32>
  %b = arith.constant dense<[[3, 4], [5, 6]]> : tensor<2x2xi32>
  %ad = tensor.cast %a : tensor<1x2xi32> to tensor<?x2xi32>
  %bd = tensor.cast %b : tensor<2x2xi32> to tensor<?x2xi32>
  %d = replica.regroup %ad, %bd : tensor<?x2xi32> -> !replica.per_replica<2 x tensor<?x2xi32>>
  %g = replica.all_gather %d dim 0 : !replica.per_replica<2 x tensor<?x2xi32>> -> !replica.mirrored<2 x tensor<?x2xi32>>
  %src = arith.constant dense<[10, 20, 30]> : tensor<3xi32>
  replica.replicate<2> (%x = %g, %s = %src) : (!replica.mirrored<2 x tensor<?x2xi32>>, tensor<3xi32>) -> () {
    %id = replica.replica_id : index
    %xc = tensor.collapse_shape %x [[0, 1]] : tensor<?x2xi32> into tensor<?xi32>
    %t11 = arith.constant 11 : i64
    func.call @show_i32(%t11, %id, %xc) : (i64, index, tensor<?xi32>) -> ()
    %c1 = arith.constant 1 : index
    %n = arith.addi %id, %c1 : index
    %y = tensor.extract_slice %s[0] [%n] [1] : tensor<3xi32> to tensor<?xi32>
    %yg = replica.all_gather %y dim 0 : tensor<?xi32> -> tensor<?xi32>
    %t12 = arith.constant 12 : i64
    func.call @show_i32(%t12, %id, %yg) : (i64, index, tensor<?xi32>) -> ()
    replica.yield
  }
  // CHECK:      11 r0: 1 2 3 4 5 6
  // CHECK-NEXT: 11 r1: 1 2 3 4 5 6
  // [10] and [10, 20]:
  // CHECK-NEXT: 12 r0: 10 10 20
  // CHECK-NEXT: 12 r1: 10 10 20
  // CHECK-NOT: {{.}}
  return
}
