//===- MPIRuntime.cpp - MPI runtime for replica programs --------*- C++ -*-===//
//
// The C entry points that programs lowered by `convert-replica-to-mpi` call:
// start-up and shutdown, and the collectives on MLIR memrefs. Each memref is
// passed as a 1-D memref, the five fields of its descriptor (MemRefBuffer.h).
// The file follows mlir/lib/ExecutionEngine/CudaRuntimeWrappers.cpp and has no
// MLIR dependency.
//
//===----------------------------------------------------------------------===//

#include "Float16.h"
#include "MPIErrors.h"
#include "MemRefBuffer.h"
#include "SharedMemory.h"

#include <mpi.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <limits>
#include <list>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#define REPLICA_MPI_EXPORT __attribute__((visibility("default")))

using namespace replica::runtime;

int replica::runtime::worldRank = -1;

/// Ends all ranks. MPI_Abort is not checked: this is the error path itself,
/// and the exit covers an MPI_Abort that returns.
[[noreturn]] static void abortAll() {
  MPI_Abort(MPI_COMM_WORLD, 1);
  std::_Exit(1);
}

void replica::runtime::reportIfError(int result, const char *expr) {
  if (result == MPI_SUCCESS)
    return;
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  if (MPI_Error_string(result, text, &length) != MPI_SUCCESS)
    std::snprintf(text, sizeof(text), "MPI error code %d", result);
  // The stringized call starts with the function name (after any
  // namespace qualifier).
  const char *call = std::strrchr(expr, ':');
  call = call && call < std::strchr(expr, '(') ? call + 1 : expr;
  std::fprintf(stderr, "replica-run: %.*s failed on rank %d: %s\n",
               static_cast<int>(std::strcspn(call, "(")), call, worldRank,
               text);
  abortAll();
}

/// The message goes out in one write so lines from several ranks don't mix.
void replica::runtime::fail(const char *function, const char *format, ...) {
  char message[512];
  int length =
      std::snprintf(message, sizeof(message), "replica-run: %s: ", function);
  va_list args;
  va_start(args, format);
  std::vsnprintf(message + length, sizeof(message) - length, format, args);
  va_end(args);
  std::fprintf(stderr, "%s\n", message);
  abortAll();
}

/// Writes `text` and a newline to the file at `path`, or ends all ranks
/// with a message naming `function`, the file and the error.
static void writeLine(const char *function, const char *path,
                      const std::string &text) {
  FILE *file = std::fopen(path, "w");
  if (!file || std::fprintf(file, "%s\n", text.c_str()) < 0 ||
      std::fclose(file) != 0)
    fail(function, "cannot write %s: %s", path, std::strerror(errno));
}

static int getWorldSize() {
  int size = 0;
  MPI_REPORT_IF_ERROR(MPI_Comm_size(MPI_COMM_WORLD, &size));
  return size;
}

static int getWorldRank() {
  int rank = 0;
  MPI_REPORT_IF_ERROR(MPI_Comm_rank(MPI_COMM_WORLD, &rank));
  return rank;
}

//===----------------------------------------------------------------------===//
// Element types
//===----------------------------------------------------------------------===//

namespace {
/// An element type reduced natively by MPI.
template <typename T, bool IsInteger> struct NativeElement {
  using Storage = T;
  static constexpr bool isInteger = IsInteger;
  static constexpr bool isWidened = false;
};

struct F32 : NativeElement<float, false> {
  static constexpr shm::ElementType kShmType = shm::ElementType::F32;
  static MPI_Datatype getType() { return MPI_FLOAT; }
};
struct F64 : NativeElement<double, false> {
  static constexpr shm::ElementType kShmType = shm::ElementType::F64;
  static MPI_Datatype getType() { return MPI_DOUBLE; }
};
struct I32 : NativeElement<int32_t, true> {
  static constexpr shm::ElementType kShmType = shm::ElementType::I32;
  static MPI_Datatype getType() { return MPI_INT32_T; }
};
struct I64 : NativeElement<int64_t, true> {
  static constexpr shm::ElementType kShmType = shm::ElementType::I64;
  static MPI_Datatype getType() { return MPI_INT64_T; }
};

/// A 16-bit float type MPI lacks: moved as raw bits, reduced in float.
struct Widened16 {
  using Storage = uint16_t;
  static constexpr bool isInteger = false;
  static constexpr bool isWidened = true;
  static MPI_Datatype getType() { return MPI_UINT16_T; }
};

struct F16 : Widened16 {
  static constexpr shm::ElementType kShmType = shm::ElementType::F16;
  static float widen(uint16_t value) { return halfToFloat(value); }
  static uint16_t narrow(float value) { return floatToHalf(value); }
};
struct BF16 : Widened16 {
  static constexpr shm::ElementType kShmType = shm::ElementType::BF16;
  static float widen(uint16_t value) { return bfloat16ToFloat(value); }
  static uint16_t narrow(float value) { return floatToBfloat16(value); }
};
} // namespace

