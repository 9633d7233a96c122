//===- replica-run.cpp - compile and run a replica program ------*- C++ -*-===//
//
// Lowers a program with a backend's pipeline and JIT-runs one function
// through MLIR's ExecutionEngine. With --backend=mpi it launches itself
// under mpirun, one process per replica; with --backend=nccl it runs one
// thread per replica, each on its own GPU, or with --np one process per GPU
// under mpirun.
//
//===----------------------------------------------------------------------===//

#include "Calibration.h"

#include "replica/Conversion/Passes.h"
#include "replica/Dialect/Replica/IR/ReplicaDialect.h"
#include "replica/Dialect/Replica/Transforms/Passes.h"
#include "replica/Pipelines/Pipelines.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/DynamicLibrary.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/TargetSelect.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <cstdarg>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unistd.h>

using namespace mlir;
namespace cl = llvm::cl;

namespace {
enum class Backend { CPU, MPI, NCCL };
} // namespace

static cl::opt<std::string>
    inputFilename(cl::Positional, cl::desc("<input file>"), cl::init("-"));
static cl::opt<Backend> backend(
    "backend", cl::desc("Where the replicas run"), cl::init(Backend::CPU),
    cl::values(clEnumValN(Backend::CPU, "cpu", "one process (reference)"),
               clEnumValN(Backend::MPI, "mpi", "one MPI process per replica"),
               clEnumValN(Backend::NCCL, "nccl", "one GPU per replica")));
static cl::opt<unsigned>
    numProcesses("np",
                 cl::desc("Number of processes (mpi); must match the program"),
                 cl::init(0));
static cl::opt<std::string> entryPoint("e", cl::desc("Function to run"),
                                       cl::init("main"));
static cl::opt<unsigned>
    timeout("timeout",
            cl::desc("Seconds after which a run (e.g. waiting for a "
                     "collective that never completes) is ended; 0: none"),
            cl::init(0));
static cl::opt<bool> fuse("fuse",
                          cl::desc("Pack reductions (replica-fuse-reductions)"),
                          cl::init(true));
static cl::opt<bool>
    schedule("schedule",
             cl::desc("Overlap all-reduces with computation "
                      "(replica-schedule-collectives)"),
             cl::init(true));
static cl::opt<int64_t> bytesPerPack(
    "bytes-per-pack",
    cl::desc(
        "Pack size limit in bytes (-1: cost model, 0: one pack per key); "
        "given (even -1), --backend=mpi leaves its cached calibration unused"),
    cl::init(-1));
static cl::opt<std::string> costTable(
    "cost-table",
    cl::desc("Measured all-reduce times for the fusion cost model, "
             "bytes:microseconds,... (printed by --calibrate). Without it "
             "(and without --bytes-per-pack) --backend=mpi measures the "
             "transport once per host and --np, caches the table in "
             "$REPLICA_CACHE_DIR, else $XDG_CACHE_HOME/replica, else "
             "~/.cache/replica, and uses it"),
    cl::init(""));
static cl::opt<bool> calibrate(
    "calibrate",
    cl::desc("Measure the backend's all-reduce over a range of sizes and "
             "print the replica-fuse-reductions options that fit it; for "
             "mpi, also replace the cached calibration"),
    cl::init(false));
static cl::opt<bool> recalibrate(
    "recalibrate",
    cl::desc("Measure the mpi transport again and replace the cached "
             "calibration, then run FILE with it; without FILE, as "
             "--calibrate"),
    cl::init(false));
/// Where a rank of --calibrate writes the measured cost table, for the
/// launcher's cache.
static cl::opt<std::string> calibrationOutput(
    "calibration-output",
    cl::desc("File where rank 0 writes the measured cost table (internal)"),
    cl::Hidden, cl::init(""));
static cl::opt<bool> printIRAfterAll("print-ir-after-all",
                                     cl::desc("Print the IR after each pass"),
                                     cl::init(false));

static int fail(const Twine &message) {
  llvm::errs() << "replica-run: " << message << "\n";
  return 1;
}

