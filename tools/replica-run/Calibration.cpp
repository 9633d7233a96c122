//===- Calibration.cpp - replica-run's calibration cache ------------------===//
//
// One text file per key in the cache directory:
//
//   replica-calibration 1
//   host=<host name>
//   backend=mpi
//   np=<processes>
//   transport=<what was measured, e.g. the MPI library and version>
//   cost-table=<bytes:us,...>
//
// A file that breaks the format or the cost-table rules, or that was written
// for another key, is corrupt; one measured on another transport is stale.
// Either is measured again, never trusted.
//
//===----------------------------------------------------------------------===//

#include "Calibration.h"

#include "replica/Dialect/Replica/Transforms/CostTable.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <cstdlib>
#include <optional>
#include <unistd.h>

using namespace mlir;
using namespace mlir::replica;

/// The format's first line; a change of format changes the version.
static constexpr StringLiteral kHeader = "replica-calibration 1";

/// The fields after the header, in their order.
static constexpr StringLiteral kFields[] = {"host", "backend", "np",
                                            "transport", "cost-table"};

static void note(const Twine &message) {
  llvm::errs() << "replica-run: " << message << "\n";
}

static std::string getHostName() {
  char name[256] = {};
  if (gethostname(name, sizeof(name) - 1) != 0)
    return "unknown-host";
  return name;
}

CalibrationKey replica::getCalibrationKey(StringRef backend,
                                          unsigned numProcesses,
                                          StringRef transport) {
  return {getHostName(), backend.str(), numProcesses, transport.str()};
}

/// $REPLICA_CACHE_DIR, else $XDG_CACHE_HOME/replica (the XDG base directory
/// specification ignores a relative one), else $HOME/.cache/replica; none
/// without a home directory.
static std::optional<std::string> getCacheDirectory() {
  if (const char *dir = std::getenv("REPLICA_CACHE_DIR"); dir && *dir)
    return std::string(dir);
  SmallString<128> dir;
  const char *xdg = std::getenv("XDG_CACHE_HOME");
  if (xdg && llvm::sys::path::is_absolute(xdg))
    dir = xdg;
  else if (llvm::sys::path::home_directory(dir))
    llvm::sys::path::append(dir, ".cache");
  else
    return std::nullopt;
  llvm::sys::path::append(dir, "replica");
  return std::string(dir);
}

/// `calibration-<host>-<backend>-np<N>.txt` in `dir`, the host name reduced
/// to characters that are safe in a file name.
static std::string getCalibrationPath(StringRef dir,
                                      const CalibrationKey &key) {
  std::string host = key.host;
  for (char &c : host)
    if (!llvm::isAlnum(c) && c != '.' && c != '-' && c != '_')
      c = '_';
  SmallString<128> path(dir);
  llvm::sys::path::append(path, "calibration-" + host + "-" + key.backend +
                                    "-np" + Twine(key.numProcesses) + ".txt");
  return std::string(path);
}

static std::string formatCalibration(const CalibrationKey &key,
                                     StringRef costTable) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << kHeader << "\nhost=" << key.host << "\nbackend=" << key.backend
     << "\nnp=" << key.numProcesses << "\ntransport=" << key.transport
     << "\ncost-table=" << costTable << "\n";
  return text;
}

/// Why `costTable` cannot drive the fusion pass; empty if it can. An empty
/// table would leave the pass on its built-in model.
static std::string checkCostTable(StringRef costTable) {
  StringRef badEntry;
  if (costTable.empty())
    return "empty cost-table";
  if (failed(parseCostTable(costTable, badEntry)))
    return ("invalid cost-table entry '" + badEntry + "'").str();
  return "";
}

/// Why the calibration `text` cannot serve `key`: "corrupt (...)" or
/// "stale (...)"; empty if it can, with its table in `costTable`.
static std::string checkCalibration(StringRef text, const CalibrationKey &key,
                                    std::string &costTable) {
  SmallVector<StringRef> lines;
  text.split(lines, '\n');
  // Quoted lines are cut short: a corrupt file may hold anything.
  if (lines.front() != kHeader)
    return ("corrupt (first line '" + lines.front().take_front(60) +
            "', expected '" + kHeader + "')")
        .str();
  // Each field ends in a newline, so the last piece is empty.
  if (lines.size() != std::size(kFields) + 2 || !lines.back().empty())
    return "corrupt (expected " + std::to_string(std::size(kFields)) +
           " fields after the first line)";
  SmallVector<StringRef> values;
  for (auto [name, line] :
       llvm::zip_equal(kFields, ArrayRef(lines).slice(1, std::size(kFields)))) {
    StringRef value = line;
    if (!value.consume_front(name) || !value.consume_front("="))
      return ("corrupt (line '" + line.take_front(60) + "', expected " + name +
              "=...)")
          .str();
    values.push_back(value);
  }
  std::string np = std::to_string(key.numProcesses);
  if (values[0] != key.host || values[1] != key.backend || values[2] != np)
    return ("corrupt (written for host=" + values[0] + " backend=" + values[1] +
            " np=" + values[2] + ")")
        .str();
  if (values[3] != key.transport)
    return ("stale (measured on '" + values[3] + "', now '" + key.transport +
            "')")
        .str();
  if (std::string problem = checkCostTable(values[4]); !problem.empty())
    return "corrupt (" + problem + ")";
  costTable = values[4].str();
  return "";
}

