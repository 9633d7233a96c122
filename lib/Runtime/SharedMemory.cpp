//===- SharedMemory.cpp - the MPI backend's shared-memory all-reduce ------===//
//
// The algorithm is DeepSpeed's distributed naive reduce (csrc/cpu/comm/shm.cpp,
// also in gloo's allreduce_shm.cc), in rounds that stage at most
// kStagingBytes per rank so that the staged data stays in cache:
//
//   1. every rank copies its inputs into its own staging area;   [staged]
//   2. node rank r reduces slice r of every rank's staged data, in rank order,
//      into its own staging area (then, across nodes, all-reduces the slice
//      over MPI with the ranks that hold slice r elsewhere);   [reduced]
//   3. every rank copies every reduced slice into its output.    [done]
//
// Each bracketed point is a phase: a rank bumps its counter in the window
// (release) and waits until every peer's counter reaches the same value
// (acquire). The wait after `done` is deferred to the next round's first write
// into the staging area. Exactly one rank computes each output element, so
// every rank ends with identical bits. Small rounds skip the slices: every
// rank reduces everything, one phase instead of two.
//
// Waits spin briefly, then sleep on a futex of the peer's counter, so ranks
// that outnumber the cores do not starve the peer they wait for.
//
//===----------------------------------------------------------------------===//

#include "SharedMemory.h"

#include "Float16.h"
#include "MPIErrors.h"

#include <mpi.h>

#if defined(__x86_64__)
#include <emmintrin.h>
#endif
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <type_traits>
#include <utility>

using namespace replica::runtime;
using namespace replica::runtime::shm;

