//===- NCCLRuntime.cpp - NCCL and CUDA runtime for replica programs -------===//
//
// The C entry points that programs lowered by `replica-lower-to-nccl` call:
//  - the collectives of `convert-replica-to-nccl` (replica_nccl_*), NCCL
//    calls on each replica's CUDA stream, buffers passed as 1-D
//    memrefs (MemRefBuffer.h);
//  - the `mgpu*` entry points that `gpu-to-llvm` and the GPU binary's LLVM
//    translation emit (Debian ships no libmlir_cuda_runtime), over the CUDA
//    driver API;
//  - `_mlir_memref_to_llvm_alloc`/`_free`, which give every buffer of the
//    program managed memory, addressable from the host and every device.
// Two modes: one process driving N GPUs, one thread and one communicator
// (ncclCommInitAll) per replica, as TF's MirroredStrategy; or one process
// per GPU under mpirun, the unique id broadcast over MPI (ncclCommInitRank).
// Every CUDA and NCCL call is checked; a failure names the call and its
// error string, aborts the communicators and exits non-zero. Waiting for a
// stream polls NCCL's asynchronous errors and gives up after the timeout.
// Follows mlir/lib/ExecutionEngine/CudaRuntimeWrappers.cpp; no MLIR
// dependency.
//
//===----------------------------------------------------------------------===//

#include "MemRefBuffer.h"

#include <cuda.h>
#include <nccl.h>
#ifdef REPLICA_NCCL_WITH_MPI
#include <mpi.h>
#endif

#include <atomic>
#include <chrono>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#define REPLICA_NCCL_EXPORT __attribute__((visibility("default")))

namespace {
/// One replica: its device, the device's primary context, its communicator,
/// the stream its collectives are enqueued on and the stream its kernels are
/// (mgpuStreamCreate's answer), ordered against each other by events.
struct Replica {
  int rank = 0;
  CUdevice device = 0;
  CUcontext context = nullptr;
  ncclComm_t comm = nullptr;
  CUstream stream = nullptr;
  CUstream compute = nullptr;
  /// Recorded on `compute` before a collective; `stream` waits for it.
  CUevent computeReady = nullptr;
  /// Recorded on `stream` after collectives; `compute` waits for it.
  CUevent collectivesDone = nullptr;
  /// Depth of replica_nccl_group_start calls not yet ended.
  int groupDepth = 0;
  /// Buffers freed while the streams may still use them: freed at the next
  /// wait for the compute stream.
  std::vector<void *> deferredFrees;
};

/// The replicas this process drives (all of them, or its own under mpirun).
struct State {
  std::vector<Replica> replicas;
  int numReplicas = 0;
  bool multiProcess = false;
  std::atomic<bool> aborting{false};
};
} // namespace

static State state;

/// The replica the calling thread runs (replica_nccl_bind).
static thread_local Replica *current = nullptr;

static int currentRank() { return current ? current->rank : -1; }

/// Aborts every communicator (so peers blocked in a collective return) and
/// ends the process with `code`, under mpirun every process. Communicators
/// are aborted once, whichever thread gets here first.
[[noreturn]] static void abortAll(int code) {
  if (!state.aborting.exchange(true))
    for (Replica &replica : state.replicas)
      if (replica.comm)
        ncclCommAbort(replica.comm);
#ifdef REPLICA_NCCL_WITH_MPI
  int initialized = 0;
  if (state.multiProcess && MPI_Initialized(&initialized) == MPI_SUCCESS &&
      initialized)
    MPI_Abort(MPI_COMM_WORLD, code);
#endif
  std::_Exit(code);
}

/// Reports a failure of `function` in one write (lines of several replicas
/// don't mix) and ends the run.
[[noreturn]] __attribute__((format(printf, 2, 3))) static void
fail(const char *function, const char *format, ...) {
  char message[768];
  int length = std::snprintf(message, sizeof(message),
                             "replica-run: %s failed on replica %d: ", function,
                             currentRank());
  va_list args;
  va_start(args, format);
  std::vsnprintf(message + length, sizeof(message) - length, format, args);
  va_end(args);
  std::fprintf(stderr, "%s\n", message);
  abortAll(1);
}

/// The stringized call starts with the function name.
static std::string callName(const char *expr) {
  return std::string(expr, std::strcspn(expr, "("));
}

static void reportCUDA(CUresult result, const char *expr) {
  if (result == CUDA_SUCCESS)
    return;
  const char *name = nullptr, *text = nullptr;
  cuGetErrorName(result, &name);
  cuGetErrorString(result, &text);
  fail(callName(expr).c_str(), "%s (%s)", name ? name : "unknown CUDA error",
       text ? text : "no description");
}

static void reportNCCL(ncclResult_t result, const char *expr) {
  if (result == ncclSuccess)
    return;
  const char *last = current ? ncclGetLastError(current->comm) : nullptr;
  fail(callName(expr).c_str(), "%s%s%s", ncclGetErrorString(result),
       last && *last ? ": " : "", last ? last : "");
}

#define CUDA_REPORT_IF_ERROR(expr) reportCUDA((expr), #expr)
#define NCCL_REPORT_IF_ERROR(expr) reportNCCL((expr), #expr)

