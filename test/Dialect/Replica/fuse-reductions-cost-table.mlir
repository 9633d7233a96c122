// RUN: replica-opt %s "-replica-fuse-reductions=cost-table=256:10,1024:20,4096:200 order=program report=%t.json" | FileCheck %s
// RUN: FileCheck %s --input-file=%t.json --check-prefix=REPORT
// RUN: not replica-opt %s "-replica-fuse-reductions=cost-table=1024:20,256:10" 2>&1 | FileCheck %s --check-prefix=ORDER
// RUN: not replica-opt %s "-replica-fuse-reductions=cost-table=1024:x" 2>&1 | FileCheck %s --check-prefix=VALUE

// bytes-per-pack=-1 (auto) with measured times: per byte, 256 B cost 10 us
// (0.039 us/B), 1 KiB 20 us (0.020), 4 KiB 200 us (0.049), so packs grow to
// 1 KiB: six 256-byte reductions make a pack of four and one of two. The
// report's modelled times interpolate the table (512 B: 10 + 10 * 256/768).

// CHECK-LABEL: func.func @six(
// CHECK:         replica.batch_all_reduce sum %{{.*}}, %{{.*}} : tensor<256xf32>, tensor<128xf32>
// CHECK-NOT:     replica.all_reduce

// REPORT:      "bytes": 1024,
// REPORT:      "modelled_us": 20,
// REPORT:      "bytes": 512,
// REPORT:      "modelled_us": 13.33

// ORDER: error: invalid cost-table entry '256:10': expected increasing bytes:microseconds pairs, both positive
// VALUE: error: invalid cost-table entry '1024:x': expected increasing bytes:microseconds pairs, both positive

module attributes {replica.num_replicas = 2 : i64} {
  func.func @six(%a: tensor<64xf32>, %b: tensor<64xf32>, %c: tensor<64xf32>,
                 %d: tensor<64xf32>, %e: tensor<64xf32>, %f: tensor<64xf32>)
      -> (tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) {
    %ra = replica.all_reduce sum %a : tensor<64xf32>
    %rb = replica.all_reduce sum %b : tensor<64xf32>
    %rc = replica.all_reduce sum %c : tensor<64xf32>
    %rd = replica.all_reduce sum %d : tensor<64xf32>
    %re = replica.all_reduce sum %e : tensor<64xf32>
    %rf = replica.all_reduce sum %f : tensor<64xf32>
    return %ra, %rb, %rc, %rd, %re, %rf : tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>
  }
}
