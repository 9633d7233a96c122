// REQUIRES: mpi
// replica-run --backend=mpi packs by a cost table measured on the transport,
// cached per host, backend and np in $REPLICA_CACHE_DIR; every case below
// has its own cache directory.
// RUN: rm -rf %t && mkdir %t

// First use: one note, a measurement, a cache file, the right output.
// RUN: env REPLICA_CACHE_DIR=%t/first replica-run %s --backend=mpi --np=2 > %t/out 2> %t/err
// RUN: FileCheck %s --check-prefix=OUT --input-file=%t/out
// RUN: FileCheck %s --check-prefix=FIRST --input-file=%t/err
// RUN: cat %t/first/calibration-*-mpi-np2.txt | FileCheck %s --check-prefix=FILE
// RUN: ls %t/first | FileCheck %s --check-prefix=LS
// FIRST: replica-run: measuring the mpi transport on 2 processes (cached in {{.*}}first{{/|\\}}calibration-{{.+}}-mpi-np2.txt)
// FIRST-NOT: {{.}}
// FILE:      {{^}}replica-calibration 1{{$}}
// FILE-NEXT: {{^}}host={{.+}}
// FILE-NEXT: {{^}}backend=mpi{{$}}
// FILE-NEXT: {{^}}np=2{{$}}
// FILE-NEXT: {{^}}transport={{.+}}; replica shared-memory all-reduce r{{[0-9]+}}; REPLICA_MPI_TRANSPORT={{.*}}
// FILE-NEXT: {{^}}cost-table=4096:{{[0-9.]+}},16384:{{[0-9.]+}},{{.*}},67108864:{{[0-9.]+}}{{$}}
// FILE-NOT:  {{.}}
// LS:      {{^}}calibration-{{.+}}-mpi-np2.txt{{$}}
// LS-NEXT: {{^}}calibration.lock{{$}}
// LS-NOT:  {{.}}
// OUT:      2
// OUT-NEXT: 4
// OUT-NEXT: 1
// OUT-NEXT: 2
// OUT-NEXT: 4
// OUT-NEXT: 1

// Reuse: silent, and the file is left as it was (no new measurement).
// RUN: cp %t/first/calibration-*-mpi-np2.txt %t/measured.txt
// RUN: env REPLICA_CACHE_DIR=%t/first replica-run %s --backend=mpi --np=2 > %t/out 2> %t/err
// RUN: FileCheck %s --check-prefix=OUT --input-file=%t/out
// RUN: count 0 < %t/err
// RUN: diff %t/measured.txt %t/first/calibration-*-mpi-np2.txt

// The cached table decides the packs: per byte, 128 bytes cost least in one
// table (the two 64-byte sums share a pack) and 64 bytes in the other (no
// pack). Each case starts from a copy of the measured cache.
// RUN: cp -r %t/first %t/pack
// RUN: cp -r %t/first %t/split
// RUN: sed -i 's/^cost-table=.*/cost-table=64:1000,128:1/' %t/pack/calibration-*-mpi-np2.txt
// RUN: sed -i 's/^cost-table=.*/cost-table=64:1,128:1000/' %t/split/calibration-*-mpi-np2.txt
// RUN: env REPLICA_CACHE_DIR=%t/pack replica-run %s --backend=mpi --np=2 --print-ir-after-all 2>&1 | FileCheck %s --check-prefix=PACK
// RUN: env REPLICA_CACHE_DIR=%t/split replica-run %s --backend=mpi --np=2 --print-ir-after-all 2>&1 | FileCheck %s --check-prefix=SPLIT
// PACK-NOT:  replica-run: measuring
// PACK:      IR Dump After ReplicaFuseReductionsPass
// PACK:      replica.all_reduce sum {{.*}} : tensor<32xf32>
// PACK:      IR Dump After
// SPLIT-NOT: replica-run: measuring
// SPLIT:     IR Dump After ReplicaToSPMDPass
// SPLIT-COUNT-3: replica.all_reduce {{.*}} : tensor<16xf32>
// SPLIT-NOT: 32xf32