/// The calling thread's replica; a program runs inside replica_nccl_bind.
static Replica &getCurrent(const char *function) {
  if (!current)
    fail(function, "the thread runs no replica (replica_nccl_bind)");
  return *current;
}

/// Waits until `stream` has run everything enqueued on it, polling the
/// communicator for asynchronous NCCL errors (a peer that died, a network
/// failure), which abort the communicators. A wait that never ends is ended
/// by replica-run's --timeout watchdog (replica_nccl_abort).
static void waitFor(const char *function, CUstream stream) {
  Replica &replica = getCurrent(function);
  for (;;) {
    CUresult status = cuStreamQuery(stream);
    if (status == CUDA_SUCCESS)
      return;
    if (status != CUDA_ERROR_NOT_READY)
      reportCUDA(status, "cuStreamQuery");
    ncclResult_t async = ncclSuccess;
    NCCL_REPORT_IF_ERROR(ncclCommGetAsyncError(replica.comm, &async));
    if (async != ncclSuccess && async != ncclInProgress)
      fail(function, "asynchronous NCCL error: %s", ncclGetErrorString(async));
    std::this_thread::sleep_for(std::chrono::microseconds(20));
  }
}

/// The replica's streams and the events that order them (in its context).
static void createStreams(Replica &replica) {
  CUDA_REPORT_IF_ERROR(cuStreamCreate(&replica.stream, CU_STREAM_NON_BLOCKING));
  CUDA_REPORT_IF_ERROR(
      cuStreamCreate(&replica.compute, CU_STREAM_NON_BLOCKING));
  CUDA_REPORT_IF_ERROR(
      cuEventCreate(&replica.computeReady, CU_EVENT_DISABLE_TIMING));
  CUDA_REPORT_IF_ERROR(
      cuEventCreate(&replica.collectivesDone, CU_EVENT_DISABLE_TIMING));
}

/// The collectives enqueued next on `replica.stream` start after the
/// kernels enqueued so far (which produce their inputs).
static void collectivesAfterCompute(Replica &replica) {
  CUDA_REPORT_IF_ERROR(cuEventRecord(replica.computeReady, replica.compute));
  CUDA_REPORT_IF_ERROR(
      cuStreamWaitEvent(replica.stream, replica.computeReady, /*flags=*/0));
}

/// The kernels enqueued next start after the collectives enqueued so far
/// (which produce their inputs); the host goes on.
static void computeAfterCollectives(Replica &replica) {
  CUDA_REPORT_IF_ERROR(
      cuEventRecord(replica.collectivesDone, replica.stream));
  CUDA_REPORT_IF_ERROR(
      cuStreamWaitEvent(replica.compute, replica.collectivesDone, /*flags=*/0));
}

static void freeDeferred(Replica &replica) {
  for (void *data : replica.deferredFrees)
    CUDA_REPORT_IF_ERROR(cuMemFree(reinterpret_cast<CUdeviceptr>(data)));
  replica.deferredFrees.clear();
}

/// Buffers freed between two waits at most: beyond, a free waits for the
/// compute stream (a loop that never reads on the host must not hold every
/// iteration's buffers).
static constexpr size_t kMaxDeferredFrees = 4096;

//===----------------------------------------------------------------------===//
// Buffers
//===----------------------------------------------------------------------===//

using replica::runtime::Buffer;
using replica::runtime::MemRef1D;

namespace {
template <typename T, ncclDataType_t Type, bool IsInteger> struct Element {
  using Storage = T;
  static constexpr ncclDataType_t type = Type;
  static constexpr bool isInteger = IsInteger;
};
using F32 = Element<float, ncclFloat32, false>;
using F64 = Element<double, ncclFloat64, false>;
using F16 = Element<uint16_t, ncclFloat16, false>;
using BF16 = Element<uint16_t, ncclBfloat16, false>;
using I32 = Element<int32_t, ncclInt32, true>;
using I64 = Element<int64_t, ncclInt64, true>;
} // namespace

/// Decodes the `which` memref of `function`; it must be row-major
/// contiguous.
static Buffer decodeBuffer(const char *function, const char *which,
                           const MemRef1D &memref, size_t elementSize) {
  return replica::runtime::decodeBuffer(
      memref, elementSize, INT64_MAX, [&](const char *problem) {
        fail(function, "%s memref %s", which, problem);
      });
}

static void checkSameCount(const char *function, const Buffer &in,
                           const Buffer &out) {
  if (in.count != out.count)
    fail(function, "input has %lld elements but output has %lld",
         static_cast<long long>(in.count), static_cast<long long>(out.count));
}

/// NCCL's operation codes, as convert-replica-to-nccl passes them.
static ncclRedOp_t getRedOp(const char *function, int32_t op, bool isInteger) {
  switch (op) {
  case ncclSum:
  case ncclProd:
  case ncclMax:
  case ncclMin:
    return static_cast<ncclRedOp_t>(op);
  case ncclAvg:
    if (isInteger)
      fail(function, "mean is not supported on integer elements");
    return ncclAvg;
  default:
    fail(function, "unknown NCCL operation %d, expected 0 to 4", op);
  }
}