namespace {

/// Per-rank staging: a round stages at most this much. Small enough that
/// every rank's staged round stays in the last-level cache, large enough
/// that a round's three phases cost little against its copies.
constexpr int64_t kStagingBytes = 2 << 20;
/// Placed all-reduces of this many bytes together (more than stays in
/// cache) write their results with streaming stores.
constexpr int64_t kStreamBytes = 8 << 20;
/// Rounds up to this size are reduced by every rank in full.
constexpr int64_t kSymmetricBytes = 32 << 10;
/// Staged items and slices start on their own cache line.
constexpr int64_t kLineBytes = 64;
/// The control block before the staging area, a page so that the staging
/// area is page-aligned.
constexpr int64_t kControlBytes = 4096;

/// The head of each rank's segment of the window.
struct Control {
  /// Phases this rank has passed; peers wait for it to reach theirs.
  alignas(kLineBytes) std::atomic<uint32_t> phase;
  /// Peers asleep on `phase`: the owner wakes them only when there are any.
  alignas(kLineBytes) std::atomic<uint32_t> sleepers;
  /// The owner's process, which a long wait checks is still alive.
  int32_t pid;
  /// Bounced between ranks at start-up to time a cache line's round trip.
  alignas(kLineBytes) std::atomic<uint32_t> echo;
};
static_assert(sizeof(Control) <= kControlBytes);
/// A segment, with room to align its start to a page: MPI aligns it less
/// (Open MPI 4.1: 8 bytes), alike in every process's mapping.
constexpr int64_t kPageBytes = 4096;
constexpr int64_t kSegmentBytes = kPageBytes + kControlBytes + kStagingBytes;
static_assert(std::atomic<uint32_t>::is_always_lock_free);

enum class Mode { Auto, SharedMemory, MPI };
enum class ReuseInputs { Off, On, Auto };

struct Transport {
  bool active = false;
  /// The ranks that share a window, and the ranks with the same node rank on
  /// every node.
  MPI_Comm node = MPI_COMM_NULL, cross = MPI_COMM_NULL;
  int nodeRank = 0, nodeSize = 1, numNodes = 1;
  MPI_Win window = MPI_WIN_NULL;
  /// Each node rank's control block and staging area.
  std::vector<Control *> controls;
  std::vector<char *> staging;
  /// The window for placed buffers (getWindow): the bytes of each rank's
  /// own buffers and of the shared results after them, and each node rank's
  /// segment where it is shared, else this rank's private memory.
  MPI_Win bufferWindow = MPI_WIN_NULL;
  int64_t bufferBytes = 0;
  int64_t sharedBytes = 0;
  std::vector<char *> buffers;
  char *privateBuffers = nullptr;
  /// Node rank -> world rank, for messages.
  std::vector<int> worldRanks;
  /// The phases this rank has passed.
  uint32_t phase = 0;
  /// Whether this rank has passed a `done` phase it has not waited for.
  bool donePending = false;
  /// Busy-wait iterations before a wait sleeps.
  int64_t spins = 0;
  /// Whether placed inputs give up their window range once launched.
  bool reuseInputs = false;
  std::string description = "MPI";
};
Transport transport;

/// Where this rank waits, for the timeout message.
std::atomic<const char *> waitingIn{nullptr};
std::atomic<int> waitingFor{-1};

long futex(std::atomic<uint32_t> *word, int op, uint32_t value,
           const timespec *timeout) {
  return syscall(SYS_futex, reinterpret_cast<uint32_t *>(word), op, value,
                 timeout, nullptr, 0);
}

void pause() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

/// Whether counter `value` has reached `target`, modulo 2^32.
bool reached(uint32_t value, uint32_t target) {
  return static_cast<int32_t>(value - target) >= 0;
}

/// Copies `bytes` to `to` with stores that bypass the cache where `to` is
/// aligned for them; the caller fences (streamFence) before another rank may
/// read `to`. A large result is not read again before it is evicted, and
/// streaming saves reading each of its lines from memory before overwriting
/// it (bench/transport.cpp here: slices copied 25-30 % faster from 4 MiB
/// up, shared results of 16-256 MiB reduced at 7.7 GB/s instead of 5.2).
void streamCopy(char *to, const char *from, int64_t bytes) {
#if defined(__x86_64__)
  if (reinterpret_cast<uintptr_t>(to) % 16 == 0) {
    int64_t vectors = bytes / 16;
    auto *out = reinterpret_cast<__m128i *>(to);
    const auto *in = reinterpret_cast<const __m128i *>(from);
    for (int64_t i = 0; i < vectors; ++i)
      _mm_stream_si128(out + i, _mm_loadu_si128(in + i));
    std::memcpy(to + vectors * 16, from + vectors * 16, bytes % 16);
    return;
  }
#endif
  std::memcpy(to, from, bytes);
}

/// Streaming stores are weakly ordered: they must be visible before the
/// phase that follows says the data is there.
void streamFence() {
#if defined(__x86_64__)
  _mm_sfence();
#endif
}

/// Passes the next phase and wakes the peers asleep on it.
void post() {
  Control &self = *transport.controls[transport.nodeRank];
  self.phase.store(++transport.phase, std::memory_order_seq_cst);
  if (self.sleepers.load(std::memory_order_seq_cst) != 0)
    futex(&self.phase, FUTEX_WAKE, INT_MAX, nullptr);
}

/// Waits until node rank `peer` has passed this rank's last phase.
void waitFor(const char *function, int peer) {
  Control &control = *transport.controls[peer];
  uint32_t target = transport.phase;
  for (int64_t i = 0; i < transport.spins; ++i) {
    if (reached(control.phase.load(std::memory_order_acquire), target))
      return;
    pause();
  }
  waitingIn.store(function);
  waitingFor.store(transport.worldRanks[peer]);
  control.sleepers.fetch_add(1, std::memory_order_seq_cst);
  // A peer that died without MPI noticing would leave us here: check it
  // every second of sleep.
  constexpr timespec kSleep = {0, 10'000'000};
  for (int sleeps = 1;; ++sleeps) {
    uint32_t value = control.phase.load(std::memory_order_seq_cst);
    if (reached(value, target))
      break;
    futex(&control.phase, FUTEX_WAIT, value, &kSleep);
    if (sleeps % 100 == 0 && kill(control.pid, 0) != 0 && errno == ESRCH)
      fail(function,
           "rank %d ended during the shared-memory all-reduce; rank %d "
           "waited for it",
           transport.worldRanks[peer], worldRank);
  }
  control.sleepers.fetch_sub(1, std::memory_order_seq_cst);
  waitingIn.store(nullptr);
}

/// Waits until every peer has passed this rank's last phase.
void waitForAll(const char *function) {
  for (int peer = 0; peer < transport.nodeSize; ++peer)
    if (peer != transport.nodeRank)
      waitFor(function, peer);
}

/// Passes a phase and waits for every peer to pass it.
void synchronize(const char *function) {
  post();
  waitForAll(function);
}

/// Waits for the peers to finish reading this rank's staging area.
void waitForDone(const char *function) {
  if (!transport.donePending)
    return;
  waitForAll(function);
  transport.donePending = false;
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

enum Kind : int32_t { Sum = 0, Mean = 1, Max = 2, Min = 3, Prod = 4 };

/// Element types: their storage, the type they accumulate in (f32 for the
/// 16-bit floats) and the conversions between the two.
template <typename T> struct Native {
  using Storage = T;
  using Acc = T;
  static Acc load(T value) { return value; }
  static T store(Acc value) { return value; }
};
struct Half {
  using Storage = uint16_t;
  using Acc = float;
  static float load(uint16_t value) { return halfToFloat(value); }
  static uint16_t store(float value) { return floatToHalf(value); }
};
struct BFloat {
  using Storage = uint16_t;
  using Acc = float;
  static float load(uint16_t value) { return bfloat16ToFloat(value); }
  static uint16_t store(float value) { return floatToBfloat16(value); }
};

template <typename T> MPI_Datatype getMPIType() {
  if constexpr (std::is_same_v<T, float>)
    return MPI_FLOAT;
  else if constexpr (std::is_same_v<T, double>)
    return MPI_DOUBLE;
  else if constexpr (std::is_same_v<T, int32_t>)
    return MPI_INT32_T;
  else
    return MPI_INT64_T;
}

/// Sums and products of integers wrap, as MPI's do, without overflowing.
template <typename T> T add(T a, T b) {
  if constexpr (std::is_integral_v<T>)
    return static_cast<T>(static_cast<std::make_unsigned_t<T>>(a) +
                          static_cast<std::make_unsigned_t<T>>(b));
  else
    return a + b;
}
template <typename T> T multiply(T a, T b) {
  if constexpr (std::is_integral_v<T>)
    return static_cast<T>(static_cast<std::make_unsigned_t<T>>(a) *
                          static_cast<std::make_unsigned_t<T>>(b));
  else
    return a * b;
}

/// acc[i] = sources[0][i] op ... op sources[n-1][i], in source order.
template <typename E, typename Combine>
void combineSources(Combine combine, char *const *sources, int numSources,
                    int64_t count, typename E::Acc *acc) {
  using Storage = typename E::Storage;
  const auto *first = reinterpret_cast<const Storage *>(sources[0]);
  int source = 1;
  if (numSources == 1) {
    for (int64_t i = 0; i < count; ++i)
      acc[i] = E::load(first[i]);
  } else {
    // The first two sources in one pass over the block.
    const auto *second = reinterpret_cast<const Storage *>(sources[1]);
    for (int64_t i = 0; i < count; ++i)
      acc[i] = combine(E::load(first[i]), E::load(second[i]));
    source = 2;
  }
  for (; source < numSources; ++source) {
    const auto *data = reinterpret_cast<const Storage *>(sources[source]);
    for (int64_t i = 0; i < count; ++i)
      acc[i] = combine(acc[i], E::load(data[i]));
  }
}

template <typename E>
void combineKind(int32_t kind, char *const *sources, int numSources,
                 int64_t count, typename E::Acc *acc) {
  using Acc = typename E::Acc;
  switch (kind) {
  case Sum:
  case Mean:
    return combineSources<E>(add<Acc>, sources, numSources, count, acc);
  case Max:
    return combineSources<E>([](Acc a, Acc b) { return b > a ? b : a; },
                             sources, numSources, count, acc);
  case Min:
    return combineSources<E>([](Acc a, Acc b) { return b < a ? b : a; },
                             sources, numSources, count, acc);
  case Prod:
    return combineSources<E>(multiply<Acc>, sources, numSources, count, acc);
  }
}

/// Writes acc into `out`, a mean divided once by the number of ranks.
template <typename E>
void finish(int32_t kind, typename E::Acc *acc, int64_t count, char *out) {
  using Acc = typename E::Acc;
  auto *data = reinterpret_cast<typename E::Storage *>(out);
  if (kind == Mean) {
    int size = transport.nodeSize * transport.numNodes;
    for (int64_t i = 0; i < count; ++i)
      data[i] = E::store(acc[i] / static_cast<Acc>(size));
    return;
  }
  for (int64_t i = 0; i < count; ++i)
    data[i] = E::store(acc[i]);
}

/// Reduces `count` elements at `sources` (one per node rank) into `out`;
/// across nodes, also over the cross communicator. `out` may be one of the
/// sources: each block is read in full before it is written. With `stream`,
/// a node's result is written with streaming stores (fenced by the caller).
template <typename E>
void reduce(const AllReduce &op, char *const *sources, int64_t count, char *out,
            bool stream) {
  int32_t kind = op.kind;
  using Acc = typename E::Acc;
  constexpr int64_t elementSize = sizeof(typename E::Storage);
  int numSources = transport.nodeSize;
  if (transport.numNodes > 1) {
    // The node's partial result goes over MPI whole, in the accumulation
    // type.
    static thread_local std::vector<Acc> wide;
    wide.resize(count);
    combineKind<E>(kind, sources, numSources, count, wide.data());
    MPI_REPORT_IF_ERROR(
        MPI_Allreduce(MPI_IN_PLACE, wide.data(), static_cast<int>(count),
                      getMPIType<Acc>(), op.mpiOp, transport.cross));
    finish<E>(kind, wide.data(), count, out);
    return;
  }
  constexpr int64_t kBlock = 2048;
  Acc acc[kBlock];
  // A streamed block is finished in cache, then streamed out.
  alignas(kLineBytes) char result[kBlock * elementSize];
  std::vector<char *> block(sources, sources + numSources);
  for (int64_t begin = 0; begin < count; begin += kBlock) {
    int64_t length = std::min(kBlock, count - begin);
    for (int source = 0; source < numSources; ++source)
      block[source] = sources[source] + begin * elementSize;
    combineKind<E>(kind, block.data(), numSources, length, acc);
    char *to = out + begin * elementSize;
    if (!stream) {
      finish<E>(kind, acc, length, to);
      continue;
    }
    finish<E>(kind, acc, length, result);
    streamCopy(to, result, length * elementSize);
  }
}

void reduce(const AllReduce &op, char *const *sources, int64_t count, char *out,
            bool stream = false) {
  switch (op.type) {
  case ElementType::F32:
    return reduce<Native<float>>(op, sources, count, out, stream);
  case ElementType::F64:
    return reduce<Native<double>>(op, sources, count, out, stream);
  case ElementType::I32:
    return reduce<Native<int32_t>>(op, sources, count, out, stream);
  case ElementType::I64:
    return reduce<Native<int64_t>>(op, sources, count, out, stream);
  case ElementType::F16:
    return reduce<Half>(op, sources, count, out, stream);
  case ElementType::BF16:
    return reduce<BFloat>(op, sources, count, out, stream);
  }
}

int64_t getElementSize(ElementType type) {
  switch (type) {
  case ElementType::F32:
  case ElementType::I32:
    return 4;
  case ElementType::F64:
  case ElementType::I64:
    return 8;
  case ElementType::F16:
  case ElementType::BF16:
    return 2;
  }
  return 1;
}

int64_t alignTo(int64_t value, int64_t alignment) {
  return (value + alignment - 1) / alignment * alignment;
}

//===----------------------------------------------------------------------===//
// Rounds
//===----------------------------------------------------------------------===//

/// Elements [first, first + count) of an all-reduce, staged at `offset`.
struct Item {
  const AllReduce *op;
  int64_t first;
  int64_t count;
  int64_t offset;
};

/// The elements of `count` elements of `type` that node rank `rank`
/// reduces: slices of equal whole cache lines, in rank order.
std::pair<int64_t, int64_t> getSlice(int64_t count, ElementType type,
                                     int rank) {
  int64_t perLine = kLineBytes / getElementSize(type);
  int64_t length =
      alignTo((count + transport.nodeSize - 1) / transport.nodeSize, perLine);
  int64_t begin = std::min(count, rank * length);
  return {begin, std::min(count, begin + length)};
}
std::pair<int64_t, int64_t> getSlice(const Item &item, int rank) {
  return getSlice(item.count, item.op->type, rank);
}

/// An all-reduce whose input and output lie in the shared window, at these
/// offsets: the output in this rank's segment, or with `sharedOut` among
/// the results every rank reads from the first rank's segment.
struct Placed {
  const AllReduce *op;
  int64_t in;
  int64_t out;
  bool sharedOut;
};

/// The offset of `bytes` at `data` from `base` if they lie in
/// [base + begin, base + end); -1 otherwise.
int64_t getOffset(const char *base, int64_t begin, int64_t end,
                  const char *data, int64_t bytes) {
  auto at = reinterpret_cast<uintptr_t>(data);
  auto from = reinterpret_cast<uintptr_t>(base);
  if (at < from + begin || at + bytes > from + end)
    return -1;
  return static_cast<int64_t>(at - from);
}

/// Reduces placed all-reduces where they lie: node rank r reduces slice r
/// of every rank's input into its output (its own, or the shared one); a
/// rank with its own output then copies the other slices from the other
/// ranks' outputs, and waits for them to have copied its slice before
/// returning (the program may write these buffers next). Shared results
/// need neither: once every slice is reduced, the ranks are done.
void runPlaced(const std::vector<Placed> &ops) {
  const char *function = ops.front().op->function;
  int self = transport.nodeRank, size = transport.nodeSize;
  waitForDone(function);
  synchronize(function);
  // The bytes of shared results and of results each rank copies.
  int64_t shared = 0, copied = 0;
  for (const Placed &placed : ops)
    (placed.sharedOut ? shared : copied) +=
        placed.op->count * getElementSize(placed.op->type);
  // Shared results larger than the cache are written past it; a rank's own
  // reduced slices stay in cache for its peers to copy next.
  bool streamShared = shared >= kStreamBytes;
  std::vector<char *> sources(size);
  for (const Placed &placed : ops) {
    const AllReduce &op = *placed.op;
    int64_t elementSize = getElementSize(op.type);
    auto [begin, end] = getSlice(op.count, op.type, self);
    for (int rank = 0; rank < size; ++rank)
      sources[rank] = transport.buffers[rank] + placed.in + begin * elementSize;
    char *out = transport.buffers[placed.sharedOut ? 0 : self] + placed.out;
    reduce(op, sources.data(), end - begin, out + begin * elementSize,
           streamShared && placed.sharedOut);
  }
  if (streamShared)
    streamFence();
  synchronize(function);
  if (copied == 0)
    return;
  bool streamCopies = copied >= kStreamBytes;
  for (const Placed &placed : ops) {
    if (placed.sharedOut)
      continue;
    const AllReduce &op = *placed.op;
    int64_t elementSize = getElementSize(op.type);
    for (int step = 1; step < size; ++step) {
      int rank = (self + step) % size;
      auto [begin, end] = getSlice(op.count, op.type, rank);
      int64_t at = placed.out + begin * elementSize;
      char *to = transport.buffers[self] + at;
      const char *from = transport.buffers[rank] + at;
      int64_t sliceBytes = (end - begin) * elementSize;
      if (streamCopies)
        streamCopy(to, from, sliceBytes);
      else
        std::memcpy(to, from, sliceBytes);
    }
  }
  if (streamCopies)
    streamFence();
  synchronize(function);
}

/// Stage, reduce, copy out: one round of items that fit the staging area.
void runRound(const std::vector<Item> &items, int64_t bytes) {
  const char *function = items.front().op->function;
  int self = transport.nodeRank, size = transport.nodeSize;
  waitForDone(function);
  for (const Item &item : items) {
    int64_t elementSize = getElementSize(item.op->type);
    std::memcpy(transport.staging[self] + item.offset,
                item.op->in + item.first * elementSize,
                item.count * elementSize);
  }
  synchronize(function);

  std::vector<char *> sources(size);
  auto setSources = [&](const Item &item, int64_t begin) {
    int64_t at = item.offset + begin * getElementSize(item.op->type);
    for (int rank = 0; rank < size; ++rank)
      sources[rank] = transport.staging[rank] + at;
  };

  if (bytes <= kSymmetricBytes && transport.numNodes == 1) {
    for (const Item &item : items) {
      setSources(item, 0);
      reduce(*item.op, sources.data(), item.count,
             item.op->out + item.first * getElementSize(item.op->type));
    }
    post();
    transport.donePending = true;
    return;
  }

  for (const Item &item : items) {
    auto [begin, end] = getSlice(item, self);
    setSources(item, begin);
    reduce(*item.op, sources.data(), end - begin, sources[self]);
  }
  synchronize(function);

  // Every rank starts with the next rank's slice, so the ranks do not all
  // read one segment at once.
  for (const Item &item : items) {
    int64_t elementSize = getElementSize(item.op->type);
    for (int step = 1; step <= size; ++step) {
      int rank = (self + step) % size;
      auto [begin, end] = getSlice(item, rank);
      std::memcpy(item.op->out + (item.first + begin) * elementSize,
                  transport.staging[rank] + item.offset + begin * elementSize,
                  (end - begin) * elementSize);
    }
  }
  post();
  transport.donePending = true;
}

Mode getMode() {
  const char *value = std::getenv("REPLICA_MPI_TRANSPORT");
  if (!value || !*value || std::strcmp(value, "auto") == 0)
    return Mode::Auto;
  if (std::strcmp(value, "shm") == 0)
    return Mode::SharedMemory;
  if (std::strcmp(value, "mpi") == 0)
    return Mode::MPI;
  fail("replica_mpi_init",
       "REPLICA_MPI_TRANSPORT=%s: expected auto, shm or mpi", value);
}

/// REPLICA_MPI_VIRTUAL_NODE_SIZE: split each node into nodes of that many
/// ranks (0 when unset).
int getVirtualNodeSize() {
  const char *value = std::getenv("REPLICA_MPI_VIRTUAL_NODE_SIZE");
  if (!value || !*value)
    return 0;
  char *end = nullptr;
  long size = std::strtol(value, &end, 10);
  if (*end || size <= 0 || size > INT_MAX)
    fail("replica_mpi_init",
         "REPLICA_MPI_VIRTUAL_NODE_SIZE=%s: expected a positive number of "
         "ranks",
         value);
  return static_cast<int>(size);
}

int getCommSize(MPI_Comm comm) {
  int size = 0;
  MPI_REPORT_IF_ERROR(MPI_Comm_size(comm, &size));
  return size;
}

int getCommRank(MPI_Comm comm) {
  int rank = 0;
  MPI_REPORT_IF_ERROR(MPI_Comm_rank(comm, &rank));
  return rank;
}

void freeComms() {
  if (transport.node != MPI_COMM_NULL)
    MPI_REPORT_IF_ERROR(MPI_Comm_free(&transport.node));
  if (transport.cross != MPI_COMM_NULL)
    MPI_REPORT_IF_ERROR(MPI_Comm_free(&transport.cross));
}

std::string getErrorString(int result) {
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  if (MPI_Error_string(result, text, &length) != MPI_SUCCESS)
    std::snprintf(text, sizeof(text), "MPI error code %d", result);
  return text;
}

/// Each node rank's segment of `window`, aligned to a page.
std::vector<char *> querySegments(MPI_Win window) {
  std::vector<char *> segments(transport.nodeSize);
  for (int rank = 0; rank < transport.nodeSize; ++rank) {
    MPI_Aint bytes = 0;
    int unit = 0;
    char *base = nullptr;
    MPI_REPORT_IF_ERROR(
        MPI_Win_shared_query(window, rank, &bytes, &unit, &base));
    segments[rank] =
        base + (alignTo(reinterpret_cast<uintptr_t>(base), kPageBytes) -
                reinterpret_cast<uintptr_t>(base));
  }
  return segments;
}

/// Allocates this rank's segment of the node's window; false, with the
/// reason in `why`, where MPI cannot.
bool allocateWindow(std::string &why) {
  MPI_Info info;
  MPI_REPORT_IF_ERROR(MPI_Info_create(&info));
  // Each rank's segment on its own pages, first touched by its owner.
  MPI_REPORT_IF_ERROR(MPI_Info_set(info, "alloc_shared_noncontig", "true"));
  char *base = nullptr;
  int result = MPI_Win_allocate_shared(kSegmentBytes, 1, info, transport.node,
                                       &base, &transport.window);
  MPI_REPORT_IF_ERROR(MPI_Info_free(&info));
  if (result == MPI_SUCCESS)
    return true;
  why = "MPI_Win_allocate_shared failed on rank " + std::to_string(worldRank) +
        ": " + getErrorString(result);
  return false;
}

/// Maps every node rank's segment and publishes this rank's control block.
void mapSegments() {
  int size = transport.nodeSize;
  transport.controls.resize(size);
  transport.staging.resize(size);
  std::vector<char *> segments = querySegments(transport.window);
  for (int rank = 0; rank < size; ++rank) {
    transport.controls[rank] = reinterpret_cast<Control *>(segments[rank]);
    transport.staging[rank] = segments[rank] + kControlBytes;
  }
  Control *self = new (transport.controls[transport.nodeRank]) Control();
  self->phase.store(0);
  self->sleepers.store(0);
  self->pid = getpid();
  self->echo.store(0);
  // Fault the staging area in now, not in the first timed round.
  std::memset(transport.staging[transport.nodeRank], 0, kStagingBytes);
  transport.worldRanks.resize(size);
  MPI_REPORT_IF_ERROR(MPI_Allgather(&worldRank, 1, MPI_INT,
                                    transport.worldRanks.data(), 1, MPI_INT,
                                    transport.node));
  // Every control block is initialized before any peer reads it.
  MPI_REPORT_IF_ERROR(MPI_Barrier(transport.node));
}

/// Whether every rank of `machine` has a core of its own: the ranks'
/// affinity masks are disjoint (mpirun binds each of few ranks to a core)
/// or every rank may run on as many cores as there are ranks. Collective
/// over `machine`.
bool haveOwnCores(MPI_Comm machine) {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) != 0)
    CPU_ZERO(&set);
  int total = CPU_COUNT(&set), fewest = total;
  MPI_REPORT_IF_ERROR(
      MPI_Allreduce(MPI_IN_PLACE, &total, 1, MPI_INT, MPI_SUM, machine));
  MPI_REPORT_IF_ERROR(
      MPI_Allreduce(MPI_IN_PLACE, &fewest, 1, MPI_INT, MPI_MIN, machine));
  static_assert(sizeof(set) % sizeof(uint64_t) == 0);
  MPI_REPORT_IF_ERROR(MPI_Allreduce(MPI_IN_PLACE, &set,
                                    sizeof(set) / sizeof(uint64_t),
                                    MPI_UINT64_T, MPI_BOR, machine));
  int cores = CPU_COUNT(&set), size = getCommSize(machine);
  bool disjoint = total == cores;
  return cores >= size && (disjoint || fewest >= size);
}

