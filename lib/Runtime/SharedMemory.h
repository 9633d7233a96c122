//===- SharedMemory.h - the MPI backend's shared-memory all-reduce -*- C++
//-*-===//
//
// Ranks on one node all-reduce through an MPI-3 shared window
// (MPI_Comm_split_type + MPI_Win_allocate_shared) instead of MPI_Allreduce:
// each rank stages its input in its own segment of the window, reduces one
// slice of every rank's input, and copies every reduced slice out, so the
// reduction runs at memory bandwidth. Across nodes (real ones, or virtual
// nodes of REPLICA_MPI_VIRTUAL_NODE_SIZE ranks) each reduced slice is
// all-reduced over MPI among the ranks that hold it on the other nodes
// before it is copied out. REPLICA_MPI_TRANSPORT=auto|shm|mpi selects it.
//
//===----------------------------------------------------------------------===//

#ifndef REPLICA_RUNTIME_SHAREDMEMORY_H
#define REPLICA_RUNTIME_SHAREDMEMORY_H

#include <mpi.h>

#include <cstdint>
#include <vector>

namespace replica::runtime::shm {

enum class ElementType { F32, F64, I32, I64, F16, BF16 };

/// The revision of the shared-memory all-reduce, part of what a cached
/// calibration was measured on: bump it when a change moves its timings, so
/// that replica-run measures the transport again.
constexpr int kRevision = 3;

/// One all-reduce of `count` elements from `in` into `out` (which may be
/// `in`); `kind` is the runtime's reduction kind, already checked against
/// the element type, and `mpiOp` the MPI operation that reduces it between
/// nodes.
struct AllReduce {
  const char *function;
  ElementType type;
  int32_t kind;
  MPI_Op mpiOp;
  const char *in;
  char *out;
  int64_t count;
};

/// Selects the transport and, for shared memory, sets up the node and cross
/// communicators and the window. Collective over MPI_COMM_WORLD. Where auto
/// falls back to MPI, prints one line saying why; where shm is asked for but
/// cannot be had, fails.
void init();

/// Whether all-reduces go through shared memory.
bool isActive();

/// Whether compiled programs may place later buffers over an all-reduce's
/// input once it is launched (replica-place-mpi-buffers): only where
/// launches reduce at once, and where it pays (REPLICA_MPI_REUSE_INPUTS).
bool reusesInputs();

/// A short description of the transport in use, for reports.
const char *describe();

/// Runs `ops`, started together, as one all-reduce across all ranks.
void allReduce(const std::vector<AllReduce> &ops);

/// The window in which compiled programs place their all-reduce buffers
/// (replica-place-mpi-buffers), at offsets that are the same on every rank:
/// per rank `bytes` of its own buffers, then `sharedBytes` of results that
/// every rank of the node reads from one copy. On the shared-memory
/// transport the window is shared among the node's ranks, so that placed
/// all-reduces copy nothing in; otherwise it is private memory. The first
/// call allocates it, collectively; later calls, which must ask for the
/// same sizes, return it. Returns this rank's segment.
char *getWindow(const char *function, int64_t bytes, int64_t sharedBytes);

/// The same window, as seen by shared results: the node's first rank's
/// segment (this rank's own where the window is private).
char *getSharedWindow(const char *function, int64_t bytes, int64_t sharedBytes);

/// Releases the window and communicators (collective), before MPI_Finalize.
void finalize();

/// Prints what this rank is waiting for inside a shared-memory all-reduce,
/// if it is, and returns whether it was: called on the way out of a run
/// that timed out.
bool reportWait();

} // namespace replica::runtime::shm

#endif // REPLICA_RUNTIME_SHAREDMEMORY_H