//===----------------------------------------------------------------------===//
// Buffers and arguments
//===----------------------------------------------------------------------===//

/// Decodes the `which` memref of `function`; it must be contiguous
/// and hold at most INT_MAX elements, the largest MPI count.
static Buffer decodeBuffer(const char *function, const char *which,
                           const MemRef1D &memref, size_t elementSize) {
  return replica::runtime::decodeBuffer(
      memref, elementSize, std::numeric_limits<int>::max(),
      [&](const char *problem) {
        fail(function, "%s memref %s", which, problem);
      });
}

static void checkSameCount(const char *function, const Buffer &in,
                           const Buffer &out) {
  if (in.count != out.count)
    fail(function, "input has %lld elements but output has %lld",
         static_cast<long long>(in.count), static_cast<long long>(out.count));
}

static void checkRoot(const char *function, int32_t root, int size) {
  if (root < 0 || root >= size)
    fail(function, "root %d is out of range [0, %d)", root, size);
}

enum ReductionKind : int32_t { Sum = 0, Mean = 1, Max = 2, Min = 3, Prod = 4 };

/// Returns the MPI operation for `kind`; mean reduces as a sum.
template <typename Elem>
static MPI_Op getReductionOp(const char *function, int32_t kind) {
  switch (kind) {
  case Sum:
    return MPI_SUM;
  case Mean:
    if (Elem::isInteger)
      fail(function, "mean is not supported on integer elements");
    return MPI_SUM;
  case Max:
    return MPI_MAX;
  case Min:
    return MPI_MIN;
  case Prod:
    return MPI_PROD;
  }
  fail(function, "unknown reduction kind %d, expected 0 (sum) to 4 (prod)",
       kind);
}

/// Divides a sum once by the number of processes, in the reduced type.
template <typename T>
static void divideBySize(T *data, int64_t count, int size) {
  for (int64_t i = 0; i < count; ++i)
    data[i] /= static_cast<T>(size);
}

template <typename Elem> static std::vector<float> widen(const Buffer &buffer) {
  const auto *data = reinterpret_cast<const uint16_t *>(buffer.data);
  std::vector<float> wide(buffer.count);
  for (int64_t i = 0; i < buffer.count; ++i)
    wide[i] = Elem::widen(data[i]);
  return wide;
}

/// Rounds once from float back to the 16-bit type.
template <typename Elem>
static void narrow(const std::vector<float> &wide, const Buffer &buffer) {
  auto *data = reinterpret_cast<uint16_t *>(buffer.data);
  for (size_t i = 0; i < wide.size(); ++i)
    data[i] = Elem::narrow(wide[i]);
}

template <typename Elem>
static void copyBuffer(const Buffer &from, const Buffer &to) {
  if (from.data != to.data)
    std::memmove(to.data, from.data,
                 from.count * sizeof(typename Elem::Storage));
}

//===----------------------------------------------------------------------===//
// Collectives
//===----------------------------------------------------------------------===//

/// All-reduces started between replica_mpi_group_start and
/// replica_mpi_group_end: in flight together, completed at the end, where
/// `finish` scales means and narrows widened results.
struct Group {
  bool open = false;
  std::vector<MPI_Request> requests;
  std::vector<std::function<void()>> finish;
  /// Over shared memory: the all-reduces, run as one at the end.
  std::vector<shm::AllReduce> sharedMemoryOps;
  /// The result buffers, by which replica_mpi_wait_* finds a launched
  /// group.
  std::vector<const char *> outputs;
};
static Group group;

/// A group launched by replica_mpi_group_launch: its MPI requests in flight
/// until the first of its results is waited for.
struct LaunchedGroup {
  Group group;
  bool complete = false;
};
static std::list<LaunchedGroup> launched;

