//===- CostTable.h - measured all-reduce times ------------------*- C++ -*-===//
//
// The `cost-table` option of replica-fuse-reductions: all-reduce times
// measured on a transport, as `bytes:microseconds,...`. Shared by the pass
// and by replica-run, which checks a cached calibration by the same rules
// before it hands it to the pass.
//
//===----------------------------------------------------------------------===//

#ifndef REPLICA_DIALECT_REPLICA_TRANSFORMS_COSTTABLE_H
#define REPLICA_DIALECT_REPLICA_TRANSFORMS_COSTTABLE_H

#include "mlir/Support/LLVM.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <utility>

namespace mlir::replica {

/// One measurement: an all-reduce of `first` bytes took `second`
/// microseconds.
using CostTableEntry = std::pair<int64_t, double>;

/// Parses `text` into `entries`: increasing sizes, both numbers positive.
/// On failure returns the first entry that breaks the rules. An empty `text`
/// is an empty table.
FailureOr<SmallVector<CostTableEntry>> parseCostTable(StringRef text,
                                                      StringRef &badEntry);

/// The modelled time in microseconds of an all-reduce of `bytes` over
/// `numReplicas` replicas: piecewise linear through `measured` where it is
/// not empty (flat below the smallest size, the last segment's slope beyond
/// the largest), else alpha + 2(n-1)/n * B / beta.
double getModelledAllReduceMicros(ArrayRef<CostTableEntry> measured,
                                  double latencyUs, double bandwidthGbps,
                                  int64_t bytes, int64_t numReplicas);

} // namespace mlir::replica

#endif // REPLICA_DIALECT_REPLICA_TRANSFORMS_COSTTABLE_H
