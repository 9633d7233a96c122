// RUN: not replica-run %s 2>&1 | FileCheck %s

// A buffer that cannot be allocated (2^62 bytes, beyond any address space)
// ends the run with a message naming the size, not a crash on the null
// pointer the generated code would otherwise store through.

// CHECK: replica-run: cannot allocate {{[0-9]+}} bytes (Cannot allocate memory)

func.func private @printMemrefF32(memref<*xf32>)

func.func @main() {
  %c0 = arith.constant 0 : index
  %n = arith.constant 1152921504606846976 : index
  %one = arith.constant 1.0 : f32
  %m = memref.alloc(%n) : memref<?xf32>
  memref.store %one, %m[%c0] : memref<?xf32>
  %s = memref.subview %m[0] [1] [1] : memref<?xf32> to memref<1xf32, strided<[1]>>
  %u = memref.cast %s : memref<1xf32, strided<[1]>> to memref<*xf32>
  call @printMemrefF32(%u) : (memref<*xf32>) -> ()
  return
}