/// Directory of this executable's sibling `lib/`, where the runtime lives.
static std::string getLibraryDir(const char *argv0) {
  std::string exe = llvm::sys::fs::getMainExecutable(
      argv0, reinterpret_cast<void *>(&getLibraryDir));
  SmallString<256> dir(
      llvm::sys::path::parent_path(llvm::sys::path::parent_path(exe)));
  llvm::sys::path::append(dir, "lib");
  return std::string(dir);
}

/// Checks the entry function: present, no arguments, no results.
static LogicalResult verifyEntryPoint(ModuleOp module) {
  auto function = module.lookupSymbol<func::FuncOp>(entryPoint);
  if (!function || function.isExternal()) {
    fail("no function @" + entryPoint + " to run in " + inputFilename);
    return failure();
  }
  if (function.getNumArguments() != 0 || function.getNumResults() != 0)
    return function.emitError("@")
           << entryPoint << " must take no arguments and return nothing";
  return success();
}

/// Runs `onTimeout` if the process is still running after --timeout seconds.
static void startWatchdog(std::function<void()> onTimeout) {
  if (timeout == 0)
    return;
  std::thread([onTimeout] {
    std::this_thread::sleep_for(std::chrono::seconds(timeout));
    llvm::errs() << "replica-run: timed out after " << timeout
                 << " s (a collective may never have completed)\n";
    onTimeout();
  }).detach();
}

/// Under mpirun: OpenMPI tells each rank its place.
static bool isMPIRank() { return std::getenv("OMPI_COMM_WORLD_SIZE"); }

/// Messages every rank would print alike come from rank 0 only.
static bool isFirstRank() {
  const char *rank = std::getenv("OMPI_COMM_WORLD_RANK");
  return !rank || StringRef(rank) == "0";
}

/// The replica count the program has once it is SPMD; 0 without replicas.
static FailureOr<int64_t> getSPMDReplicaCount(ModuleOp module) {
  OwningOpRef<ModuleOp> copy = module.clone();
  PassManager pm(module.getContext());
  pm.addPass(replica::createReplicaDecomposeStructuresPass());
  pm.addPass(replica::createReplicaToSPMDPass());
  if (failed(pm.run(*copy)))
    return failure();
  auto count = (*copy)->getAttrOfType<IntegerAttr>(
      replica::ReplicaDialect::getNumReplicasAttrName());
  return count ? count.getInt() : 0;
}

/// Copies what every rank wrote (mpirun's --output-filename layout:
/// DIR/<job>/rank.<r>/{stdout,stderr}) to our stdout (with `showStdout`)
/// and stderr, rank by rank.
static void printRankOutput(StringRef dir, bool showStdout) {
  std::map<int, std::string> rankDirs;
  std::error_code ec;
  for (llvm::sys::fs::directory_iterator job(dir, ec), end; job != end && !ec;
       job.increment(ec))
    for (llvm::sys::fs::directory_iterator rank(job->path(), ec);
         rank != end && !ec; rank.increment(ec)) {
      StringRef name = llvm::sys::path::filename(rank->path());
      int index;
      if (name.consume_front("rank.") && !name.getAsInteger(10, index))
        rankDirs[index] = rank->path();
    }
  for (StringRef stream : {"stdout", "stderr"}) {
    if (stream == "stdout" && !showStdout)
      continue;
    for (auto &[index, rankDir] : rankDirs) {
      auto buffer = llvm::MemoryBuffer::getFile(rankDir + "/" + stream);
      if (!buffer)
        continue;
      llvm::raw_ostream &os = stream == "stdout" ? llvm::outs() : llvm::errs();
      os << (*buffer)->getBuffer();
      os.flush();
    }
  }
}