/// The smallest and largest of `value` over MPI_COMM_WORLD.
std::pair<int, int> getExtremes(int value) {
  int extremes[2] = {-value, value};
  MPI_REPORT_IF_ERROR(MPI_Allreduce(MPI_IN_PLACE, extremes, 2, MPI_INT, MPI_MAX,
                                    MPI_COMM_WORLD));
  return {-extremes[0], extremes[1]};
}

/// The slowest round trip of a cache line, in nanoseconds, between node
/// rank 0 and another node rank, each writing its own control block's
/// `echo` and spinning on the other's; infinite where a pair takes longer
/// than a few milliseconds (a rank without a core of its own). Collective
/// over the node.
double measureRoundTrip() {
  using Clock = std::chrono::steady_clock;
  constexpr uint32_t kWarmup = 100, kTrips = 2000;
  constexpr auto kLimit = std::chrono::milliseconds(5);
  std::atomic<uint32_t> &first = transport.controls[0]->echo;
  double slowest = 0;
  for (int peer = 1; peer < transport.nodeSize; ++peer) {
    MPI_REPORT_IF_ERROR(MPI_Barrier(transport.node));
    int self = transport.nodeRank;
    if (self != 0 && self != peer)
      continue;
    std::atomic<uint32_t> &other = transport.controls[peer]->echo;
    std::atomic<uint32_t> &mine = self == 0 ? first : other;
    std::atomic<uint32_t> &theirs = self == 0 ? other : first;
    uint32_t base = (peer - 1) * (kWarmup + kTrips);
    Clock::time_point begin = Clock::now(), timed = begin;
    // Both wait for the other's echo of each trip; either gives up once the
    // pair has taken too long, and then so does the other.
    auto await = [&](uint32_t value) {
      for (uint32_t spin = 1; theirs.load(std::memory_order_acquire) != value;
           ++spin) {
        pause();
        if (spin % 1024 == 0 && Clock::now() - begin > kLimit)
          return false;
      }
      return true;
    };
    bool done = true;
    for (uint32_t trip = 1; done && trip <= kWarmup + kTrips; ++trip) {
      if (trip == kWarmup + 1)
        timed = Clock::now();
      if (self == 0) {
        mine.store(base + trip, std::memory_order_release);
        done = await(base + trip);
      } else {
        done = await(base + trip);
        mine.store(base + trip, std::memory_order_release);
      }
    }
    if (self != 0)
      continue;
    double ns =
        std::chrono::duration<double, std::nano>(Clock::now() - timed).count();
    slowest = done ? std::max(slowest, ns / kTrips) : HUGE_VAL;
  }
  MPI_REPORT_IF_ERROR(MPI_Bcast(&slowest, 1, MPI_DOUBLE, 0, transport.node));
  return slowest;
}