template <typename Elem>
static void allReduce(const char *function, MemRef1D in, MemRef1D out,
                      int32_t kind) {
  constexpr size_t elementSize = sizeof(typename Elem::Storage);
  Buffer src = decodeBuffer(function, "input", in, elementSize);
  Buffer dst = decodeBuffer(function, "output", out, elementSize);
  checkSameCount(function, src, dst);
  MPI_Op op = getReductionOp<Elem>(function, kind);
  if (group.open)
    group.outputs.push_back(dst.data);
  if (shm::isActive()) {
    shm::AllReduce shared{function, Elem::kShmType, kind,     op,
                          src.data, dst.data,       src.count};
    if (group.open)
      group.sharedMemoryOps.push_back(shared);
    else
      shm::allReduce({shared});
    return;
  }
  int count = static_cast<int>(src.count);
  if (group.open) {
    MPI_Request request;
    if constexpr (Elem::isWidened) {
      auto wide = std::make_shared<std::vector<float>>(widen<Elem>(src));
      MPI_REPORT_IF_ERROR(MPI_Iallreduce(MPI_IN_PLACE, wide->data(), count,
                                         MPI_FLOAT, op, MPI_COMM_WORLD,
                                         &request));
      group.finish.push_back([wide, dst, kind] {
        if (kind == Mean)
          divideBySize(wide->data(), dst.count, getWorldSize());
        narrow<Elem>(*wide, dst);
      });
    } else {
      const void *send = src.data == dst.data ? MPI_IN_PLACE : src.data;
      MPI_REPORT_IF_ERROR(MPI_Iallreduce(send, dst.data, count, Elem::getType(),
                                         op, MPI_COMM_WORLD, &request));
      group.finish.push_back([dst, kind] {
        if (kind == Mean)
          divideBySize(reinterpret_cast<typename Elem::Storage *>(dst.data),
                       dst.count, getWorldSize());
      });
    }
    group.requests.push_back(request);
    return;
  }
  if constexpr (Elem::isWidened) {
    std::vector<float> wide = widen<Elem>(src);
    MPI_REPORT_IF_ERROR(MPI_Allreduce(MPI_IN_PLACE, wide.data(), count,
                                      MPI_FLOAT, op, MPI_COMM_WORLD));
    if (kind == Mean)
      divideBySize(wide.data(), src.count, getWorldSize());
    narrow<Elem>(wide, dst);
  } else {
    const void *send = src.data == dst.data ? MPI_IN_PLACE : src.data;
    MPI_REPORT_IF_ERROR(MPI_Allreduce(send, dst.data, count, Elem::getType(),
                                      op, MPI_COMM_WORLD));
    if (kind == Mean)
      divideBySize(reinterpret_cast<typename Elem::Storage *>(dst.data),
                   dst.count, getWorldSize());
  }
}

template <typename Elem>
static void reduce(const char *function, MemRef1D in, MemRef1D out,
                   int32_t kind, int32_t root) {
  constexpr size_t elementSize = sizeof(typename Elem::Storage);
  Buffer src = decodeBuffer(function, "input", in, elementSize);
  Buffer dst = decodeBuffer(function, "output", out, elementSize);
  checkSameCount(function, src, dst);
  MPI_Op op = getReductionOp<Elem>(function, kind);
  int size = getWorldSize();
  checkRoot(function, root, size);
  bool isRoot = getWorldRank() == root;
  int count = static_cast<int>(src.count);
  if constexpr (Elem::isWidened) {
    std::vector<float> wide = widen<Elem>(src);
    MPI_REPORT_IF_ERROR(MPI_Reduce(isRoot ? MPI_IN_PLACE : wide.data(),
                                   isRoot ? wide.data() : nullptr, count,
                                   MPI_FLOAT, op, root, MPI_COMM_WORLD));
    if (!isRoot) {
      copyBuffer<Elem>(src, dst);
      return;
    }
    if (kind == Mean)
      divideBySize(wide.data(), src.count, size);
    narrow<Elem>(wide, dst);
  } else {
    const void *send = isRoot && src.data == dst.data ? MPI_IN_PLACE : src.data;
    MPI_REPORT_IF_ERROR(MPI_Reduce(send, isRoot ? dst.data : nullptr, count,
                                   Elem::getType(), op, root, MPI_COMM_WORLD));
    if (!isRoot) {
      copyBuffer<Elem>(src, dst);
      return;
    }
    if (kind == Mean)
      divideBySize(reinterpret_cast<typename Elem::Storage *>(dst.data),
                   dst.count, size);
  }
}