/// Starts `mpirun -np N` on this executable with `args` and waits; then
/// prints what the ranks wrote, their stdout only with `showStdout`.
static int runUnderMPIRun(const char *argv0, ArrayRef<std::string> args,
                          bool showStdout) {
  llvm::ErrorOr<std::string> mpirun = llvm::sys::findProgramByName("mpirun");
  if (!mpirun)
    return fail("mpirun not found on PATH (install openmpi-bin)");
  std::string exe = llvm::sys::fs::getMainExecutable(
      argv0, reinterpret_cast<void *>(&runUnderMPIRun));
  // mpirun forwards the ranks' output in chunks that can split lines across
  // ranks; instead it writes each rank's output to files, printed in rank
  // order once the run ends.
  SmallString<128> outputDir;
  if (llvm::sys::fs::createUniqueDirectory("replica-run", outputDir))
    return fail("cannot create a directory for the ranks' output");
  // Each run keeps its session directory to itself: runs that start and end
  // together (a test suite) race creating and removing a shared one
  // (ORTE_ERROR_LOG in session_dir.c).
  SmallString<128> sessionDir(outputDir);
  llvm::sys::path::append(sessionDir, "session");
  if (llvm::sys::fs::create_directory(sessionDir))
    return fail("cannot create a session directory for mpirun");
  SmallVector<std::string> command{*mpirun,
                                   "--mca",
                                   "orte_tmpdir_base",
                                   sessionDir.str().str(),
                                   "--output-filename",
                                   (outputDir + ":nocopy").str(),
                                   "--quiet",
                                   "--allow-run-as-root",
                                   "--oversubscribe",
                                   "-np",
                                   std::to_string(numProcesses),
                                   exe};
  llvm::append_range(command, args);
  SmallVector<StringRef> commandRefs(command.begin(), command.end());
  std::string error;
  // The ranks end themselves at --timeout; the margin covers mpirun's
  // start and teardown.
  unsigned wait = timeout == 0 ? 0 : timeout + 30;
  int status = llvm::sys::ExecuteAndWait(*mpirun, commandRefs, std::nullopt, {},
                                         wait, 0, &error);
  printRankOutput(outputDir, showStdout);
  llvm::sys::fs::remove_directories(outputDir);
  if (status < 0)
    return fail("mpirun failed: " + error);
  // mpirun exits with 128 + N when a rank died of signal N; it has already
  // ended the other ranks.
  if (status > 128)
    fail("a rank was killed by signal " + Twine(status - 128) + " (" +
         strsignal(status - 128) + "); mpirun ended the others");
  return status;
}

/// The MPI runtime's entry points replica-run itself calls.
struct MPIRuntime {
  int32_t (*init)(int64_t);
  void (*finalize)();
  void (*abort)(int32_t);
  void (*calibrate)(const char *);
  const char *(*transport)();
  void (*reserveWindow)(int64_t, int64_t);
};

/// Loads the runtime library at `path` (`what`'s runtime, in messages).
static std::optional<llvm::sys::DynamicLibrary> openRuntime(StringRef what,
                                                            StringRef path) {
  std::string error;
  auto library = llvm::sys::DynamicLibrary::getPermanentLibrary(
      path.str().c_str(), &error);
  if (!library.isValid()) {
    fail("cannot load the " + what + " runtime " + path + ": " + error);
    return std::nullopt;
  }
  return library;
}

/// Points `entry` at the runtime's function `name`; false if it has none.
template <typename Function>
static bool resolve(llvm::sys::DynamicLibrary &library, const char *name,
                    Function *&entry) {
  entry = reinterpret_cast<Function *>(library.getAddressOfSymbol(name));
  return entry != nullptr;
}

static FailureOr<MPIRuntime> loadMPIRuntime(StringRef path) {
  std::optional<llvm::sys::DynamicLibrary> library = openRuntime("MPI", path);
  if (!library)
    return failure();
  MPIRuntime runtime;
  if (!resolve(*library, "replica_mpi_init", runtime.init) ||
      !resolve(*library, "replica_mpi_finalize", runtime.finalize) ||
      !resolve(*library, "replica_mpi_abort", runtime.abort) ||
      !resolve(*library, "replica_mpi_calibrate", runtime.calibrate) ||
      !resolve(*library, "replica_mpi_transport", runtime.transport) ||
      !resolve(*library, "replica_mpi_window_reserve", runtime.reserveWindow)) {
    fail("the MPI runtime " + path + " lacks its entry points");
    return failure();
  }
  return runtime;
}