/// REPLICA_MPI_REUSE_INPUTS=auto|on|off, the same on every rank:
/// whether a placed input's window range may hold later buffers once its
/// all-reduce is launched. Collective over MPI_COMM_WORLD.
ReuseInputs getReuseInputsMode() {
  const char *value = std::getenv("REPLICA_MPI_REUSE_INPUTS");
  ReuseInputs mode;
  if (!value || !*value || std::strcmp(value, "auto") == 0)
    mode = ReuseInputs::Auto;
  else if (std::strcmp(value, "on") == 0)
    mode = ReuseInputs::On;
  else if (std::strcmp(value, "off") == 0)
    mode = ReuseInputs::Off;
  else
    fail("replica_mpi_init",
         "REPLICA_MPI_REUSE_INPUTS=%s: expected auto, on or off", value);
  auto [fewest, most] = getExtremes(static_cast<int>(mode));
  if (fewest != most)
    fail("replica_mpi_init", "REPLICA_MPI_REUSE_INPUTS differs between ranks");
  return mode;
}

/// Whether to reuse inputs over shared memory. Auto reuses where the
/// node's ranks share a cache, which keeps a step's inputs in it; where
/// they do not, a rank overwriting a range its peers have read waits for
/// their copies to be invalidated, slower than writing fresh memory
/// (resnet50's gradient step on 2 ranks: 10-13 ms against 18-21 with the
/// ranks on cores of one cache, 23-31 against 18-21 across two).
/// Collective over MPI_COMM_WORLD.
bool getReuseInputs(ReuseInputs mode, bool spin) {
  // A round trip within one cache takes tens of nanoseconds, between
  // caches (chiplets, sockets) hundreds.
  constexpr double kSharedCacheNs = 250;
  int reuse = mode == ReuseInputs::On || (mode == ReuseInputs::Auto && spin &&
                                          measureRoundTrip() < kSharedCacheNs);
  // Every rank places its buffers alike.
  MPI_REPORT_IF_ERROR(
      MPI_Allreduce(MPI_IN_PLACE, &reuse, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD));
  return reuse != 0;
}

} // namespace