template <typename Elem>
static void broadcast(const char *function, MemRef1D in, MemRef1D out,
                      int32_t root) {
  constexpr size_t elementSize = sizeof(typename Elem::Storage);
  Buffer src = decodeBuffer(function, "input", in, elementSize);
  Buffer dst = decodeBuffer(function, "output", out, elementSize);
  checkSameCount(function, src, dst);
  checkRoot(function, root, getWorldSize());
  if (getWorldRank() == root)
    copyBuffer<Elem>(src, dst);
  MPI_REPORT_IF_ERROR(MPI_Bcast(dst.data, static_cast<int>(dst.count),
                                Elem::getType(), root, MPI_COMM_WORLD));
}

template <typename Elem>
static void allGather(const char *function, MemRef1D in, MemRef1D out) {
  constexpr size_t elementSize = sizeof(typename Elem::Storage);
  Buffer src = decodeBuffer(function, "input", in, elementSize);
  Buffer dst = decodeBuffer(function, "output", out, elementSize);
  int size = getWorldSize();
  if (dst.count != size * src.count)
    fail(function,
         "output has %lld elements, expected %d processes x %lld input "
         "elements",
         static_cast<long long>(dst.count), size,
         static_cast<long long>(src.count));
  // Blocks of different sizes (a dynamic dimension) would need
  // MPI_Allgatherv and a result size known before the call: refuse them.
  long long extremes[2] = {static_cast<long long>(src.count),
                           -static_cast<long long>(src.count)};
  MPI_REPORT_IF_ERROR(MPI_Allreduce(MPI_IN_PLACE, extremes, 2, MPI_LONG_LONG,
                                    MPI_MAX, MPI_COMM_WORLD));
  if (extremes[0] != -extremes[1])
    fail(function,
         "replicas gather blocks of different sizes (%lld to %lld "
         "elements); the MPI backend needs equal sizes",
         -extremes[1], extremes[0]);
  // MPI would copy the local block anyway; doing it here first also makes an
  // input that aliases the output safe.
  Buffer ownBlock = {dst.data + getWorldRank() * src.count * elementSize,
                     src.count};
  copyBuffer<Elem>(src, ownBlock);
  MPI_REPORT_IF_ERROR(MPI_Allgather(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL,
                                    dst.data, static_cast<int>(src.count),
                                    Elem::getType(), MPI_COMM_WORLD));
}

//===----------------------------------------------------------------------===//
// Exported entry points
//===----------------------------------------------------------------------===//

extern "C" {

/// Initializes MPI and checks that it runs `expectedNumReplicas` processes
/// (when positive). Returns 1 on a mismatch, before any collective, leaving
/// MPI initialized; rank 0 prints the message.
REPLICA_MPI_EXPORT int32_t replica_mpi_init(int64_t expectedNumReplicas) {
  int initialized = 0;
  MPI_REPORT_IF_ERROR(MPI_Initialized(&initialized));
  if (!initialized) {
    // A watchdog thread may call replica_mpi_abort, so ask for full thread
    // support; the collectives themselves only need FUNNELED.
    int provided = MPI_THREAD_SINGLE;
    MPI_REPORT_IF_ERROR(
        MPI_Init_thread(nullptr, nullptr, MPI_THREAD_MULTIPLE, &provided));
    if (provided < MPI_THREAD_FUNNELED)
      fail("replica_mpi_init",
           "MPI provides thread level %d, expected at least "
           "MPI_THREAD_FUNNELED (%d)",
           provided, MPI_THREAD_FUNNELED);
  }
  MPI_REPORT_IF_ERROR(
      MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN));
  worldRank = getWorldRank();
  shm::init();
  int size = getWorldSize();
  if (expectedNumReplicas <= 0 || expectedNumReplicas == size)
    return 0;
  if (worldRank == 0)
    std::fprintf(stderr,
                 "replica-run: the program is compiled for %lld replicas but "
                 "runs on %d MPI processes\n",
                 static_cast<long long>(expectedNumReplicas), size);
  return 1;
}

REPLICA_MPI_EXPORT int32_t replica_mpi_rank(void) { return getWorldRank(); }

REPLICA_MPI_EXPORT void replica_mpi_finalize(void) {
  int finalized = 0;
  MPI_REPORT_IF_ERROR(MPI_Finalized(&finalized));
  if (finalized)
    return;
  shm::finalize();
  MPI_REPORT_IF_ERROR(MPI_Finalize());
}

