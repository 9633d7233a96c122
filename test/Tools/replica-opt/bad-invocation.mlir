// Bad command lines end with a message and exit code 1.

// RUN: not replica-opt %s --pass-pipeline='builtin.module(replica-decompose-structures{bogus=1})' 2>&1 | FileCheck %s --check-prefix=OPTION
// OPTION: no such option bogus
// OPTION: failed to add `replica-decompose-structures` with options `bogus=1`

// RUN: not replica-opt %s --replica-no-such-pass 2>&1 | FileCheck %s --check-prefix=PASS
// PASS: Unknown command line argument '--replica-no-such-pass'

// RUN: not replica-opt %t.does-not-exist.mlir 2>&1 | FileCheck %s --check-prefix=MISSING
// MISSING: cannot open input file

func.func @valid() {
  return
}