static void checkRoot(const char *function, int32_t root) {
  if (root < 0 || root >= state.numReplicas)
    fail(function, "root %d is out of range [0, %d)", root, state.numReplicas);
}

//===----------------------------------------------------------------------===//
// Collectives
//===----------------------------------------------------------------------===//

namespace {
/// One collective call of the calling thread's replica on buffers of `Elem`.
template <typename Elem> struct Collective {
  static constexpr size_t elementSize = sizeof(typename Elem::Storage);

  Collective(const char *function, MemRef1D in, MemRef1D out, void *stream)
      : function(function), replica(getCurrent(function)),
        input(decodeBuffer(function, "input", in, elementSize)),
        output(decodeBuffer(function, "output", out, elementSize)),
        stream(static_cast<CUstream>(stream)) {
    if (replica.groupDepth == 0)
      collectivesAfterCompute(replica);
  }

  ncclRedOp_t getOp(int32_t op) const {
    return getRedOp(function, op, Elem::isInteger);
  }

  /// Outside a group, the kernels enqueued next wait for the collective;
  /// inside one, for the group (replica_nccl_group_end).
  void finish() const {
    if (replica.groupDepth == 0)
      computeAfterCollectives(replica);
  }

  const char *function;
  Replica &replica;
  Buffer input, output;
  CUstream stream;
};
} // namespace

template <typename Elem>
static void allReduce(const char *function, MemRef1D in, MemRef1D out,
                      int32_t op, void *stream) {
  Collective<Elem> call(function, in, out, stream);
  checkSameCount(function, call.input, call.output);
  NCCL_REPORT_IF_ERROR(ncclAllReduce(
      call.input.data, call.output.data, call.input.count, Elem::type,
      call.getOp(op), call.replica.comm, call.stream));
  call.finish();
}

template <typename Elem>
static void reduce(const char *function, MemRef1D in, MemRef1D out, int32_t op,
                   int32_t root, void *stream) {
  Collective<Elem> call(function, in, out, stream);
  checkRoot(function, root);
  checkSameCount(function, call.input, call.output);
  bool isRoot = call.replica.rank == root;
  // Every replica gets a result (the reduction on the root, its own value
  // elsewhere, as the cpu and mpi backends define it).
  if (!isRoot)
    CUDA_REPORT_IF_ERROR(
        cuMemcpyAsync(reinterpret_cast<CUdeviceptr>(call.output.data),
                      reinterpret_cast<CUdeviceptr>(call.input.data),
                      call.input.count * call.elementSize, call.stream));
  NCCL_REPORT_IF_ERROR(ncclReduce(
      call.input.data, isRoot ? call.output.data : nullptr, call.input.count,
      Elem::type, call.getOp(op), root, call.replica.comm, call.stream));
  call.finish();
}

template <typename Elem>
static void broadcast(const char *function, MemRef1D in, MemRef1D out,
                      int32_t root, void *stream) {
  Collective<Elem> call(function, in, out, stream);
  checkRoot(function, root);
  checkSameCount(function, call.input, call.output);
  NCCL_REPORT_IF_ERROR(ncclBroadcast(call.input.data, call.output.data,
                                     call.input.count, Elem::type, root,
                                     call.replica.comm, call.stream));
  call.finish();
}

template <typename Elem>
static void allGather(const char *function, MemRef1D in, MemRef1D out,
                      void *stream) {
  Collective<Elem> call(function, in, out, stream);
  if (call.output.count != call.input.count * state.numReplicas)
    fail(function, "output has %lld elements, expected %d x %lld",
         static_cast<long long>(call.output.count), state.numReplicas,
         static_cast<long long>(call.input.count));
  NCCL_REPORT_IF_ERROR(ncclAllGather(call.input.data, call.output.data,
                                     call.input.count, Elem::type,
                                     call.replica.comm, call.stream));
  call.finish();
}

//===----------------------------------------------------------------------===//
// Kernel images: loaded on each device that launches one of their kernels
//===----------------------------------------------------------------------===//

namespace {
struct Image {
  std::vector<char> data;
  /// The optimization level for PTX the driver compiles; -1 for a binary.
  int jitOptLevel = -1;
  std::mutex mutex;
  std::map<CUcontext, CUmodule> modules;

  CUmodule moduleFor(CUcontext context) {
    std::lock_guard<std::mutex> lock(mutex);
    CUmodule &module = modules[context];
    if (module)
      return module;
    if (jitOptLevel < 0) {
      CUDA_REPORT_IF_ERROR(cuModuleLoadData(&module, data.data()));
      return module;
    }
    char log[4096] = "";
    CUjit_option options[] = {CU_JIT_ERROR_LOG_BUFFER,
                              CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES,
                              CU_JIT_OPTIMIZATION_LEVEL};
    void *values[] = {
        log, reinterpret_cast<void *>(sizeof(log)),
        reinterpret_cast<void *>(static_cast<intptr_t>(jitOptLevel))};
    CUresult result =
        cuModuleLoadDataEx(&module, data.data(), 3, options, values);
    if (result != CUDA_SUCCESS) {
      std::fprintf(stderr, "replica-run: PTX JIT log: %s\n", log);
      reportCUDA(result, "cuModuleLoadDataEx");
    }
    return module;
  }
};
} // namespace

