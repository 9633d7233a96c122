//===- MemRefBuffer.h - memrefs handed to replica's runtimes ----*- C++ -*-===//
//
// Compiled programs pass each buffer to the runtimes as a 1-D memref, in
// MLIR's default calling convention: the fields of its descriptor as five
// arguments (allocated and aligned pointers, offset, size, stride). Passing
// them by value keeps the calls free of stack descriptors (and of the alloca
// scopes those would need in loops). Shared by the MPI and NCCL runtimes; no
// MLIR dependency.
//
//===----------------------------------------------------------------------===//

#ifndef REPLICA_RUNTIME_MEMREFBUFFER_H
#define REPLICA_RUNTIME_MEMREFBUFFER_H

#include <cstdint>
#include <cstdio>

namespace replica::runtime {

/// The descriptor of a 1-D memref.
struct MemRef1D {
  void *allocated;
  void *aligned;
  int64_t offset;
  int64_t size;
  int64_t stride;
};

/// The data of a contiguous memref and its number of elements.
struct Buffer {
  char *data;
  int64_t count;
};

/// Decodes a memref that must be contiguous and hold at most `maxCount`
/// elements; otherwise calls `fail(problem)`, which must not return, with
/// what is wrong ("has negative size -1").
template <typename Fail>
Buffer decodeBuffer(const MemRef1D &memref, size_t elementSize,
                    int64_t maxCount, Fail fail) {
  char problem[160];
  if (!memref.aligned && memref.size > 0)
    fail("has no data");
  if (memref.size < 0) {
    std::snprintf(problem, sizeof(problem), "has negative size %lld",
                  static_cast<long long>(memref.size));
    fail(problem);
  }
  // A single element's stride is never used to address anything.
  if (memref.size > 1 && memref.stride != 1) {
    std::snprintf(problem, sizeof(problem),
                  "is not contiguous: stride %lld, expected 1",
                  static_cast<long long>(memref.stride));
    fail(problem);
  }
  if (memref.size > maxCount) {
    std::snprintf(problem, sizeof(problem), "has more than %lld elements",
                  static_cast<long long>(maxCount));
    fail(problem);
  }
  char *data = static_cast<char *>(memref.aligned) +
               memref.offset * static_cast<int64_t>(elementSize);
  return {data, memref.size};
}

} // namespace replica::runtime

/// The parameters of one memref argument `NAME` of an entry point.
#define REPLICA_MEMREF_PARAMS(NAME)                                            \
  void *NAME##Allocated, void *NAME##Aligned, int64_t NAME##Offset,            \
      int64_t NAME##Size, int64_t NAME##Stride
/// Those parameters as a MemRef1D.
#define REPLICA_MEMREF(NAME)                                                   \
  replica::runtime::MemRef1D {                                                 \
    NAME##Allocated, NAME##Aligned, NAME##Offset, NAME##Size, NAME##Stride     \
  }

#endif // REPLICA_RUNTIME_MEMREFBUFFER_H