// A corrupt or stale file is measured again, with one note saying why, and
// replaced by a valid one.
// RUN: cp -r %t/first %t/garbage
// RUN: cp -r %t/first %t/version
// RUN: cp -r %t/first %t/table
// RUN: cp -r %t/first %t/key
// RUN: cp -r %t/first %t/short
// RUN: cp -r %t/first %t/stale
// RUN: sed -i '1!d; s/.*/garbage/' %t/garbage/calibration-*-mpi-np2.txt
// RUN: cp -r %t/garbage %t/unused
// RUN: sed -i 's/^replica-calibration 1/replica-calibration 2/' %t/version/calibration-*-mpi-np2.txt
// RUN: sed -i 's/^cost-table=.*/cost-table=1024:20,256:10/' %t/table/calibration-*-mpi-np2.txt
// RUN: sed -i 's/^np=2/np=4/' %t/key/calibration-*-mpi-np2.txt
// RUN: sed -i '5,$d' %t/short/calibration-*-mpi-np2.txt
// RUN: sed -i 's/^transport=.*/transport=Another MPI 1.0/' %t/stale/calibration-*-mpi-np2.txt
// RUN: env REPLICA_CACHE_DIR=%t/garbage replica-run %s --backend=mpi --np=2 > %t/out 2> %t/err
// RUN: FileCheck %s --check-prefix=OUT --input-file=%t/out
// RUN: FileCheck %s --check-prefix=GARBAGE --input-file=%t/err
// RUN: cat %t/garbage/calibration-*-mpi-np2.txt | FileCheck %s --check-prefix=FILE
// GARBAGE: replica-run: calibration cache {{.*}}calibration-{{.+}}-mpi-np2.txt is corrupt (first line 'garbage', expected 'replica-calibration 1'); measuring again
// GARBAGE-NOT: {{.}}
// RUN: env REPLICA_CACHE_DIR=%t/version replica-run %s --backend=mpi --np=2 > %t/out 2> %t/err
// RUN: FileCheck %s --check-prefix=VERSION --input-file=%t/err
// RUN: cat %t/version/calibration-*-mpi-np2.txt | FileCheck %s --check-prefix=FILE
// VERSION: replica-run: calibration cache {{.*}} is corrupt (first line 'replica-calibration 2', expected 'replica-calibration 1'); measuring again
// VERSION-NOT: {{.}}
// RUN: env REPLICA_CACHE_DIR=%t/table replica-run %s --backend=mpi --np=2 > %t/out 2> %t/err
// RUN: FileCheck %s --check-prefix=TABLE --input-file=%t/err
// RUN: cat %t/table/calibration-*-mpi-np2.txt | FileCheck %s --check-prefix=FILE
// TABLE: replica-run: calibration cache {{.*}} is corrupt (invalid cost-table entry '256:10'); measuring again
// TABLE-NOT: {{.}}
// RUN: env REPLICA_CACHE_DIR=%t/key replica-run %s --backend=mpi --np=2 > %t/out 2> %t/err
// RUN: FileCheck %s --check-prefix=KEY --input-file=%t/err
// RUN: cat %t/key/calibration-*-mpi-np2.txt | FileCheck %s --check-prefix=FILE
// KEY: replica-run: calibration cache {{.*}} is corrupt (written for host={{.+}} backend=mpi np=4); measuring again
// KEY-NOT: {{.}}
// RUN: env REPLICA_CACHE_DIR=%t/short replica-run %s --backend=mpi --np=2 > %t/out 2> %t/err
// RUN: FileCheck %s --check-prefix=SHORT --input-file=%t/err
// RUN: cat %t/short/calibration-*-mpi-np2.txt | FileCheck %s --check-prefix=FILE
// SHORT: replica-run: calibration cache {{.*}} is corrupt (expected 5 fields after the first line); measuring again
// SHORT-NOT: {{.}}
// RUN: env REPLICA_CACHE_DIR=%t/stale replica-run %s --backend=mpi --np=2 > %t/out 2> %t/err
// RUN: FileCheck %s --check-prefix=STALE --input-file=%t/err
// RUN: cat %t/stale/calibration-*-mpi-np2.txt | FileCheck %s --check-prefix=FILE
// STALE: replica-run: calibration cache {{.*}} is stale (measured on 'Another MPI 1.0', now '{{.+}}'); measuring again
// STALE-NOT: {{.}}