/// The context kernels launch in: the bound replica's device, else device 0
/// (a program run outside replica_nccl_bind, e.g. linked ahead of time).
static CUcontext currentContext() {
  if (current)
    return current->context;
  static CUcontext fallback = [] {
    CUDA_REPORT_IF_ERROR(cuInit(0));
    CUdevice device;
    CUDA_REPORT_IF_ERROR(cuDeviceGet(&device, 0));
    CUcontext context;
    CUDA_REPORT_IF_ERROR(cuDevicePrimaryCtxRetain(&context, device));
    return context;
  }();
  CUDA_REPORT_IF_ERROR(cuCtxSetCurrent(fallback));
  return fallback;
}

//===----------------------------------------------------------------------===//
// Entry points
//===----------------------------------------------------------------------===//

extern "C" {

/// Sets up `numReplicas` replicas (0: one per device): with `multiProcess`,
/// this process's one (MPI rank r on local GPU r mod devices,
/// ncclCommInitRank with the id rank 0 broadcasts); otherwise all of them,
/// one device each, in one
/// communicator (ncclCommInitAll). Returns non-zero after printing why when
/// the machine cannot run them.
REPLICA_NCCL_EXPORT int32_t replica_nccl_init(int64_t numReplicas,
                                              int32_t multiProcess) {
  state.numReplicas = static_cast<int>(numReplicas);
  state.multiProcess = multiProcess != 0;
  CUresult initialized = cuInit(0);
  int devices = 0;
  if (initialized == CUDA_SUCCESS)
    initialized = cuDeviceGetCount(&devices);
  if (initialized != CUDA_SUCCESS || devices == 0) {
    const char *name = nullptr;
    cuGetErrorName(initialized, &name);
    std::fprintf(stderr,
                 "replica-run: the nccl backend needs a CUDA GPU and this "
                 "machine has none (cuInit: %s)\n",
                 initialized == CUDA_SUCCESS ? "no devices"
                                             : (name ? name : "failed"));
    return 1;
  }

  if (!state.multiProcess) {
    if (numReplicas <= 0)
      numReplicas = state.numReplicas = devices;
    if (numReplicas > devices) {
      std::fprintf(stderr,
                   "replica-run: the program has %lld replicas but this "
                   "machine has %d CUDA devices (one process drives one "
                   "device per replica)\n",
                   static_cast<long long>(numReplicas), devices);
      return 1;
    }
    state.replicas.resize(numReplicas);
    std::vector<ncclComm_t> comms(numReplicas);
    std::vector<int> deviceList(numReplicas);
    for (int r = 0; r < numReplicas; ++r)
      deviceList[r] = r;
    NCCL_REPORT_IF_ERROR(
        ncclCommInitAll(comms.data(), state.numReplicas, deviceList.data()));
    for (int r = 0; r < numReplicas; ++r) {
      Replica &replica = state.replicas[r];
      replica.rank = r;
      replica.comm = comms[r];
      CUDA_REPORT_IF_ERROR(cuDeviceGet(&replica.device, r));
      CUDA_REPORT_IF_ERROR(
          cuDevicePrimaryCtxRetain(&replica.context, replica.device));
      CUDA_REPORT_IF_ERROR(cuCtxSetCurrent(replica.context));
      createStreams(replica);
    }
    return 0;
  }

#ifdef REPLICA_NCCL_WITH_MPI
  int mpiInitialized = 0;
  MPI_Initialized(&mpiInitialized);
  if (!mpiInitialized) {
    int provided = 0;
    if (MPI_Init_thread(nullptr, nullptr, MPI_THREAD_MULTIPLE, &provided) !=
        MPI_SUCCESS)
      fail("MPI_Init_thread", "cannot start MPI");
  }
  int rank = 0, size = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  if (numReplicas <= 0)
    numReplicas = state.numReplicas = size;
  if (size != numReplicas) {
    if (rank == 0)
      std::fprintf(stderr,
                   "replica-run: the program is compiled for %lld replicas "
                   "but runs on %d processes\n",
                   static_cast<long long>(numReplicas), size);
    return 1;
  }
  const char *localRank = std::getenv("OMPI_COMM_WORLD_LOCAL_RANK");
  int local = localRank ? std::atoi(localRank) : rank;
  state.replicas.resize(1);
  Replica &replica = state.replicas.front();
  replica.rank = rank;
  current = &replica;
  CUDA_REPORT_IF_ERROR(cuDeviceGet(&replica.device, local % devices));
  CUDA_REPORT_IF_ERROR(
      cuDevicePrimaryCtxRetain(&replica.context, replica.device));
  CUDA_REPORT_IF_ERROR(cuCtxSetCurrent(replica.context));
  createStreams(replica);
  ncclUniqueId id;
  if (rank == 0)
    NCCL_REPORT_IF_ERROR(ncclGetUniqueId(&id));
  if (MPI_Bcast(&id, sizeof(id), MPI_BYTE, 0, MPI_COMM_WORLD) != MPI_SUCCESS)
    fail("MPI_Bcast", "cannot broadcast the NCCL unique id");
  NCCL_REPORT_IF_ERROR(ncclCommInitRank(&replica.comm, size, id, rank));
  return 0;
#else
  std::fprintf(stderr, "replica-run: this NCCL runtime was built without "
                       "MPI: one process per GPU is not available\n");
  return 1;
#endif
}

/// Makes the calling thread run replica `rank` (on its device).
REPLICA_NCCL_EXPORT void replica_nccl_bind(int32_t rank) {
  if (state.multiProcess) {
    current = &state.replicas.front();
  } else {
    if (rank < 0 || rank >= state.numReplicas)
      fail("replica_nccl_bind", "replica %d is out of range [0, %d)", rank,
           state.numReplicas);
    current = &state.replicas[rank];
  }
  CUDA_REPORT_IF_ERROR(cuCtxSetCurrent(current->context));
}

REPLICA_NCCL_EXPORT void replica_nccl_finalize(void) {
  for (Replica &replica : state.replicas) {
    current = &replica;
    CUDA_REPORT_IF_ERROR(cuCtxSetCurrent(replica.context));
    CUDA_REPORT_IF_ERROR(cuStreamSynchronize(replica.compute));
    CUDA_REPORT_IF_ERROR(cuStreamSynchronize(replica.stream));
    freeDeferred(replica);
    NCCL_REPORT_IF_ERROR(ncclCommDestroy(replica.comm));
    CUDA_REPORT_IF_ERROR(cuEventDestroy(replica.computeReady));
    CUDA_REPORT_IF_ERROR(cuEventDestroy(replica.collectivesDone));
    CUDA_REPORT_IF_ERROR(cuStreamDestroy(replica.compute));
    CUDA_REPORT_IF_ERROR(cuStreamDestroy(replica.stream));
  }
  state.replicas.clear();
  current = nullptr;
#ifdef REPLICA_NCCL_WITH_MPI
  int initialized = 0, finalized = 0;
  MPI_Initialized(&initialized);
  MPI_Finalized(&finalized);
  if (state.multiProcess && initialized && !finalized)
    MPI_Finalize();
#endif
}

/// Ends the run with `code`, aborting the communicators first; safe to call
/// from a watchdog thread.
REPLICA_NCCL_EXPORT void replica_nccl_abort(int32_t code) {
  std::fprintf(stderr, "replica-run: aborting the NCCL communicators\n");
  abortAll(code);
}

/// Measures ncclAllReduce (f32 sum, out of place, every local replica's
/// call in one group) from 4 KiB to 256 MiB and the device's copy rate,
/// then prints, on the first replica, the times and the
/// replica-fuse-reductions options that fit them (as replica_mpi_calibrate
/// does for MPI).
REPLICA_NCCL_EXPORT void replica_nccl_calibrate(void) {
  constexpr size_t smallest = 4 << 10, largest = 256 << 20;
  struct Buffers {
    CUdeviceptr in = 0, out = 0;
  };
  std::vector<Buffers> buffers(state.replicas.size());
  for (size_t r = 0; r < state.replicas.size(); ++r) {
    current = &state.replicas[r];
    CUDA_REPORT_IF_ERROR(cuCtxSetCurrent(current->context));
    CUDA_REPORT_IF_ERROR(cuMemAlloc(&buffers[r].in, largest));
    CUDA_REPORT_IF_ERROR(cuMemAlloc(&buffers[r].out, largest));
    CUDA_REPORT_IF_ERROR(cuMemsetD32(buffers[r].in, 0x3f800000, largest / 4));
  }
  auto waitAll = [] {
    for (Replica &replica : state.replicas) {
      current = &replica;
      waitFor("replica_nccl_calibrate", replica.stream);
    }
  };
  auto slowest = [](double seconds) {
#ifdef REPLICA_NCCL_WITH_MPI
    if (state.multiProcess)
      MPI_Allreduce(MPI_IN_PLACE, &seconds, 1, MPI_DOUBLE, MPI_MAX,
                    MPI_COMM_WORLD);
#endif
    return seconds;
  };
  using Clock = std::chrono::steady_clock;
  std::vector<std::pair<size_t, double>> times;
  for (size_t bytes = smallest; bytes <= largest; bytes *= 4) {
    int repeats = static_cast<int>(
        std::min<size_t>(200, std::max<size_t>(5, (256u << 20) / bytes)));
    double best = 1e30;
    for (int i = 0; i < repeats + 1; ++i) {
#ifdef REPLICA_NCCL_WITH_MPI
      if (state.multiProcess)
        MPI_Barrier(MPI_COMM_WORLD);
#endif
      auto start = Clock::now();
      NCCL_REPORT_IF_ERROR(ncclGroupStart());
      for (size_t r = 0; r < state.replicas.size(); ++r) {
        Replica &replica = state.replicas[r];
        NCCL_REPORT_IF_ERROR(ncclAllReduce(
            reinterpret_cast<void *>(buffers[r].in),
            reinterpret_cast<void *>(buffers[r].out), bytes / sizeof(float),
            ncclFloat32, ncclSum, replica.comm, replica.stream));
      }
      NCCL_REPORT_IF_ERROR(ncclGroupEnd());
      waitAll();
      double elapsed =
          slowest(std::chrono::duration<double>(Clock::now() - start).count());
      if (i > 0)
        best = std::min(best, elapsed);
    }
    times.emplace_back(bytes, best);
  }
  // Device-to-device copy of the largest size on the first replica's GPU.
  Replica &first = state.replicas.front();
  current = &first;
  CUDA_REPORT_IF_ERROR(cuCtxSetCurrent(first.context));
  double copyBest = 1e30;
  for (int i = 0; i < 6; ++i) {
    auto start = Clock::now();
    CUDA_REPORT_IF_ERROR(cuMemcpyDtoDAsync(
        buffers.front().out, buffers.front().in, largest, first.stream));
    waitFor("replica_nccl_calibrate", first.stream);
    double elapsed =
        std::chrono::duration<double>(Clock::now() - start).count();
    if (i > 0)
      copyBest = std::min(copyBest, elapsed);
  }
  for (size_t r = 0; r < state.replicas.size(); ++r) {
    current = &state.replicas[r];
    CUDA_REPORT_IF_ERROR(cuCtxSetCurrent(current->context));
    CUDA_REPORT_IF_ERROR(cuMemFree(buffers[r].in));
    CUDA_REPORT_IF_ERROR(cuMemFree(buffers[r].out));
  }
  if (first.rank != 0)
    return;
  int size = state.numReplicas;
  double factor = 2.0 * (size - 1) / size;
  double bestPerByte = 1e30;
  for (auto [bytes, time] : times)
    bestPerByte = std::min(bestPerByte, time / bytes);
  size_t packBytes = times.back().first;
  for (auto [bytes, time] : times)
    if (time / bytes <= 1.1 * bestPerByte) {
      packBytes = bytes;
      break;
    }
  std::printf("ncclAllReduce of f32 on %d GPUs:\n", size);
  std::printf("%12s %12s %10s\n", "bytes", "us", "bus GB/s");
  for (auto [bytes, time] : times)
    std::printf("%12zu %12.1f %10.2f\n", bytes, time * 1e6,
                factor * bytes / time * 1e-9);
  std::printf("device copy: %.1f GB/s (%zu MiB read and written)\n",
              2.0 * largest / copyBest * 1e-9, largest >> 20);
  std::printf("options: bytes-per-pack=%zu latency-us=%.1f "
              "bandwidth-gbps=%.2f cost-table=",
              packBytes, times.front().second * 1e6,
              factor / bestPerByte * 1e-9);
  for (size_t i = 0; i < times.size(); ++i)
    std::printf("%s%zu:%.1f", i ? "," : "", times[i].first,
                times[i].second * 1e6);
  std::printf("\n");
  std::fflush(stdout);
}

REPLICA_NCCL_EXPORT int32_t replica_nccl_rank(void) {
  return getCurrent("replica_nccl_rank").rank;
}

REPLICA_NCCL_EXPORT void *replica_nccl_stream(void) {
  return getCurrent("replica_nccl_stream").stream;
}

REPLICA_NCCL_EXPORT void replica_nccl_group_start(void) {
  Replica &replica = getCurrent("replica_nccl_group_start");
  if (replica.groupDepth == 0)
    collectivesAfterCompute(replica);
  NCCL_REPORT_IF_ERROR(ncclGroupStart());
  ++replica.groupDepth;
}

/// Launches the group's collectives together; the kernels enqueued next
/// wait for them.
REPLICA_NCCL_EXPORT void replica_nccl_group_end(void *stream) {
  Replica &replica = getCurrent("replica_nccl_group_end");
  if (replica.groupDepth == 0)
    fail("replica_nccl_group_end", "no group was started");
  NCCL_REPORT_IF_ERROR(ncclGroupEnd());
  if (--replica.groupDepth == 0)
    computeAfterCollectives(replica);
}

/// Launches the group's collectives on `stream` and returns: the kernels
/// enqueued next on the compute stream run while they do.
REPLICA_NCCL_EXPORT void replica_nccl_group_launch(void *stream) {
  Replica &replica = getCurrent("replica_nccl_group_launch");
  if (replica.groupDepth == 0)
    fail("replica_nccl_group_launch", "no group was started");
  NCCL_REPORT_IF_ERROR(ncclGroupEnd());
  --replica.groupDepth;
}

/// The kernels enqueued next wait for what the replica's collective stream
/// runs, the launched collective that writes `out` included (and any
/// launched after it); the host goes on.
static void wait(const char *function, void *stream) {
  computeAfterCollectives(getCurrent(function));
}

#define REPLICA_DEFINE_COLLECTIVES(SUFFIX, ELEM)                               \
  REPLICA_NCCL_EXPORT void replica_nccl_wait_##SUFFIX(                         \
      REPLICA_MEMREF_PARAMS(in), REPLICA_MEMREF_PARAMS(out), void *stream) {   \
    wait("replica_nccl_wait_" #SUFFIX, stream);                                \
  }                                                                            \
  REPLICA_NCCL_EXPORT void replica_nccl_all_reduce_##SUFFIX(                   \
      REPLICA_MEMREF_PARAMS(in), REPLICA_MEMREF_PARAMS(out), int32_t op,       \
      void *stream) {                                                          \
    allReduce<ELEM>("replica_nccl_all_reduce_" #SUFFIX, REPLICA_MEMREF(in),    \
                    REPLICA_MEMREF(out), op, stream);                          \
  }                                                                            \
  REPLICA_NCCL_EXPORT void replica_nccl_reduce_##SUFFIX(                       \
      REPLICA_MEMREF_PARAMS(in), REPLICA_MEMREF_PARAMS(out), int32_t op,       \
      int32_t root, void *stream) {                                            \
    reduce<ELEM>("replica_nccl_reduce_" #SUFFIX, REPLICA_MEMREF(in),           \
                 REPLICA_MEMREF(out), op, root, stream);                       \
  }                                                                            \
  REPLICA_NCCL_EXPORT void replica_nccl_broadcast_##SUFFIX(                    \
      REPLICA_MEMREF_PARAMS(in), REPLICA_MEMREF_PARAMS(out), int32_t root,     \
      void *stream) {                                                          \
    broadcast<ELEM>("replica_nccl_broadcast_" #SUFFIX, REPLICA_MEMREF(in),     \
                    REPLICA_MEMREF(out), root, stream);                        \
  }                                                                            \
  REPLICA_NCCL_EXPORT void replica_nccl_all_gather_##SUFFIX(                   \
      REPLICA_MEMREF_PARAMS(in), REPLICA_MEMREF_PARAMS(out), void *stream) {   \
    allGather<ELEM>("replica_nccl_all_gather_" #SUFFIX, REPLICA_MEMREF(in),    \
                    REPLICA_MEMREF(out), stream);                              \
  }