void shm::init() {
  Mode mode = getMode();
  ReuseInputs reuseInputs = getReuseInputsMode();
  if (mode == Mode::MPI) {
    transport.description = "MPI (REPLICA_MPI_TRANSPORT=mpi)";
    return;
  }
  int virtualNodeSize = getVirtualNodeSize();
  MPI_REPORT_IF_ERROR(MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED,
                                          worldRank, MPI_INFO_NULL,
                                          &transport.node));
  // Spinning only helps while every rank of the machine (of every virtual
  // node on it) has a core of its own; then a wait spins for about a
  // millisecond, which covers the imbalance between ranks in a step without
  // the futex calls, each tens of microseconds.
  bool spin = haveOwnCores(transport.node);
  if (virtualNodeSize > 0) {
    MPI_Comm virtualNode;
    int rank = getCommRank(transport.node);
    MPI_REPORT_IF_ERROR(MPI_Comm_split(transport.node, rank / virtualNodeSize,
                                       rank, &virtualNode));
    MPI_REPORT_IF_ERROR(MPI_Comm_free(&transport.node));
    transport.node = virtualNode;
  }
  MPI_REPORT_IF_ERROR(
      MPI_Comm_set_errhandler(transport.node, MPI_ERRORS_RETURN));
  transport.nodeRank = getCommRank(transport.node);
  transport.nodeSize = getCommSize(transport.node);
  MPI_REPORT_IF_ERROR(MPI_Comm_split(MPI_COMM_WORLD, transport.nodeRank,
                                     worldRank, &transport.cross));
  transport.numNodes = getCommSize(transport.cross);
  int worldSize = getCommSize(MPI_COMM_WORLD);

  // Every rank reaches the same verdict, from collective facts.
  auto [smallest, largest] = getExtremes(transport.nodeSize);
  // The reason shared memory cannot be used, printed by `reporter`.
  std::string why;
  int reporter = 0;
  if (worldSize > 1 && largest == 1) {
    why = "no two ranks share a node";
  } else if (smallest != largest) {
    why = "nodes hold different numbers of ranks (" + std::to_string(smallest) +
          " to " + std::to_string(largest) + ")";
  } else {
    std::string failure;
    int firstFailed = allocateWindow(failure) ? worldSize : worldRank;
    MPI_REPORT_IF_ERROR(MPI_Allreduce(MPI_IN_PLACE, &firstFailed, 1, MPI_INT,
                                      MPI_MIN, MPI_COMM_WORLD));
    if (firstFailed < worldSize) {
      // A window that some rank could not have is left alone: freeing it
      // would be a collective that rank never joins.
      transport.window = MPI_WIN_NULL;
      why = worldRank == firstFailed ? failure : "a rank's window failed";
      reporter = firstFailed;
    }
  }
  if (!why.empty()) {
    freeComms();
    if (worldRank == reporter) {
      if (mode == Mode::SharedMemory)
        fail("replica_mpi_init",
             "REPLICA_MPI_TRANSPORT=shm, but shared memory cannot be used: "
             "%s",
             why.c_str());
      std::fprintf(stderr,
                   "replica-run: all-reduce over MPI, not shared memory: %s\n",
                   why.c_str());
    }
    // The others wait for the reporter, which may end the run.
    MPI_REPORT_IF_ERROR(MPI_Barrier(MPI_COMM_WORLD));
    transport.description = "MPI (shared memory cannot be used: " + why + ")";
    return;
  }
  mapSegments();
  transport.spins = spin ? 1 << 16 : 64;
  transport.reuseInputs = getReuseInputs(reuseInputs, spin);
  transport.active = true;
  transport.description =
      "shared memory, " + std::to_string(transport.numNodes) + " node" +
      (transport.numNodes == 1 ? "" : "s") + " of " +
      std::to_string(transport.nodeSize) +
      (transport.numNodes == 1 ? "" : " (hierarchical over MPI)");
}

