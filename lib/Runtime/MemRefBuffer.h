//===- MemRefBuffer.h - memrefs handed to replica's runtimes ----*- C++ -*-===//
//
// Compiled programs pass each memref to the runtimes unranked, as
// `int64_t rank, void *descriptor`; the collectives need its data as one
// contiguous buffer. Shared by the MPI and NCCL runtimes; no MLIR
// dependency.
//
//===----------------------------------------------------------------------===//

#ifndef REPLICA_RUNTIME_MEMREFBUFFER_H
#define REPLICA_RUNTIME_MEMREFBUFFER_H

#include <cstdint>
#include <cstdio>

namespace replica::runtime {

/// The leading fields of an MLIR ranked memref descriptor; `sizes[rank]` and
/// `strides[rank]` follow.
struct DescriptorHeader {
  void *allocated;
  void *aligned;
  int64_t offset;
};

/// The data of a contiguous memref and its number of elements.
struct Buffer {
  char *data;
  int64_t count;
};

/// Decodes a memref that must be row-major contiguous and hold at most
/// `maxCount` elements; otherwise calls `fail(problem)`, which must not
/// return, with what is wrong ("has negative size -1 in dimension 0").
template <typename Fail>
Buffer decodeBuffer(int64_t rank, void *descriptor, size_t elementSize,
                    int64_t maxCount, Fail fail) {
  char problem[160];
  if (rank < 0 || !descriptor) {
    std::snprintf(problem, sizeof(problem), "is invalid (rank %lld)",
                  static_cast<long long>(rank));
    fail(problem);
  }
  const auto *header = static_cast<const DescriptorHeader *>(descriptor);
  const auto *sizes = reinterpret_cast<const int64_t *>(header + 1);
  const int64_t *strides = sizes + rank;
  int64_t count = 1;
  for (int64_t dim = rank - 1; dim >= 0; --dim) {
    if (sizes[dim] < 0) {
      std::snprintf(
          problem, sizeof(problem), "has negative size %lld in dimension %lld",
          static_cast<long long>(sizes[dim]), static_cast<long long>(dim));
      fail(problem);
    }
    // A unit dimension's stride is never used to address an element.
    if (sizes[dim] != 1 && strides[dim] != count) {
      std::snprintf(problem, sizeof(problem),
                    "is not contiguous: dimension %lld has stride %lld, "
                    "expected %lld",
                    static_cast<long long>(dim),
                    static_cast<long long>(strides[dim]),
                    static_cast<long long>(count));
      fail(problem);
    }
    if (__builtin_mul_overflow(count, sizes[dim], &count) || count > maxCount) {
      std::snprintf(problem, sizeof(problem), "has more than %lld elements",
                    static_cast<long long>(maxCount));
      fail(problem);
    }
  }
  char *data = static_cast<char *>(header->aligned) +
               header->offset * static_cast<int64_t>(elementSize);
  return {data, count};
}

} // namespace replica::runtime

#endif // REPLICA_RUNTIME_MEMREFBUFFER_H
