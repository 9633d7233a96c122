//===- CostTable.cpp - measured all-reduce times --------------------------===//

#include "replica/Dialect/Replica/Transforms/CostTable.h"

#include <algorithm>

using namespace mlir;

FailureOr<SmallVector<replica::CostTableEntry>>
replica::parseCostTable(StringRef text, StringRef &badEntry) {
  SmallVector<CostTableEntry> entries;
  StringRef rest = text;
  while (!rest.empty()) {
    StringRef entry;
    std::tie(entry, rest) = rest.split(',');
    auto [bytesText, microsText] = entry.split(':');
    int64_t bytes;
    double micros;
    if (bytesText.trim().getAsInteger(10, bytes) || bytes <= 0 ||
        microsText.trim().getAsDouble(micros) || micros <= 0 ||
        (!entries.empty() && bytes <= entries.back().first)) {
      badEntry = entry;
      return failure();
    }
    entries.emplace_back(bytes, micros);
  }
  return entries;
}

double replica::getModelledAllReduceMicros(ArrayRef<CostTableEntry> measured,
                                           double latencyUs,
                                           double bandwidthGbps, int64_t bytes,
                                           int64_t numReplicas) {
  if (numReplicas <= 1)
    return 0;
  if (!measured.empty()) {
    if (bytes <= measured.front().first || measured.size() == 1)
      return measured.front().second *
             std::max<double>(1.0, double(bytes) / measured.front().first);
    size_t i = 1;
    while (i + 1 < measured.size() && measured[i].first < bytes)
      ++i;
    auto [b0, t0] = measured[i - 1];
    auto [b1, t1] = measured[i];
    return t0 + (t1 - t0) * double(bytes - b0) / double(b1 - b0);
  }
  double c = 2.0 * (numReplicas - 1) / numReplicas;
  return latencyUs + c * bytes / (bandwidthGbps * 1e3);
}