/// Identifies what replica_mpi_calibrate measures, so that a calibration
/// cached by replica-run goes stale when it changes: the MPI library and its
/// version (the first line of MPI_Get_library_version, which MPI allows
/// before MPI_Init), the revision of replica's shared-memory all-reduce and
/// the environment that selects the transport. Whatever else comes to change
/// the measured transport must be added here.
REPLICA_MPI_EXPORT const char *replica_mpi_transport(void) {
  static std::string transport;
  char version[MPI_MAX_LIBRARY_VERSION_STRING];
  int length = 0;
  MPI_REPORT_IF_ERROR(MPI_Get_library_version(version, &length));
  version[std::strcspn(version, "\r\n")] = '\0';
  transport = version;
  transport += "; replica shared-memory all-reduce r" +
               std::to_string(shm::kRevision);
  for (const char *variable :
       {"REPLICA_MPI_TRANSPORT", "REPLICA_MPI_VIRTUAL_NODE_SIZE"}) {
    const char *value = std::getenv(variable);
    transport += std::string("; ") + variable + "=" + (value ? value : "");
  }
  return transport.c_str();
}

/// One f32 sum all-reduce over the transport in use.
static void allReduceF32(const char *function, const float *in, float *out,
                         int count) {
  if (shm::isActive()) {
    shm::allReduce({{function, shm::ElementType::F32, Sum, MPI_SUM,
                     reinterpret_cast<const char *>(in),
                     reinterpret_cast<char *>(out), count}});
    return;
  }
  MPI_REPORT_IF_ERROR(
      MPI_Allreduce(in, out, count, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD));
}

/// Measures the all-reduce of the transport in use (f32 sum, from the window
/// into a shared result, as the generated code calls it on its packs) from
/// 4 KiB to 64 MiB and prints, on rank 0, the times and the
/// replica-fuse-reductions options that fit them: the latency of the
/// smallest size, the best bandwidth, as bytes-per-pack the smallest size
/// within 10% of the best time per byte (the transport's sweet spot; larger
/// packs cost more per byte on shared memory), and the measurements as
/// `cost-table`, from which `bytes-per-pack=-1` makes the same choice.
/// Given `tablePath`, rank 0 also writes the cost table there, alone on one
/// line, for replica-run's calibration cache.
REPLICA_MPI_EXPORT void replica_mpi_calibrate(const char *tablePath) {
  constexpr int64_t smallest = 4 << 10, largest = 64 << 20;
  // Where compiled programs keep their packs (replica-place-mpi-buffers):
  // the input in this rank's part of the window, the result shared.
  auto *in = reinterpret_cast<float *>(
      shm::getWindow("replica_mpi_calibrate", largest, largest));
  auto *out = reinterpret_cast<float *>(
      shm::getSharedWindow("replica_mpi_calibrate", largest, largest) +
      largest);
  std::fill(in, in + largest / sizeof(float), 1.0f);
  std::vector<std::pair<int64_t, double>> times;
  for (int64_t bytes = smallest; bytes <= largest; bytes *= 4) {
    int count = static_cast<int>(bytes / sizeof(float));
    int repeats = static_cast<int>(std::max<int64_t>(3, (64 << 20) / bytes));
    repeats = std::min(repeats, 200);
    double best = std::numeric_limits<double>::max();
    for (int i = 0; i < repeats + 1; ++i) {
      MPI_REPORT_IF_ERROR(MPI_Barrier(MPI_COMM_WORLD));
      double start = MPI_Wtime();
      allReduceF32("replica_mpi_calibrate", in, out, count);
      double elapsed = MPI_Wtime() - start;
      MPI_REPORT_IF_ERROR(MPI_Allreduce(MPI_IN_PLACE, &elapsed, 1, MPI_DOUBLE,
                                        MPI_MAX, MPI_COMM_WORLD));
      if (i > 0 && elapsed < best)
        best = elapsed;
    }
    times.emplace_back(bytes, best);
  }
  if (getWorldRank() != 0)
    return;
  int size = getWorldSize();
  double factor = 2.0 * (size - 1) / size;
  double bestPerByte = std::numeric_limits<double>::max();
  for (auto [bytes, time] : times)
    bestPerByte = std::min(bestPerByte, time / bytes);
  int64_t packBytes = times.back().first;
  for (auto [bytes, time] : times)
    if (time / bytes <= 1.1 * bestPerByte) {
      packBytes = bytes;
      break;
    }
  // The pass needs positive times: none is printed below its resolution.
  std::string table;
  for (auto [bytes, time] : times) {
    char entry[64];
    std::snprintf(entry, sizeof(entry), "%s%lld:%.1f", table.empty() ? "" : ",",
                  static_cast<long long>(bytes), std::max(time * 1e6, 0.1));
    table += entry;
  }
  std::printf("all-reduce of f32 on %d processes over %s:\n", size,
              shm::describe());
  std::printf("%12s %12s %10s\n", "bytes", "us", "GB/s");
  for (auto [bytes, time] : times)
    std::printf("%12lld %12.1f %10.2f\n", static_cast<long long>(bytes),
                time * 1e6, factor * bytes / time * 1e-9);
  std::printf("options: bytes-per-pack=%lld latency-us=%.1f "
              "bandwidth-gbps=%.2f cost-table=%s\n",
              static_cast<long long>(packBytes), times.front().second * 1e6,
              factor / bestPerByte * 1e-9, table.c_str());
  std::fflush(stdout);
  if (tablePath)
    writeLine("replica_mpi_calibrate", tablePath, table);
}

