//===- Calibration.h - replica-run's calibration cache ----------*- C++ -*-===//
//
// Runs pack reductions by a cost table measured on the transport they use.
// Measuring takes seconds, so replica-run keeps one calibration per host,
// backend and process count in a cache directory and measures again only
// when the entry is missing, unusable or out of date.
//
//===----------------------------------------------------------------------===//

#ifndef REPLICA_TOOLS_REPLICA_RUN_CALIBRATION_H
#define REPLICA_TOOLS_REPLICA_RUN_CALIBRATION_H

#include "mlir/Support/LLVM.h"
#include "llvm/ADT/STLFunctionalExtras.h"

#include <string>

namespace mlir::replica {

/// What a calibration holds for: a cached one serves only a run with the
/// same key. `transport` names what was measured (for mpi, the MPI library
/// and version); when it changes, the cached calibration is stale.
struct CalibrationKey {
  std::string host;
  std::string backend;
  unsigned numProcesses;
  std::string transport;
};

/// The key for `backend` on `numProcesses` processes on this host.
CalibrationKey getCalibrationKey(StringRef backend, unsigned numProcesses,
                                 StringRef transport);

/// Measures the transport and returns its cost table (`bytes:us,...`), or
/// failure after reporting why.
using MeasureFn = llvm::function_ref<FailureOr<std::string>()>;

/// The cost table for `key`: the cached one where it is valid, else (or
/// with `remeasure`) a fresh one from `measure`, which then replaces it.
/// Each measurement says why on stderr in one line; an unwritable cache only
/// costs a warning.
FailureOr<std::string> getCalibratedCostTable(const CalibrationKey &key,
                                              MeasureFn measure,
                                              bool remeasure);

} // namespace mlir::replica

#endif // REPLICA_TOOLS_REPLICA_RUN_CALIBRATION_H
