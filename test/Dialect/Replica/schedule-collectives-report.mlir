// RUN: replica-opt %s -replica-fuse-reductions="max-ops-per-pack=1 report=%t.json" \
// RUN:   -replica-schedule-collectives="report=%t.json latency-us=10 bandwidth-gbps=1 compute-gflops=1" -o /dev/null
// RUN: FileCheck %s --input-file=%t.json
// RUN: %python %S/../../../bench/pack_picture.py %t.json --timeline -o - | FileCheck %s --check-prefix=SVG
// RUN: replica-opt %s -replica-schedule-collectives="report=%t.alone.json" -o /dev/null
// RUN: FileCheck %s --input-file=%t.alone.json --check-prefix=ALONE
// RUN: not replica-opt %s -replica-schedule-collectives="cost-table=8:1,4:2" 2>&1 | FileCheck %s --check-prefix=TABLE
// RUN: not replica-opt %s -replica-schedule-collectives="compute-gflops=0" 2>&1 | FileCheck %s --check-prefix=RATE

// The fusion report gains the schedule's modelled timeline of the block:
// compute from the IR at 1 GFLOP/s (a 32x32x32 matmul is 32768 iterations
// of 2 body ops: 65.536 us; a 32x32 fill or elementwise op 1.024 us), each
// 4 KiB all-reduce 10 us + 4096 B / 1 GB/s (2 replicas: 2(n-1)/n = 1) =
// 14.096 us. The first gradient's all-reduce runs while the second matmul
// computes: nothing exposed; the second one only overlaps the first update,
// and 13.072 us of it are exposed (all of it, blocking).

// CHECK:        "pass": "replica-fuse-reductions"
// CHECK:        "timeline": [
// CHECK:            "collectives": [
// CHECK-NEXT:         {
// CHECK-NEXT:           "async": true,
// CHECK-NEXT:           "bytes": 4096,
// CHECK-NEXT:           "comm_us": 14.096,
// CHECK-NEXT:           "end_us": 80.656
// CHECK-NEXT:           "exposed_blocking_us": 14.096,
// CHECK-NEXT:           "exposed_us": 0,
// CHECK-NEXT:           "kind": "sum",
// CHECK-NEXT:           "loc":
// CHECK-NEXT:           "start_us": 66.56
// CHECK-NEXT:         },
// CHECK-NEXT:         {
// CHECK-NEXT:           "async": true,
// CHECK-NEXT:           "bytes": 4096,
// CHECK-NEXT:           "comm_us": 14.096,
// CHECK-NEXT:           "end_us": 146.192
// CHECK-NEXT:           "exposed_blocking_us": 14.096,
// CHECK-NEXT:           "exposed_us": 13.072
// CHECK:            "comm_us": 28.192
// CHECK-NEXT:       "compute_us": 134.144
// CHECK-NEXT:       "exposed_blocking_us": 28.192
// CHECK-NEXT:       "exposed_us": 13.072
// CHECK-NEXT:       "function": "step",
// CHECK:            "step_blocking_us": 162.336
// CHECK-NEXT:       "step_us": 147.216

// bench/pack_picture.py draws it: each all-reduce on the communication lane,
// the exposed part on the computation's.
// SVG: <svg
// SVG: compute 134.1 µs, all-reduces 28.2 µs; exposed 13.1 µs scheduled (step 147.2 µs), 28.2 µs blocking (step 162.3 µs)
// SVG: fill="#4f81bd" {{.*}}<title>sum all-reduce of 4096 bytes at {{.*}}: 66.560 to 80.656 us, exposed 0.000 us</title>
// SVG: fill="#4f81bd" {{.*}}<title>sum all-reduce of 4096 bytes at {{.*}}: 132.096 to 146.192 us, exposed 13.072 us</title>
// SVG-NEXT: fill="#c0392b"><title>sum all-reduce of 4096 bytes
// SVG: </svg>

// Alone (no fusion report in the file), the pass writes its own.
// ALONE:      "pass": "replica-schedule-collectives",
// ALONE-NEXT: "timeline": [

// TABLE: error: invalid cost-table entry '4:2': expected increasing bytes:microseconds pairs, both positive
// RATE: error: compute-gflops must be positive, got 0

module attributes {replica.num_replicas = 2 : i64} {
func.func @step(%w: tensor<32x32xf32>, %x: tensor<32x32xf32>) -> (tensor<32x32xf32>, tensor<32x32xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<32x32xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<32x32xf32>) -> tensor<32x32xf32>
  %g1 = linalg.matmul ins(%w, %x : tensor<32x32xf32>, tensor<32x32xf32>) outs(%z : tensor<32x32xf32>) -> tensor<32x32xf32>
  %g2 = linalg.matmul ins(%g1, %x : tensor<32x32xf32>, tensor<32x32xf32>) outs(%z : tensor<32x32xf32>) -> tensor<32x32xf32>
  %r1 = replica.all_reduce sum %g1 : tensor<32x32xf32>
  %r2 = replica.all_reduce sum %g2 : tensor<32x32xf32>
  %u1 = arith.subf %w, %r1 : tensor<32x32xf32>
  %u2 = arith.subf %w, %r2 : tensor<32x32xf32>
  return %u1, %u2 : tensor<32x32xf32>, tensor<32x32xf32>
}
}
