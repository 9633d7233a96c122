// Raw transport benchmark: the MPI backend's all-reduce, f32 sum, from
// 4 KiB to 256 MiB per rank, four ways in one run (sizes and ways
// interleaved, so drift affects all alike):
//
//   shm-shared  replica's runtime, the input in its shared window and the
//               result one copy all ranks read (replica-place-mpi-buffers'
//               shared results): reduced where it lies, nothing copied
//   shm-window  the same, in place in the window (a result the program
//               writes afterwards): reduced, then the slices copied
//   shm-heap    replica's runtime, in place on the heap: staged through
//               shared memory
//   mpi         MPI_Allreduce(MPI_IN_PLACE) of the same library
//
// Each repetition writes the buffer first (as a step's producers do), so the
// data is not left in cache by the previous one; the time is the all-reduce
// alone, max over ranks, median of the repetitions. Prints, on rank 0, one
// line per size and way:
//
//   transport WAY bytes B us T gbps G      (G = B / T, bytes per second / 1e9)
//
// Build and run (bench/fusion.py does this):
//   mpicxx -O2 -std=c++17 bench/transport.cpp -o transport \
//     -Lbuild/lib -lreplica_mpi_runtime -Wl,-rpath,build/lib
//   mpirun -np 2 ./transport

#include <mpi.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <vector>

extern "C" {
struct ByteMemRef {
  char *allocated;
  char *aligned;
  int64_t offset;
  int64_t size;
  int64_t stride;
};
int32_t replica_mpi_init(int64_t expectedNumReplicas);
void replica_mpi_finalize(void);
void _mlir_ciface_replica_mpi_window(ByteMemRef *result, int64_t bytes,
                                     int64_t sharedBytes);
void _mlir_ciface_replica_mpi_shared_window(ByteMemRef *result, int64_t bytes,
                                            int64_t sharedBytes);
void replica_mpi_all_reduce_f32(void *inAllocated, void *inAligned,
                                int64_t inOffset, int64_t inSize,
                                int64_t inStride, void *outAllocated,
                                void *outAligned, int64_t outOffset,
                                int64_t outSize, int64_t outStride,
                                int32_t kind);
}

namespace {
constexpr int64_t kSmallest = 4 << 10, kLargest = 256 << 20;
constexpr int kSum = 0;

enum class Way { Shared, Window, Heap, MPI };
constexpr Way kWays[] = {Way::Shared, Way::Window, Way::Heap, Way::MPI};
const char *getName(Way way) {
  switch (way) {
  case Way::Shared:
    return "shm-shared";
  case Way::Window:
    return "shm-window";
  case Way::Heap:
    return "shm-heap";
  case Way::MPI:
    return "mpi";
  }
  return "";
}

double timeOnce(Way way, float *data, float *result, int64_t count,
                int rank) {
  for (int64_t i = 0; i < count; ++i)
    data[i] = static_cast<float>((i + rank) & 7);
  MPI_Barrier(MPI_COMM_WORLD);
  double start = MPI_Wtime();
  if (way == Way::MPI)
    MPI_Allreduce(MPI_IN_PLACE, data, static_cast<int>(count), MPI_FLOAT,
                  MPI_SUM, MPI_COMM_WORLD);
  else
    replica_mpi_all_reduce_f32(data, data, 0, count, 1, result, result, 0,
                               count, 1, kSum);
  double elapsed = MPI_Wtime() - start;
  MPI_Allreduce(MPI_IN_PLACE, &elapsed, 1, MPI_DOUBLE, MPI_MAX,
                MPI_COMM_WORLD);
  // Element 1 is (1 + r) & 7 on rank r: its sum checks the result.
  if (count > 1) {
    int size = 0;
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    float expected = 0;
    for (int r = 0; r < size; ++r)
      expected += static_cast<float>((1 + r) & 7);
    if (result[1] != expected) {
      std::fprintf(stderr, "transport: %s gave %g, expected %g\n",
                   getName(way), result[1], expected);
      MPI_Abort(MPI_COMM_WORLD, 1);
    }
  }
  return elapsed;
}
} // namespace

int main() {
  if (replica_mpi_init(0) != 0)
    return 1;
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  // This rank's buffers, then the shared results.
  ByteMemRef window, shared;
  _mlir_ciface_replica_mpi_window(&window, kLargest, kLargest);
  _mlir_ciface_replica_mpi_shared_window(&shared, kLargest, kLargest);
  auto *own = reinterpret_cast<float *>(window.aligned);
  auto *sharedResult = reinterpret_cast<float *>(shared.aligned + kLargest);
  std::vector<float> heap(kLargest / sizeof(float));
  for (int64_t bytes = kSmallest; bytes <= kLargest; bytes *= 4) {
    int64_t count = bytes / static_cast<int64_t>(sizeof(float));
    // About 0.3 s per way, between 5 and 200 repetitions.
    int repeats = static_cast<int>(
        std::clamp<int64_t>((int64_t(1) << 30) / bytes, 5, 200));
    std::vector<double> times[std::size(kWays)];
    for (int i = 0; i < repeats; ++i)
      for (Way way : kWays) {
        float *data = way == Way::Heap || way == Way::MPI ? heap.data() : own;
        float *result = way == Way::Shared ? sharedResult : data;
        times[static_cast<int>(way)].push_back(
            timeOnce(way, data, result, count, rank));
      }
    for (Way way : kWays) {
      std::vector<double> &t = times[static_cast<int>(way)];
      std::sort(t.begin(), t.end());
      double median = t[t.size() / 2];
      if (rank == 0)
        std::printf("transport %s bytes %lld us %.1f gbps %.2f\n",
                    getName(way), static_cast<long long>(bytes), median * 1e6,
                    bytes / median * 1e-9);
    }
  }
  replica_mpi_finalize();
  return 0;
}