REPLICA_MPI_EXPORT void replica_mpi_group_start(void) {
  if (group.open)
    fail("replica_mpi_group_start", "a group is already open");
  group.open = true;
}

/// Completes the MPI requests of `done` and finishes its results.
static void complete(Group &done) {
  MPI_REPORT_IF_ERROR(MPI_Waitall(static_cast<int>(done.requests.size()),
                                  done.requests.data(), MPI_STATUSES_IGNORE));
  for (std::function<void()> &finish : done.finish)
    finish();
}

REPLICA_MPI_EXPORT void replica_mpi_group_end(void) {
  if (!group.open)
    fail("replica_mpi_group_end", "no group is open");
  if (!group.sharedMemoryOps.empty())
    shm::allReduce(group.sharedMemoryOps);
  complete(group);
  group = Group();
}

/// Whether inputs placed in the window give up their range once their
/// all-reduce is launched: over shared memory a launch reduces at once;
/// over MPI, MPI_Iallreduce reads its input until its wait.
REPLICA_MPI_EXPORT int32_t replica_mpi_reuse_inputs(void) {
  return shm::reusesInputs() ? 1 : 0;
}

/// Ends the open group without waiting: its MPI all-reduces stay in flight
/// (MPI_Iallreduce) until replica_mpi_wait_* asks for a result. The
/// shared-memory transport has no nonblocking form: it reduces now, while
/// the producers' writes are still in cache.
REPLICA_MPI_EXPORT void replica_mpi_group_launch(void) {
  if (!group.open)
    fail("replica_mpi_group_launch", "no group is open");
  if (!group.sharedMemoryOps.empty())
    shm::allReduce(group.sharedMemoryOps);
  group.open = false;
  launched.push_back({std::move(group), false});
  group = Group();
}

/// Waits for the launched all-reduce that writes `out`: the first wait of
/// a group completes all of it. The input the wait is given is not read:
/// its range may hold another buffer by then (replica_mpi_reuse_inputs).
static void wait(const char *function, MemRef1D out, size_t elementSize) {
  const char *data = decodeBuffer(function, "output", out, elementSize).data;
  for (auto it = launched.begin(); it != launched.end(); ++it) {
    auto output =
        std::find(it->group.outputs.begin(), it->group.outputs.end(), data);
    if (output == it->group.outputs.end())
      continue;
    if (!it->complete) {
      complete(it->group);
      it->complete = true;
    }
    it->group.outputs.erase(output);
    if (it->group.outputs.empty())
      launched.erase(it);
    return;
  }
  fail(function, "no launched all-reduce writes this output buffer");
}

/// The descriptor of a memref<?xi8>.
struct ByteMemRef {
  char *allocated;
  char *aligned;
  int64_t offset;
  int64_t size;
  int64_t stride;
};

/// replica_mpi_window(bytes, shared bytes) -> memref<?xi8> and
/// replica_mpi_shared_window(...), which replica-place-mpi-buffers declares
/// with llvm.emit_c_interface: the result comes back through `result`.
REPLICA_MPI_EXPORT void _mlir_ciface_replica_mpi_window(ByteMemRef *result,
                                                        int64_t bytes,
                                                        int64_t sharedBytes) {
  char *window = shm::getWindow("replica_mpi_window", bytes, sharedBytes);
  *result = {window, window, 0, bytes + sharedBytes, 1};
}

