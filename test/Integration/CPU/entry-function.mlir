// RUN: replica-run %s -e other | FileCheck %s --check-prefix=OTHER
// RUN: replica-run %s | FileCheck %s --check-prefix=MAIN
// RUN: not replica-run %s -e missing 2>&1 | FileCheck %s --check-prefix=MISSING

// -e picks the function to run; main is the default; a missing one is an
// error that names it.

// OTHER: 3{{$}}
// OTHER-NOT: {{.}}
// MAIN: 42{{$}}
// MAIN-NOT: {{.}}
// MISSING: no function @missing

func.func @main() {
  %c = arith.constant 42 : i64
  vector.print %c : i64
  return
}

func.func @other() {
  %s = replica.replicate<2> () : () -> !replica.per_replica<2 x i64> {
    %id = replica.replica_id : index
    %i = arith.index_cast %id : index to i64
    %one = arith.constant 1 : i64
    %v = arith.addi %i, %one : i64
    replica.yield %v : i64
  }
  // 1 + 2
  %m = replica.all_reduce sum %s : !replica.per_replica<2 x i64>
  %x = replica.select_replica %m[1] : !replica.mirrored<2 x i64> -> i64
  vector.print %x : i64
  return
}