REPLICA_DEFINE_COLLECTIVES(f32, F32)
REPLICA_DEFINE_COLLECTIVES(f64, F64)
REPLICA_DEFINE_COLLECTIVES(f16, F16)
REPLICA_DEFINE_COLLECTIVES(bf16, BF16)
REPLICA_DEFINE_COLLECTIVES(i32, I32)
REPLICA_DEFINE_COLLECTIVES(i64, I64)
#undef REPLICA_DEFINE_COLLECTIVES

//===----------------------------------------------------------------------===//
// Buffers of the program: managed memory (finalize-memref-to-llvm with
// use-generic-functions calls these for every memref.alloc/dealloc)
//===----------------------------------------------------------------------===//

/// `bytes` of memory the host and every device can address, at least
/// 256-byte aligned (cuMemAllocManaged rejects zero bytes).
static void *allocateManaged(size_t bytes) {
  currentContext();
  CUdeviceptr data = 0;
  CUDA_REPORT_IF_ERROR(
      cuMemAllocManaged(&data, bytes ? bytes : 1, CU_MEM_ATTACH_GLOBAL));
  return reinterpret_cast<void *>(data);
}

REPLICA_NCCL_EXPORT void *_mlir_memref_to_llvm_alloc(size_t bytes) {
  return allocateManaged(bytes);
}