REPLICA_MPI_EXPORT void
_mlir_ciface_replica_mpi_shared_window(ByteMemRef *result, int64_t bytes,
                                       int64_t sharedBytes) {
  char *window =
      shm::getSharedWindow("replica_mpi_shared_window", bytes, sharedBytes);
  *result = {window, window, 0, bytes + sharedBytes, 1};
}

/// Allocates the window of a program whose module records its sizes
/// (replica.mpi_window_bytes, replica.mpi_shared_window_bytes),
/// collectively, before the program runs.
REPLICA_MPI_EXPORT void replica_mpi_window_reserve(int64_t bytes,
                                                   int64_t sharedBytes) {
  shm::getWindow("replica_mpi_window_reserve", bytes, sharedBytes);
}

/// Ends all ranks with `code`; safe to call from a watchdog thread, and
/// before MPI is up, when it just exits.
REPLICA_MPI_EXPORT void replica_mpi_abort(int32_t code) {
  // Every rank's watchdog fires at about the same time: one that is not
  // waiting in a shared-memory collective gives those that are a moment to
  // say which rank they wait for before MPI_Abort ends them.
  if (!shm::reportWait() && shm::isActive())
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  int initialized = 0;
  MPI_REPORT_IF_ERROR(MPI_Initialized(&initialized));
  if (initialized)
    MPI_REPORT_IF_ERROR(MPI_Abort(MPI_COMM_WORLD, code));
  std::_Exit(code);
}

#define REPLICA_DEFINE_COLLECTIVES(SUFFIX, ELEM)                               \
  REPLICA_MPI_EXPORT void replica_mpi_wait_##SUFFIX(                           \
      REPLICA_MEMREF_PARAMS(in), REPLICA_MEMREF_PARAMS(out)) {                 \
    wait("replica_mpi_wait_" #SUFFIX, REPLICA_MEMREF(out),                     \
         sizeof(ELEM::Storage));                                               \
  }                                                                            \
  REPLICA_MPI_EXPORT void replica_mpi_all_reduce_##SUFFIX(                     \
      REPLICA_MEMREF_PARAMS(in), REPLICA_MEMREF_PARAMS(out), int32_t kind) {   \
    allReduce<ELEM>("replica_mpi_all_reduce_" #SUFFIX, REPLICA_MEMREF(in),     \
                    REPLICA_MEMREF(out), kind);                                \
  }                                                                            \
  REPLICA_MPI_EXPORT void replica_mpi_reduce_##SUFFIX(                         \
      REPLICA_MEMREF_PARAMS(in), REPLICA_MEMREF_PARAMS(out), int32_t kind,     \
      int32_t root) {                                                          \
    reduce<ELEM>("replica_mpi_reduce_" #SUFFIX, REPLICA_MEMREF(in),            \
                 REPLICA_MEMREF(out), kind, root);                             \
  }                                                                            \
  REPLICA_MPI_EXPORT void replica_mpi_broadcast_##SUFFIX(                      \
      REPLICA_MEMREF_PARAMS(in), REPLICA_MEMREF_PARAMS(out), int32_t root) {   \
    broadcast<ELEM>("replica_mpi_broadcast_" #SUFFIX, REPLICA_MEMREF(in),      \
                    REPLICA_MEMREF(out), root);                                \
  }                                                                            \
  REPLICA_MPI_EXPORT void replica_mpi_all_gather_##SUFFIX(                     \
      REPLICA_MEMREF_PARAMS(in), REPLICA_MEMREF_PARAMS(out)) {                 \
    allGather<ELEM>("replica_mpi_all_gather_" #SUFFIX, REPLICA_MEMREF(in),     \
                    REPLICA_MEMREF(out));                                      \
  }

REPLICA_DEFINE_COLLECTIVES(f32, F32)
REPLICA_DEFINE_COLLECTIVES(f64, F64)
REPLICA_DEFINE_COLLECTIVES(i32, I32)
REPLICA_DEFINE_COLLECTIVES(i64, I64)
REPLICA_DEFINE_COLLECTIVES(f16, F16)
REPLICA_DEFINE_COLLECTIVES(bf16, BF16)

#undef REPLICA_DEFINE_COLLECTIVES

} // extern "C"
