// REQUIRES: mpi
// RUN: not replica-run %s --backend=mpi --np=2 --timeout=60 > %t.out 2> %t.err
// RUN: FileCheck %s --input-file=%t.err
// RUN: FileCheck %s --input-file=%t.out --check-prefix=OUT

// Replica 1 kills itself (SIGKILL) after the first all-reduce; replica 0
// waits in the second. mpirun ends it, and replica-run says which signal
// ended the job and exits non-zero, well within --timeout.

// OUT: 0: 3
// OUT: 1: 3
// CHECK: replica-run: a rank was killed by signal 9 (Killed); mpirun ended the others

func.func private @raise(i32) -> i32

func.func @main() {
  %c9 = arith.constant 9 : i32
  %one = arith.constant 1.0 : f32
  %three = arith.constant 3.0 : f32
  replica.replicate<2> () : () -> () {
    %id = replica.replica_id : index
    %id64 = arith.index_cast %id : index to i64
    %idf = arith.sitofp %id64 : i64 to f32
    %x = arith.addf %idf, %one : f32
    %s = replica.all_reduce sum %x : f32
    vector.print %id64 : i64 punctuation <no_punctuation>
    vector.print str ": "
    vector.print %s : f32
    %c1 = arith.constant 1 : index
    %is1 = arith.cmpi eq, %id, %c1 : index
    scf.if %is1 {
      %r = func.call @raise(%c9) : (i32) -> i32
    }
    %t = replica.all_reduce sum %s : f32
    vector.print %t : f32
    replica.yield
  }
  return
}