/// Measures the mpi transport on --np ranks (replica_mpi_calibrate) and
/// returns the cost table rank 0 wrote; the ranks print their report only
/// with `showReport`.
static FailureOr<std::string> measureMPI(const char *argv0, bool showReport) {
  SmallString<128> tablePath;
  if (llvm::sys::fs::createTemporaryFile("replica-calibration", "txt",
                                         tablePath)) {
    fail("cannot create a file for the measured cost table");
    return failure();
  }
  llvm::FileRemover removeTable(tablePath);
  std::string args[] = {"--calibrate", "--backend=mpi",
                        "--np=" + std::to_string(numProcesses),
                        ("--calibration-output=" + tablePath).str()};
  int status = runUnderMPIRun(argv0, args, showReport);
  auto table = llvm::MemoryBuffer::getFile(tablePath);
  if (status != 0 || !table) {
    fail("measuring the mpi transport on " + Twine(numProcesses) +
         " processes failed");
    return failure();
  }
  return (*table)->getBuffer().trim().str();
}

/// The mpi transport's cost table on --np processes from the calibration
/// cache, measured first where the cache has none that is valid (or with
/// `remeasure`).
static FailureOr<std::string> getMPICostTable(const char *argv0, bool remeasure,
                                              bool showReport) {
  FailureOr<MPIRuntime> runtime =
      loadMPIRuntime(getLibraryDir(argv0) + "/libreplica_mpi_runtime.so");
  if (failed(runtime))
    return failure();
  replica::CalibrationKey key =
      replica::getCalibrationKey("mpi", numProcesses, runtime->transport());
  return replica::getCalibratedCostTable(
      key, [&] { return measureMPI(argv0, showReport); }, remeasure);
}

/// Whether an mpi run packs by the cached calibration: fusion is on,
/// neither --cost-table nor --bytes-per-pack says otherwise, and there is
/// more than one process (the cost model packs everything on one).
static bool usesCalibration() {
  return backend == Backend::MPI && fuse && numProcesses > 1 &&
         costTable.getNumOccurrences() == 0 &&
         bytesPerPack.getNumOccurrences() == 0;
}

/// Starts `mpirun -np N` on this same command line (the program read from
/// stdin goes through a file, since only rank 0 would get stdin) and waits.
/// A run that packs by the calibration gets its cost table on the ranks'
/// command line: every rank must compile the same packs, so they never read
/// the cache themselves.
static int launchUnderMPIRun(int argc, char **argv, ModuleOp module,
                             StringRef source) {
  if (numProcesses == 0)
    return fail("--backend=mpi needs --np=N");
  FailureOr<int64_t> replicas =
      module ? getSPMDReplicaCount(module) : FailureOr<int64_t>(0);
  if (failed(replicas))
    return 1;
  if (*replicas != 0 && *replicas != numProcesses)
    return fail("the program is compiled for " + Twine(*replicas) +
                " replicas but --np is " + Twine(numProcesses));
  SmallVector<std::string> args(argv + 1, argv + argc);
  if (module && usesCalibration()) {
    FailureOr<std::string> table =
        getMPICostTable(argv[0], recalibrate, /*showReport=*/false);
    if (failed(table))
      return 1;
    args.push_back("--cost-table=" + *table);
  }
  SmallString<128> stdinCopy;
  if (inputFilename == "-") {
    int fd;
    if (llvm::sys::fs::createTemporaryFile("replica-run", "mlir", fd,
                                           stdinCopy))
      return fail("cannot store the program read from stdin");
    llvm::raw_fd_ostream os(fd, /*shouldClose=*/true);
    os << source;
  }
  llvm::FileRemover removeStdinCopy(stdinCopy);
  for (std::string &arg : args)
    if (arg == "-" && !stdinCopy.empty())
      arg = std::string(stdinCopy);
  return runUnderMPIRun(argv[0], args, /*showStdout=*/true);
}

/// The NCCL runtime's file name in the library directory; null in a build
/// without CUDA and NCCL.
#ifdef REPLICA_NCCL_RUNTIME
static constexpr const char *kNCCLRuntimeName = REPLICA_NCCL_RUNTIME;
#else
static constexpr const char *kNCCLRuntimeName = nullptr;
#endif

/// The NCCL runtime's entry points replica-run itself calls.
struct NCCLRuntime {
  int32_t (*init)(int64_t, int32_t);
  void (*bind)(int32_t);
  void (*finalize)();
  void (*abort)(int32_t);
  void (*calibrate)();
};