REPLICA_NCCL_EXPORT void *_mlir_memref_to_llvm_aligned_alloc(size_t alignment,
                                                             size_t bytes) {
  if (alignment > 256)
    fail("_mlir_memref_to_llvm_aligned_alloc",
         "alignment %zu is above managed memory's 256 bytes", alignment);
  return allocateManaged(bytes);
}

/// The streams may still use the buffer: it is freed at the next wait for
/// the compute stream (which has waited for the collectives).
REPLICA_NCCL_EXPORT void _mlir_memref_to_llvm_free(void *data) {
  if (!data)
    return;
  if (!current || !current->compute) {
    CUDA_REPORT_IF_ERROR(cuMemFree(reinterpret_cast<CUdeviceptr>(data)));
    return;
  }
  current->deferredFrees.push_back(data);
  if (current->deferredFrees.size() >= kMaxDeferredFrees) {
    waitFor("_mlir_memref_to_llvm_free", current->compute);
    freeDeferred(*current);
  }
}

//===----------------------------------------------------------------------===//
// mgpu* entry points of gpu-to-llvm and the GPU binary's LLVM translation
//===----------------------------------------------------------------------===//

/// Keeps the image; each device loads it when it first looks a kernel up.
REPLICA_NCCL_EXPORT void *mgpuModuleLoad(void *data, size_t size) {
  auto *image = new Image;
  image->data.assign(static_cast<char *>(data),
                     static_cast<char *>(data) + size);
  return image;
}

