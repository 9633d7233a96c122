//===- MPIErrors.h - how the MPI runtime reports failures -------*- C++ -*-===//
//
// Every failure in the MPI runtime names the failing call or entry point and
// ends all ranks, so a failure on one rank cannot hang the others.
//
//===----------------------------------------------------------------------===//

#ifndef REPLICA_RUNTIME_MPIERRORS_H
#define REPLICA_RUNTIME_MPIERRORS_H

namespace replica::runtime {

/// The rank of this process in MPI_COMM_WORLD once replica_mpi_init has run
/// (-1 before); the error path reads it instead of calling into a failing MPI.
extern int worldRank;

/// Reports a failed MPI call `expr` (its name and MPI's error string) unless
/// `result` is MPI_SUCCESS, then ends all ranks.
void reportIfError(int result, const char *expr);

/// Reports a failure in `function` and ends all ranks.
[[noreturn]] __attribute__((format(printf, 2, 3))) void
fail(const char *function, const char *format, ...);

} // namespace replica::runtime

#define MPI_REPORT_IF_ERROR(expr)                                              \
  ::replica::runtime::reportIfError((expr), #expr)

#endif // REPLICA_RUNTIME_MPIERRORS_H