/// The NCCL runtime needs the GPU driver's libcuda.so.1, which only a
/// machine with an NVIDIA driver has.
static LogicalResult checkCUDADriver() {
  std::string error;
  if (llvm::sys::DynamicLibrary::getPermanentLibrary("libcuda.so.1", &error)
          .isValid())
    return success();
  fail("the nccl backend needs a CUDA GPU and its driver, and this machine "
       "has none (" +
       error + ")");
  return failure();
}

static FailureOr<NCCLRuntime> loadNCCLRuntime(StringRef path) {
  if (failed(checkCUDADriver()))
    return failure();
  std::optional<llvm::sys::DynamicLibrary> library = openRuntime("NCCL", path);
  if (!library)
    return failure();
  NCCLRuntime runtime;
  if (!resolve(*library, "replica_nccl_init", runtime.init) ||
      !resolve(*library, "replica_nccl_bind", runtime.bind) ||
      !resolve(*library, "replica_nccl_finalize", runtime.finalize) ||
      !resolve(*library, "replica_nccl_abort", runtime.abort) ||
      !resolve(*library, "replica_nccl_calibrate", runtime.calibrate)) {
    fail("the NCCL runtime " + path + " lacks its entry points");
    return failure();
  }
  return runtime;
}

/// The replica count of a lowered program (its module attribute); 0 without
/// replicas.
static int64_t getReplicaCount(ModuleOp module) {
  auto count = module->getAttrOfType<IntegerAttr>(
      replica::ReplicaDialect::getNumReplicasAttrName());
  return count ? count.getInt() : 0;
}

/// Compiled code calls malloc and aligned_alloc for its buffers and never
/// checks the result: these versions end the run with a message instead of
/// a crash on the null pointer.
[[noreturn]] static void failAllocation(size_t bytes) {
  std::fprintf(stderr, "replica-run: cannot allocate %zu bytes (%s)\n", bytes,
               std::strerror(errno));
  std::_Exit(1);
}

static void *checkedMalloc(size_t bytes) {
  void *data = std::malloc(bytes);
  if (!data && bytes != 0)
    failAllocation(bytes);
  return data;
}

static void *checkedAlignedAlloc(size_t alignment, size_t bytes) {
  void *data = std::aligned_alloc(alignment, bytes);
  if (!data && bytes != 0)
    failAllocation(bytes);
  return data;
}

/// vector.print's runtime functions (mlir_c_runner_utils' formats) for
/// replicas running on threads of one process: each thread assembles its
/// line and writes it whole, so lines of different replicas never mix.
namespace linewise {
static thread_local std::string line;
static std::mutex outputMutex;

__attribute__((format(printf, 1, 2))) static void append(const char *format,
                                                         ...) {
  char text[64];
  va_list args;
  va_start(args, format);
  std::vsnprintf(text, sizeof(text), format, args);
  va_end(args);
  line += text;
}

static void printI64(int64_t value) { append("%" PRId64, value); }
static void printU64(uint64_t value) { append("%" PRIu64, value); }
static void printF32(float value) { append("%g", value); }
static void printF64(double value) { append("%lg", value); }
static void printF16(uint16_t bits) {
  append("%g", static_cast<float>(__builtin_bit_cast(_Float16, bits)));
}
static void printBF16(uint16_t bits) {
  append("%g", __builtin_bit_cast(float, static_cast<uint32_t>(bits) << 16));
}
static void printString(const char *text) { line += text; }
static void printOpen() { line += "( "; }
static void printClose() { line += " )"; }
static void printComma() { line += ", "; }
static void printNewline() {
  line += '\n';
  std::lock_guard<std::mutex> lock(outputMutex);
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fflush(stdout);
  line.clear();
}

/// The functions above under the names vector.print's lowering calls.
static void define(llvm::orc::SymbolMap &symbols,
                   llvm::orc::MangleAndInterner &interner) {
  auto add = [&](StringRef name, auto *function) {
    symbols[interner(name)] = {llvm::orc::ExecutorAddr::fromPtr(function),
                               llvm::JITSymbolFlags::Exported};
  };
  add("printI64", &printI64);
  add("printU64", &printU64);
  add("printF32", &printF32);
  add("printF64", &printF64);
  add("printF16", &printF16);
  add("printBF16", &printBF16);
  add("printString", &printString);
  add("printOpen", &printOpen);
  add("printClose", &printClose);
  add("printComma", &printComma);
  add("printNewline", &printNewline);
}
} // namespace linewise

