// RUN: replica-run %s | sort | FileCheck %s

// Eight replicas unrolled in one process: reductions over replica ids
// r = 0 .. 7, a 1-element all_gather in id order, and a broadcast from the
// last replica.

func.func @show_i64(%tag: i64, %r: index, %t: tensor<?xi64>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = tensor.dim %t, %c0 : tensor<?xi64>
  %ri = arith.index_cast %r : index to i64
  vector.print %tag : i64 punctuation <no_punctuation>
  vector.print str " r"
  vector.print %ri : i64 punctuation <no_punctuation>
  vector.print str ":"
  scf.for %i = %c0 to %n step %c1 {
    %e = tensor.extract %t[%i] : tensor<?xi64>
    vector.print str " "
    vector.print %e : i64 punctuation <no_punctuation>
  }
  vector.print punctuation <newline>
  return
}
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
  replica.replicate<8> () : () -> () {
    %id = replica.replica_id : index
    %r = arith.index_cast %id : index to i64
    %one = arith.constant 1 : i64
    %k = arith.addi %r, %one : i64
    %s = replica.all_reduce sum %r : i64
    %p = replica.all_reduce prod %k : i64
    %x = replica.all_reduce max %r : i64
    %n = replica.all_reduce min %k : i64
    %b = replica.broadcast %k from 7 : i64
    %t = tensor.from_elements %r : tensor<1xi64>
    %g = replica.all_gather %t dim 0 : tensor<1xi64> -> tensor<8xi64>
    %v = tensor.from_elements %s, %p, %x, %n, %b : tensor<5xi64>
    %all = tensor.concat dim(0) %v, %g : (tensor<5xi64>, tensor<8xi64>) -> tensor<13xi64>
    %alld = tensor.cast %all : tensor<13xi64> to tensor<?xi64>
    %t11 = arith.constant 11 : i64
    func.call @show_i64(%t11, %id, %alld) : (i64, index, tensor<?xi64>) -> ()
    %f = arith.sitofp %r : i64 to f32
    %m = replica.all_reduce mean %f : f32
    %mt = tensor.from_elements %m : tensor<1xf32>
    %mtd = tensor.cast %mt : tensor<1xf32> to tensor<?xf32>
    %t12 = arith.constant 12 : i64
    func.call @show_f32(%t12, %id, %mtd) : (i64, index, tensor<?xf32>) -> ()
    replica.yield
  }
  // sum 28, 8! = 40320, max 7, min 1, broadcast 8, gather 0 .. 7:
  // CHECK:      11 r0: 28 40320 7 1 8 0 1 2 3 4 5 6 7
  // CHECK-NEXT: 11 r1: 28 40320 7 1 8 0 1 2 3 4 5 6 7
  // CHECK-NEXT: 11 r2: 28 40320 7 1 8 0 1 2 3 4 5 6 7
  // CHECK-NEXT: 11 r3: 28 40320 7 1 8 0 1 2 3 4 5 6 7
  // CHECK-NEXT: 11 r4: 28 40320 7 1 8 0 1 2 3 4 5 6 7
  // CHECK-NEXT: 11 r5: 28 40320 7 1 8 0 1 2 3 4 5 6 7
  // CHECK-NEXT: 11 r6: 28 40320 7 1 8 0 1 2 3 4 5 6 7
  // CHECK-NEXT: 11 r7: 28 40320 7 1 8 0 1 2 3 4 5 6 7
  // mean 3.5:
  // CHECK-NEXT: 12 r0: 3.5
  // CHECK-NEXT: 12 r1: 3.5
  // CHECK-NEXT: 12 r2: 3.5
  // CHECK-NEXT: 12 r3: 3.5
  // CHECK-NEXT: 12 r4: 3.5
  // CHECK-NEXT: 12 r5: 3.5
  // CHECK-NEXT: 12 r6: 3.5
  // CHECK-NEXT: 12 r7: 3.5
  // CHECK-NOT: {{.}}
  return
}
