// RUN: replica-opt %s -replica-lower-to-cpu="report=%t.cpu.json" -o /dev/null
// RUN: FileCheck %s --input-file=%t.cpu.json --check-prefix=CPU
// RUN: replica-opt %s -replica-lower-to-mpi="report=%t.mpi.json" -o /dev/null
// RUN: FileCheck %s --input-file=%t.mpi.json --check-prefix=MPI
// RUN: replica-opt %s -replica-lower-to-mpi="latency-us=20 bandwidth-gbps=370 report=%t.nvlink.json" -o /dev/null
// RUN: FileCheck %s --input-file=%t.nvlink.json --check-prefix=NVLINK

// `auto` packing on each pipeline uses its backend's model, not the GPU
// constants: four 300 KB gradients are left unfused on cpu (packs of about
// 200 KB), packed three and one on mpi (about 1 MB), and all four in one
// pack with the NVLink-class model given explicitly.
// CPU:    "fused": 0
// MPI:    "fused": 3
// NVLINK: "fused": 4
func.func @step(%a: !replica.per_replica<2 x tensor<75000xf32>>, %b: !replica.per_replica<2 x tensor<75000xf32>>,
                %c: !replica.per_replica<2 x tensor<75000xf32>>, %d: !replica.per_replica<2 x tensor<75000xf32>>)
    -> (!replica.mirrored<2 x tensor<75000xf32>>, !replica.mirrored<2 x tensor<75000xf32>>,
        !replica.mirrored<2 x tensor<75000xf32>>, !replica.mirrored<2 x tensor<75000xf32>>) {
  %ra = replica.all_reduce sum %a : !replica.per_replica<2 x tensor<75000xf32>>
  %rb = replica.all_reduce sum %b : !replica.per_replica<2 x tensor<75000xf32>>
  %rc = replica.all_reduce sum %c : !replica.per_replica<2 x tensor<75000xf32>>
  %rd = replica.all_reduce sum %d : !replica.per_replica<2 x tensor<75000xf32>>
  return %ra, %rb, %rc, %rd : !replica.mirrored<2 x tensor<75000xf32>>, !replica.mirrored<2 x tensor<75000xf32>>,
                              !replica.mirrored<2 x tensor<75000xf32>>, !replica.mirrored<2 x tensor<75000xf32>>
}