// --recalibrate measures again over a valid cache, then runs with the new
// table; alone it measures and prints the report as --calibrate does, and
// --calibrate stores what it measures as well.
// RUN: env REPLICA_CACHE_DIR=%t/pack replica-run %s --backend=mpi --np=2 --recalibrate > %t/out 2> %t/err
// RUN: FileCheck %s --check-prefix=OUT --input-file=%t/out
// RUN: FileCheck %s --check-prefix=RECAL --input-file=%t/err
// RUN: cat %t/pack/calibration-*-mpi-np2.txt | FileCheck %s --check-prefix=FILE
// RUN: env REPLICA_CACHE_DIR=%t/split replica-run --recalibrate --backend=mpi --np=2 > %t/out 2> %t/err
// RUN: FileCheck %s --check-prefix=REPORT --input-file=%t/out
// RUN: FileCheck %s --check-prefix=RECAL --input-file=%t/err
// RUN: cat %t/split/calibration-*-mpi-np2.txt | FileCheck %s --check-prefix=FILE
// RUN: env REPLICA_CACHE_DIR=%t/calibrate replica-run --calibrate --backend=mpi --np=2 | FileCheck %s --check-prefix=REPORT
// RUN: cat %t/calibrate/calibration-*-mpi-np2.txt | FileCheck %s --check-prefix=FILE
// RECAL: replica-run: measuring the mpi transport on 2 processes (cached in {{.*}})
// RECAL-NOT: {{.}}
// REPORT: all-reduce of f32 on 2 processes over {{.+}}:
// REPORT: options: bytes-per-pack={{[0-9]+}} latency-us={{[0-9.]+}} bandwidth-gbps={{[0-9.]+}} cost-table=4096:{{.*}}

// Given --cost-table or --bytes-per-pack, or with fusion off, a run reads no
// cache (the corrupt one stays as it is) and writes none; nor does a run on
// one process, where the cost model packs everything anyway.
// RUN: cp %t/unused/calibration-*-mpi-np2.txt %t/garbage.txt
// RUN: env REPLICA_CACHE_DIR=%t/unused replica-run %s --backend=mpi --np=2 --cost-table=64:1,128:2 > %t/out 2> %t/err
// RUN: env REPLICA_CACHE_DIR=%t/unused replica-run %s --backend=mpi --np=2 --bytes-per-pack=-1 >> %t/out 2>> %t/err
// RUN: env REPLICA_CACHE_DIR=%t/unused replica-run %s --backend=mpi --np=2 --fuse=false >> %t/out 2>> %t/err
// RUN: echo 'func.func @main() { return }' > %t/empty.mlir
// RUN: env REPLICA_CACHE_DIR=%t/one replica-run %t/empty.mlir --backend=mpi --np=1 >> %t/out 2>> %t/err
// RUN: count 0 < %t/err
// RUN: count 18 < %t/out
// RUN: diff %t/garbage.txt %t/unused/calibration-*-mpi-np2.txt
// RUN: not ls %t/one

// A cache that cannot be written costs a warning, not the run.
// RUN: touch %t/file
// RUN: env REPLICA_CACHE_DIR=%t/file/cache replica-run %s --backend=mpi --np=2 > %t/out 2> %t/err
// RUN: FileCheck %s --check-prefix=OUT --input-file=%t/out
// RUN: FileCheck %s --check-prefix=UNWRITABLE --input-file=%t/err
// UNWRITABLE:      replica-run: measuring the mpi transport on 2 processes (cached in {{.*}})
// UNWRITABLE-NEXT: replica-run: warning: cannot write the calibration cache {{.*}}: Not a directory; the measurement serves this run only
// UNWRITABLE-NOT:  {{.}}

// Three 64-byte all-reduces, two of them sums (one key); 2 replicas.
func.func @main() {
  %c0 = arith.constant 0 : index
  %one = arith.constant dense<1.0> : tensor<16xf32>
  %two = arith.constant dense<2.0> : tensor<16xf32>
  replica.replicate<2> (%a = %one, %b = %two) : (tensor<16xf32>, tensor<16xf32>) -> () {
    %s0 = replica.all_reduce sum %a : tensor<16xf32>
    %s1 = replica.all_reduce sum %b : tensor<16xf32>
    %m = replica.all_reduce max %a : tensor<16xf32>
    %x = tensor.extract %s0[%c0] : tensor<16xf32>
    %y = tensor.extract %s1[%c0] : tensor<16xf32>
    %z = tensor.extract %m[%c0] : tensor<16xf32>
    vector.print %x : f32
    vector.print %y : f32
    vector.print %z : f32
    replica.yield
  }
  return
}