bool shm::isActive() { return transport.active; }

bool shm::reusesInputs() { return transport.active && transport.reuseInputs; }

const char *shm::describe() { return transport.description.c_str(); }

void shm::allReduce(const std::vector<AllReduce> &ops) {
  // Placed all-reduces are reduced where they lie, together (at every size:
  // 1 us for 4 KiB into a shared result against 2 us staged).
  std::vector<Placed> placed;
  std::vector<const AllReduce *> staged;
  for (const AllReduce &op : ops) {
    int64_t bytes = op.count * getElementSize(op.type);
    int64_t in = -1, out = -1, sharedOut = -1;
    if (!transport.buffers.empty()) {
      const char *own = transport.buffers[transport.nodeRank];
      in = getOffset(own, 0, transport.bufferBytes, op.in, bytes);
      out = getOffset(own, 0, transport.bufferBytes, op.out, bytes);
      sharedOut = getOffset(transport.buffers[0], transport.bufferBytes,
                            transport.bufferBytes + transport.sharedBytes,
                            op.out, bytes);
    }
    if (in >= 0 && (out >= 0 || sharedOut >= 0))
      placed.push_back({&op, in, out >= 0 ? out : sharedOut, out < 0});
    else
      staged.push_back(&op);
  }
  if (!placed.empty())
    runPlaced(placed);

  // The others in items of at most a staging area each, packed into rounds
  // in order.
  std::vector<Item> round;
  int64_t used = 0;
  for (const AllReduce *staging : staged) {
    const AllReduce &op = *staging;
    int64_t elementSize = getElementSize(op.type);
    int64_t perRound = kStagingBytes / elementSize;
    for (int64_t first = 0; first < op.count; first += perRound) {
      int64_t count = std::min(perRound, op.count - first);
      int64_t offset = alignTo(used, kLineBytes);
      if (offset + count * elementSize > kStagingBytes) {
        runRound(round, used);
        round.clear();
        offset = 0;
      }
      round.push_back({&op, first, count, offset});
      used = offset + count * elementSize;
    }
  }
  if (!round.empty())
    runRound(round, used);
}

