// REQUIRES: mpi
// RUN: replica-run %s --backend=mpi --np=4 > %t.out
// RUN: %python -c "print('\n'.join('%%d %%d' %% (r, i) for r in range(4) for i in range(2000)))" > %t.expected
// RUN: diff %t.expected %t.out

// Under mpi every rank's output reaches replica-run's stdout whole and in
// rank order: 4 ranks print 2000 lines each at once (mpirun's forwarding
// used to split and interleave lines of different ranks).

func.func @main() {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = arith.constant 2000 : index
  replica.replicate<4> () : () -> () {
    %id = replica.replica_id : index
    %r = arith.index_cast %id : index to i64
    scf.for %i = %c0 to %n step %c1 {
      %ii = arith.index_cast %i : index to i64
      vector.print %r : i64 punctuation <no_punctuation>
      vector.print str " "
      vector.print %ii : i64
    }
    replica.yield
  }
  return
}