REPLICA_NCCL_EXPORT void *mgpuModuleLoadJIT(void *data, int optLevel,
                                            size_t size) {
  auto *image = static_cast<Image *>(mgpuModuleLoad(data, size));
  // PTX is text: the driver needs its terminating null.
  image->data.push_back('\0');
  image->jitOptLevel = optLevel;
  return image;
}

REPLICA_NCCL_EXPORT void mgpuModuleUnload(void *module) {
  auto *image = static_cast<Image *>(module);
  for (auto &[context, loaded] : image->modules)
    cuModuleUnload(loaded);
  delete image;
}

REPLICA_NCCL_EXPORT CUfunction mgpuModuleGetFunction(void *module,
                                                     const char *name) {
  CUmodule loaded = static_cast<Image *>(module)->moduleFor(currentContext());
  CUfunction function = nullptr;
  CUDA_REPORT_IF_ERROR(cuModuleGetFunction(&function, loaded, name));
  return function;
}

REPLICA_NCCL_EXPORT void
mgpuLaunchKernel(CUfunction function, intptr_t gridX, intptr_t gridY,
                 intptr_t gridZ, intptr_t blockX, intptr_t blockY,
                 intptr_t blockZ, int32_t sharedMemoryBytes, CUstream stream,
                 void **params, void **extra, size_t /*paramsCount*/) {
  currentContext();
  CUDA_REPORT_IF_ERROR(cuLaunchKernel(function, gridX, gridY, gridZ, blockX,
                                      blockY, blockZ, sharedMemoryBytes, stream,
                                      params, extra));
}

