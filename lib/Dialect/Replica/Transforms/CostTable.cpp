//===- CostTable.cpp - measured all-reduce times --------------------------===//

#include "replica/Dialect/Replica/Transforms/CostTable.h"

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