/// LLVM's O2 pipeline for `target`, vectorising but neither unrolling nor
/// interleaving loops. A step holds a loop per gradient, almost all of them
/// memory-bound, which unrolling makes no faster: on resnet50's step it
/// doubled the code and made the JIT's code generation half as slow again.
static llvm::Error optimize(llvm::Module &module, llvm::TargetMachine &target) {
  llvm::PipelineTuningOptions tuning;
  tuning.LoopUnrolling = false;
  tuning.LoopInterleaving = false;
  tuning.LoopVectorization = true;
  tuning.SLPVectorization = true;
  llvm::PassBuilder builder(&target, tuning);
  llvm::LoopAnalysisManager loops;
  llvm::FunctionAnalysisManager functions;
  llvm::CGSCCAnalysisManager sccs;
  llvm::ModuleAnalysisManager modules;
  builder.registerModuleAnalyses(modules);
  builder.registerCGSCCAnalyses(sccs);
  builder.registerFunctionAnalyses(functions);
  builder.registerLoopAnalyses(loops);
  builder.crossRegisterProxies(loops, functions, sccs, modules);
  builder.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O2)
      .run(module, modules);
  return llvm::Error::success();
}

/// JIT-compiles `module` with `libraries` and runs the entry point: once, or
/// with `replicas` > 0 once per replica, each in its own thread that first
/// calls `bind(replica)`.
static int run(ModuleOp module, ArrayRef<StringRef> libraries,
               int64_t replicas = 0, void (*bind)(int32_t) = nullptr) {
  // Optimised for this machine's CPU, as it is compiled for it: without the
  // target, LLVM's cost models see no vector registers and vectorise nothing.
  auto targetBuilder = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!targetBuilder)
    return fail("cannot target this machine: " +
                llvm::toString(targetBuilder.takeError()));
  auto targetMachine = targetBuilder->createTargetMachine();
  if (!targetMachine)
    return fail("cannot target this machine: " +
                llvm::toString(targetMachine.takeError()));
  llvm::TargetMachine *target = targetMachine->get();
  // Named: `options.transformer` is a function_ref.
  auto transformer = [target](llvm::Module *module) {
    return optimize(*module, *target);
  };
  ExecutionEngineOptions options;
  options.sharedLibPaths = libraries;
  options.transformer = transformer;
  // The perf listener, on by default, writes a jitdump file per process and
  // run into ~/.debug or /tmp/.debug.
  options.enablePerfNotificationListener = false;
  auto engine =
      ExecutionEngine::create(module, options, std::move(*targetMachine));
  if (!engine)
    return fail("cannot JIT the program: " +
                llvm::toString(engine.takeError()));
  (*engine)->registerSymbols([&](llvm::orc::MangleAndInterner interner) {
    llvm::orc::SymbolMap symbols;
    if (replicas != 0)
      linewise::define(symbols, interner);
    symbols[interner("malloc")] = {
        llvm::orc::ExecutorAddr::fromPtr(&checkedMalloc),
        llvm::JITSymbolFlags::Exported};
    symbols[interner("aligned_alloc")] = {
        llvm::orc::ExecutorAddr::fromPtr(&checkedAlignedAlloc),
        llvm::JITSymbolFlags::Exported};
    return symbols;
  });
  // Global constructors (a GPU program loads its kernels' binaries).
  (*engine)->initialize();
  auto function = (*engine)->lookupPacked(entryPoint);
  if (!function)
    return fail("running @" + entryPoint +
                " failed: " + llvm::toString(function.takeError()));
  if (replicas == 0) {
    (*function)(nullptr);
    return 0;
  }
  std::vector<std::thread> threads;
  for (int64_t r = 0; r < replicas; ++r)
    threads.emplace_back([&, r] {
      bind(static_cast<int32_t>(r));
      (*function)(nullptr);
    });
  for (std::thread &thread : threads)
    thread.join();
  return 0;
}