/// The replica's compute stream, created once (replica-order-gpu-streams
/// takes one per function call).
REPLICA_NCCL_EXPORT CUstream mgpuStreamCreate(void) {
  currentContext();
  if (current)
    return current->compute;
  CUstream stream = nullptr;
  CUDA_REPORT_IF_ERROR(cuStreamCreate(&stream, CU_STREAM_NON_BLOCKING));
  return stream;
}

REPLICA_NCCL_EXPORT void mgpuStreamDestroy(CUstream stream) {
  if (current && stream == current->compute)
    return;
  CUDA_REPORT_IF_ERROR(cuStreamDestroy(stream));
}

/// The host waits for the compute stream (polling NCCL's asynchronous
/// errors: it has waited for the collectives); buffers freed meanwhile go.
REPLICA_NCCL_EXPORT void mgpuStreamSynchronize(CUstream stream) {
  if (!current || stream != current->compute) {
    CUDA_REPORT_IF_ERROR(cuStreamSynchronize(stream));
    return;
  }
  waitFor("mgpuStreamSynchronize", stream);
  freeDeferred(*current);
}

REPLICA_NCCL_EXPORT void mgpuStreamWaitEvent(CUstream stream, CUevent event) {
  CUDA_REPORT_IF_ERROR(cuStreamWaitEvent(stream, event, /*flags=*/0));
}

REPLICA_NCCL_EXPORT CUevent mgpuEventCreate(void) {
  currentContext();
  CUevent event = nullptr;
  CUDA_REPORT_IF_ERROR(cuEventCreate(&event, CU_EVENT_DISABLE_TIMING));
  return event;
}

REPLICA_NCCL_EXPORT void mgpuEventDestroy(CUevent event) {
  CUDA_REPORT_IF_ERROR(cuEventDestroy(event));
}

REPLICA_NCCL_EXPORT void mgpuEventSynchronize(CUevent event) {
  CUDA_REPORT_IF_ERROR(cuEventSynchronize(event));
}

REPLICA_NCCL_EXPORT void mgpuEventRecord(CUevent event, CUstream stream) {
  CUDA_REPORT_IF_ERROR(cuEventRecord(event, stream));
}

REPLICA_NCCL_EXPORT void *mgpuMemAlloc(uint64_t bytes, CUstream /*stream*/,
                                       bool isHostShared) {
  if (isHostShared)
    return allocateManaged(bytes);
  currentContext();
  CUdeviceptr data = 0;
  CUDA_REPORT_IF_ERROR(cuMemAlloc(&data, bytes ? bytes : 1));
  return reinterpret_cast<void *>(data);
}

REPLICA_NCCL_EXPORT void mgpuMemFree(void *data, CUstream /*stream*/) {
  CUDA_REPORT_IF_ERROR(cuMemFree(reinterpret_cast<CUdeviceptr>(data)));
}

REPLICA_NCCL_EXPORT void mgpuMemcpy(void *destination, void *source,
                                    size_t bytes, CUstream stream) {
  CUDA_REPORT_IF_ERROR(cuMemcpyAsync(reinterpret_cast<CUdeviceptr>(destination),
                                     reinterpret_cast<CUdeviceptr>(source),
                                     bytes, stream));
}

REPLICA_NCCL_EXPORT void mgpuMemset32(void *destination, unsigned int value,
                                      size_t count, CUstream stream) {
  CUDA_REPORT_IF_ERROR(cuMemsetD32Async(
      reinterpret_cast<CUdeviceptr>(destination), value, count, stream));
}

REPLICA_NCCL_EXPORT void mgpuMemset16(void *destination, unsigned short value,
                                      size_t count, CUstream stream) {
  CUDA_REPORT_IF_ERROR(cuMemsetD16Async(
      reinterpret_cast<CUdeviceptr>(destination), value, count, stream));
}

} // extern "C"