char *shm::getWindow(const char *function, int64_t bytes, int64_t sharedBytes) {
  if (transport.bufferBytes != 0) {
    if (bytes != transport.bufferBytes || sharedBytes != transport.sharedBytes)
      fail(function,
           "the program asks for a window of %lld + %lld shared bytes, but "
           "the window has %lld + %lld",
           static_cast<long long>(bytes), static_cast<long long>(sharedBytes),
           static_cast<long long>(transport.bufferBytes),
           static_cast<long long>(transport.sharedBytes));
    return transport.privateBuffers ? transport.privateBuffers
                                    : transport.buffers[transport.nodeRank];
  }
  if (bytes <= 0 || sharedBytes < 0)
    fail(function, "a window of %lld + %lld shared bytes",
         static_cast<long long>(bytes), static_cast<long long>(sharedBytes));
  transport.bufferBytes = bytes;
  transport.sharedBytes = sharedBytes;
  // Every rank's segment has room for the shared results; only the first
  // rank's are used (and, being untouched elsewhere, take no memory).
  int64_t segmentBytes = bytes + sharedBytes;
  if (transport.active) {
    MPI_Info info;
    MPI_REPORT_IF_ERROR(MPI_Info_create(&info));
    MPI_REPORT_IF_ERROR(MPI_Info_set(info, "alloc_shared_noncontig", "true"));
    char *base = nullptr;
    int result =
        MPI_Win_allocate_shared(segmentBytes + kPageBytes, 1, info,
                                transport.node, &base, &transport.bufferWindow);
    MPI_REPORT_IF_ERROR(MPI_Info_free(&info));
    int worldSize = getCommSize(MPI_COMM_WORLD);
    int firstFailed = result == MPI_SUCCESS ? worldSize : worldRank;
    MPI_REPORT_IF_ERROR(MPI_Allreduce(MPI_IN_PLACE, &firstFailed, 1, MPI_INT,
                                      MPI_MIN, MPI_COMM_WORLD));
    if (firstFailed == worldSize) {
      transport.buffers = querySegments(transport.bufferWindow);
      return transport.buffers[transport.nodeRank];
    }
    transport.bufferWindow = MPI_WIN_NULL;
    if (worldRank == firstFailed)
      std::fprintf(stderr,
                   "replica-run: all-reduce buffers stay in private memory "
                   "(and are copied through shared memory): "
                   "MPI_Win_allocate_shared of %lld bytes failed on rank %d: "
                   "%s\n",
                   static_cast<long long>(segmentBytes), worldRank,
                   getErrorString(result).c_str());
  }
  transport.privateBuffers = static_cast<char *>(
      std::aligned_alloc(kPageBytes, alignTo(segmentBytes, kPageBytes)));
  if (!transport.privateBuffers)
    fail(function, "cannot allocate a window of %lld bytes",
         static_cast<long long>(segmentBytes));
  return transport.privateBuffers;
}

char *shm::getSharedWindow(const char *function, int64_t bytes,
                           int64_t sharedBytes) {
  char *own = getWindow(function, bytes, sharedBytes);
  return transport.buffers.empty() ? own : transport.buffers[0];
}

void shm::finalize() {
  std::free(transport.privateBuffers);
  transport.privateBuffers = nullptr;
  if (!transport.active)
    return;
  waitForDone("replica_mpi_finalize");
  if (transport.bufferWindow != MPI_WIN_NULL)
    MPI_REPORT_IF_ERROR(MPI_Win_free(&transport.bufferWindow));
  MPI_REPORT_IF_ERROR(MPI_Win_free(&transport.window));
  freeComms();
  transport.active = false;
}

bool shm::reportWait() {
  const char *function = waitingIn.load();
  if (!function)
    return false;
  std::fprintf(stderr,
               "replica-run: rank %d waited in %s (shared-memory all-reduce) "
               "for rank %d, which never arrived\n",
               worldRank, function, waitingFor.load());
  return true;
}