/// Runs a program lowered by replica-lower-to-nccl: under mpirun this
/// process's replica, else one thread per replica on one device each.
static int runNCCL(ModuleOp module, SmallVector<StringRef> libraries,
                   StringRef libDir) {
  std::string runtimePath = (libDir + "/" + kNCCLRuntimeName).str();
  FailureOr<NCCLRuntime> runtime = loadNCCLRuntime(runtimePath);
  if (failed(runtime))
    return 1;
  int64_t replicas = std::max<int64_t>(getReplicaCount(module), 1);
  bool multiProcess = isMPIRank();
  if (runtime->init(replicas, multiProcess) != 0)
    return 1;
  startWatchdog([abort = runtime->abort] { abort(1); });
  libraries.push_back(runtimePath);
  int status;
  if (multiProcess) {
    runtime->bind(0);
    status = run(module, libraries);
  } else {
    status = run(module, libraries, replicas, runtime->bind);
  }
  if (status != 0)
    runtime->abort(status);
  runtime->finalize();
  return status;
}

/// --calibrate --backend=nccl: NCCL's all-reduce on every GPU of this
/// process, or with --np on one GPU per process.
static int runNCCLCalibration(int argc, char **argv) {
  if (numProcesses != 0 && !isMPIRank()) {
    if (failed(checkCUDADriver()))
      return 1;
    return launchUnderMPIRun(argc, argv, /*module=*/nullptr, /*source=*/"");
  }
  FailureOr<NCCLRuntime> runtime =
      loadNCCLRuntime(getLibraryDir(argv[0]) + "/" + kNCCLRuntimeName);
  if (failed(runtime) || runtime->init(0, isMPIRank()) != 0)
    return 1;
  runtime->calibrate();
  runtime->finalize();
  return 0;
}

/// --calibrate (or --recalibrate without a program): the MPI runtime
/// measures its all-reduce on --np ranks, which print the report; the
/// launcher stores the table in the calibration cache.
static int runCalibration(int argc, char **argv) {
  if (backend == Backend::NCCL)
    return runNCCLCalibration(argc, argv);
  if (backend != Backend::MPI)
    return fail("--calibrate measures a transport: use --backend=mpi --np=N "
                "or --backend=nccl");
  if (!isMPIRank()) {
    if (numProcesses == 0)
      return fail("--backend=mpi needs --np=N");
    return failed(getMPICostTable(argv[0], /*remeasure=*/true,
                                  /*showReport=*/true));
  }
  FailureOr<MPIRuntime> runtime =
      loadMPIRuntime(getLibraryDir(argv[0]) + "/libreplica_mpi_runtime.so");
  if (failed(runtime) || runtime->init(0) != 0)
    return 1;
  runtime->calibrate(calibrationOutput.empty() ? nullptr
                                               : calibrationOutput.c_str());
  runtime->finalize();
  return 0;
}

/// --recalibrate replaces the calibration that mpi runs use by default; a
/// run that would not use it gets an error rather than a measurement for
/// nothing.
static LogicalResult checkRecalibrate() {
  if (!recalibrate || isMPIRank())
    return success();
  if (backend != Backend::MPI) {
    fail("--recalibrate replaces the mpi backend's cached calibration: use "
         "--backend=mpi --np=N");
    return failure();
  }
  // Without --np, the launcher says that it needs one.
  if (inputFilename.getNumOccurrences() != 0 && numProcesses != 0 &&
      !usesCalibration()) {
    fail("--recalibrate measures for the cost model, which --cost-table, "
         "--bytes-per-pack, --fuse=false and --np=1 leave unused");
    return failure();
  }
  return success();
}