/// Replaces the file at `path` with `text` in one step (a file of its own
/// renamed over it), so that runs reading it meanwhile see the old or the new
/// calibration, never a part.
static std::error_code writeAtomically(StringRef path, StringRef text) {
  int fd;
  SmallString<128> tempPath;
  if (std::error_code ec =
          llvm::sys::fs::createUniqueFile(path + "-%%%%%%.tmp", fd, tempPath))
    return ec;
  llvm::raw_fd_ostream os(fd, /*shouldClose=*/true);
  os << text;
  os.close();
  std::error_code ec = os.error();
  os.clear_error();
  if (!ec)
    ec = llvm::sys::fs::rename(tempPath, path);
  if (ec)
    llvm::sys::fs::remove(tempPath);
  return ec;
}

namespace {
/// Holds an advisory lock on the cache directory's `calibration.lock` while
/// it lives, so that runs starting together measure one at a time (side by
/// side they would slow each other's measurement down) and the later ones
/// reuse the first one's. Best effort: where the lock cannot be had (an
/// unwritable directory, a holder that takes minutes), a run goes on
/// without it.
class CacheLock {
public:
  explicit CacheLock(StringRef dir);
  ~CacheLock();

private:
  int fd = -1;
};
} // namespace

CacheLock::CacheLock(StringRef dir) {
  SmallString<128> path(dir);
  llvm::sys::path::append(path, "calibration.lock");
  if (llvm::sys::fs::openFileForWrite(path, fd, llvm::sys::fs::CD_OpenAlways)) {
    fd = -1;
    return;
  }
  if (llvm::sys::fs::tryLockFile(fd, std::chrono::minutes(2))) {
    llvm::sys::Process::SafelyCloseFileDescriptor(fd);
    fd = -1;
  }
}

CacheLock::~CacheLock() {
  if (fd < 0)
    return;
  llvm::sys::fs::unlockFile(fd);
  llvm::sys::Process::SafelyCloseFileDescriptor(fd);
}

/// Runs `measure` and checks its table as strictly as a cached one.
static FailureOr<std::string> measureChecked(MeasureFn measure) {
  FailureOr<std::string> costTable = measure();
  if (failed(costTable))
    return failure();
  if (std::string problem = checkCostTable(*costTable); !problem.empty()) {
    note("the measurement gave no usable cost table: " + problem);
    return failure();
  }
  return costTable;
}

/// The calibration cached at `path` for `key`, if it can serve; otherwise
/// says why on stderr.
static std::optional<std::string> readCalibration(StringRef path,
                                                  const CalibrationKey &key) {
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> file =
      llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!file) {
    note("calibration cache " + path + " is unreadable (" +
         file.getError().message() + "); measuring again");
    return std::nullopt;
  }
  std::string costTable;
  std::string problem = checkCalibration((*file)->getBuffer(), key, costTable);
  if (problem.empty())
    return costTable;
  note("calibration cache " + path + " is " + problem + "; measuring again");
  return std::nullopt;
}

FailureOr<std::string>
replica::getCalibratedCostTable(const CalibrationKey &key, MeasureFn measure,
                                bool remeasure) {
  std::optional<std::string> dir = getCacheDirectory();
  if (!dir) {
    note("warning: no directory for the calibration cache (set "
         "REPLICA_CACHE_DIR or HOME); measuring for this run only");
    return measureChecked(measure);
  }
  std::error_code dirError = llvm::sys::fs::create_directories(*dir);
  CacheLock lock(*dir);
  std::string path = getCalibrationPath(*dir, key);
  if (remeasure || !llvm::sys::fs::exists(path))
    note("measuring the " + key.backend + " transport on " +
         Twine(key.numProcesses) +
         (key.numProcesses == 1 ? " process" : " processes") + " (cached in " +
         path + ")");
  else if (std::optional<std::string> costTable = readCalibration(path, key))
    return *costTable;
  FailureOr<std::string> costTable = measureChecked(measure);
  if (failed(costTable))
    return failure();
  std::error_code ec = dirError;
  if (!ec)
    ec = writeAtomically(path, formatCalibration(key, *costTable));
  if (ec)
    note("warning: cannot write the calibration cache " + path + ": " +
         ec.message() + "; the measurement serves this run only");
  return costTable;
}