/// Compiled programs allocate a fresh buffer per collective result and free
/// it again each step. glibc maps blocks above 32 MiB (its largest mmap
/// threshold) straight from the kernel and returns freed memory, so every
/// step would fault all its pages in again; allocating everything from the
/// heap and never trimming it keeps them, at the cost of memory the program
/// already used once.
static void keepFreedMemory() {
#ifdef __GLIBC__
  mallopt(M_MMAP_MAX, 0);
  mallopt(M_TRIM_THRESHOLD, -1);
#endif
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  keepFreedMemory();
  // A rank that aborts (a failed collective, --timeout) still leaves every
  // line it printed.
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  cl::ParseCommandLineOptions(argc, argv, "replica program runner\n");

  if (backend == Backend::NCCL && !kNCCLRuntimeName)
    return fail("the nccl backend is not built: CUDA or NCCL was missing when "
                "replica was configured");
  if (failed(checkRecalibrate()))
    return 1;
  if (calibrate || (recalibrate && inputFilename.getNumOccurrences() == 0))
    return runCalibration(argc, argv);

  DialectRegistry registry;
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registerAllToLLVMIRTranslations(registry);
  registry.insert<replica::ReplicaDialect>();
  MLIRContext context(registry);
  context.printOpOnDiagnostic(false);

  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);
  std::string error;
  auto file = openInputFile(inputFilename, &error);
  if (!file)
    return fail(error);
  StringRef source = file->getBuffer();
  sourceMgr.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
  OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(sourceMgr, &context);
  if (!module || failed(verifyEntryPoint(*module)))
    return 1;
  // --backend=nccl --np=N: one process per GPU, under mpirun as for mpi.
  bool ncclProcesses = backend == Backend::NCCL && numProcesses != 0;
  if ((backend == Backend::MPI || ncclProcesses) && !isMPIRank()) {
    if (ncclProcesses && failed(checkCUDADriver()))
      return 1;
    return launchUnderMPIRun(argc, argv, *module, source);
  }
  // Every rank compiles the same program: its diagnostics come once.
  if (!isFirstRank())
    context.getDiagEngine().registerHandler(
        [](Diagnostic &) { return success(); });

  PassManager pm(&context);
  if (printIRAfterAll) {
    context.disableMultithreading();
    pm.enableIRPrinting([](Pass *, Operation *) { return false; },
                        [](Pass *, Operation *) { return true; },
                        /*printModuleScope=*/true);
  }
  replica::LowerOptions lowerOptions;
  lowerOptions.fuse = fuse;
  lowerOptions.schedule = schedule;
  lowerOptions.bytesPerPack = bytesPerPack;
  lowerOptions.costTable = costTable;
  if (backend == Backend::MPI)
    replica::buildLowerToMPIPipeline(pm, lowerOptions);
  else if (backend == Backend::NCCL)
    replica::buildLowerToNCCLPipeline(pm, lowerOptions);
  else
    replica::buildLowerToCPUPipeline(pm, lowerOptions);
  if (failed(pm.run(*module)))
    return isFirstRank() ? fail("lowering " + inputFilename + " failed") : 1;

  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  std::string libDir = getLibraryDir(argv[0]);
  SmallVector<StringRef> libraries{REPLICA_MLIR_RUNNER_UTILS,
                                   REPLICA_MLIR_C_RUNNER_UTILS};
  if (backend == Backend::CPU) {
    startWatchdog([] { std::_Exit(1); });
    return run(*module, libraries);
  }
  if (backend == Backend::NCCL)
    return runNCCL(*module, libraries, libDir);

  std::string runtimePath = libDir + "/libreplica_mpi_runtime.so";
  FailureOr<MPIRuntime> runtime = loadMPIRuntime(runtimePath);
  if (failed(runtime))
    return 1;
  int64_t replicas = getReplicaCount(*module);
  if (numProcesses != 0 && replicas != 0 && replicas != numProcesses) {
    if (isFirstRank())
      fail("the program is compiled for " + Twine(replicas) +
           " replicas but --np is " + Twine(numProcesses));
    return 1;
  }
  if (runtime->init(replicas) != 0)
    return 1;
  startWatchdog([abort = runtime->abort] { abort(1); });
  // Placed all-reduce buffers: their window is allocated before the program
  // runs, not at its first all-reduce.
  if (auto windowBytes = (*module)->getAttrOfType<IntegerAttr>(
          replica::ReplicaDialect::getMPIWindowBytesAttrName())) {
    auto sharedBytes = (*module)->getAttrOfType<IntegerAttr>(
        replica::ReplicaDialect::getMPISharedWindowBytesAttrName());
    runtime->reserveWindow(windowBytes.getInt(),
                           sharedBytes ? sharedBytes.getInt() : 0);
  }
  libraries.push_back(runtimePath);
  int status = run(*module, libraries);
  if (status != 0)
    runtime->abort(status);
  runtime->finalize();
  return status;
}
