//===- mpi_baseline.cpp - per-tensor MPI_Allreduce step, the baseline -----===//
//
// The hand-written MPI program that `bench/allreduce_step.py` compares the
// code replica generates against. One "step" all-reduces every gradient
// tensor of a model with its own MPI_Allreduce (unfused), the way a program
// lowered with `replica-lower-to-mpi` does for `replica.all_reduce mean`:
//
//   - out of place: the input buffer is read and the sum is written to a
//     separate output buffer (MPI_Allreduce(in, out, n, MPI_FLOAT, MPI_SUM));
//   - `mean` divides the sum once by the number of processes, afterwards,
//     with the same loop as replica's runtime (out[i] /= size).
//
// The buffers are allocated once, before the first step, and the two sets
// swap roles after every step, so each step reduces the previous step's
// results (loop-carried) and no step allocates. Two diagnostic options
// reproduce what replica's generated code does differently:
// --alloc-per-step allocates each output with malloc during the step and
// frees the step's inputs after it; --thread-multiple initializes MPI with
// MPI_Init_thread(MPI_THREAD_MULTIPLE), as replica-run's runtime does.
//
// Build:  OMPI_CXX=clang++-22 mpicxx -O2 -std=c++17 bench/mpi_baseline.cpp \
//             -o build/bench/mpi_baseline
//         (allreduce_step.py does this; clang++-22 also built the runtime)
// Run:    mpirun -np 2 build/bench/mpi_baseline SHAPES [--warmup W] [--steps K]
//                [--alloc-per-step] [--thread-multiple]
//
// SHAPES is either a workload JSON (../shared/workloads/<model>.json: every
// "shape": [...] array in it is one f32 tensor) or a text file with one
// tensor per line, its dimensions separated by spaces or 'x' (an empty line
// or "scalar" is a 0-d tensor). Lines starting with '#' are skipped.
//
// Every rank starts gradient k as (rank + 1) + k in every element, so the
// mean is 1.5 + k after each step when it runs on two ranks. Output, from
// rank 0 only, each value in its own parseable line:
//
//   tensors N elements E bytes B ranks R
//   step_seconds T            (one per timed step; max over the ranks)
//   median_step_seconds T
//   mean_step_seconds T
//   check C                   sum over all steps and tensors of element 0
//                             of each result, on rank 0
//   check_max_error E         max over the ranks of |check - expected|: 0
//                             when every all-reduce computed the mean
//
//===----------------------------------------------------------------------===//

// Only the C API; this also keeps OpenMPI's C++ bindings' warnings out.
#define OMPI_SKIP_MPICXX 1
#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

[[noreturn]] void die(const std::string &message) {
  std::fprintf(stderr, "mpi_baseline: %s\n", message.c_str());
  MPI_Abort(MPI_COMM_WORLD, 1);
  std::exit(1);
}

void check(int result, const char *what) {
  if (result != MPI_SUCCESS)
    die(std::string(what) + " failed");
}

/// Element counts of the tensors in `path` (JSON workload or shape list).
std::vector<long long> readShapes(const std::string &path) {
  std::ifstream file(path);
  if (!file)
    die("cannot open " + path);
  std::stringstream buffer;
  buffer << file.rdbuf();
  std::string text = buffer.str();
  std::vector<long long> counts;
  bool isJson = text.find('{') != std::string::npos;
  if (isJson) {
    // Every "shape": [d0, d1, ...] is one tensor; the workloads are all f32.
    size_t at = 0;
    while ((at = text.find("\"shape\"", at)) != std::string::npos) {
      size_t open = text.find('[', at);
      size_t close = text.find(']', open);
      if (open == std::string::npos || close == std::string::npos)
        die("malformed shape in " + path);
      std::string dims = text.substr(open + 1, close - open - 1);
      std::replace(dims.begin(), dims.end(), ',', ' ');
      std::istringstream in(dims);
      long long count = 1, dim;
      while (in >> dim)
        count *= dim;
      counts.push_back(count);
      at = close;
    }
    if (text.find("\"dtype\"") != std::string::npos) {
      size_t at = 0;
      while ((at = text.find("\"dtype\"", at)) != std::string::npos) {
        size_t quote = text.find('"', text.find(':', at));
        if (text.compare(quote, 5, "\"f32\"") != 0)
          die("only f32 tensors are supported");
        at = quote;
      }
    }
  } else {
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
      if (!line.empty() && line[0] == '#')
        continue;
      std::replace(line.begin(), line.end(), 'x', ' ');
      std::istringstream in(line);
      long long count = 1, dim;
      std::string word;
      while (in >> word) {
        if (word == "scalar")
          continue;
        dim = std::atoll(word.c_str());
        count *= dim;
      }
      counts.push_back(count);
    }
  }
  if (counts.empty())
    die("no tensors in " + path);
  for (long long count : counts)
    if (count <= 0 || count > 0x7fffffff)
      die("tensor size out of range for one MPI_Allreduce");
  return counts;
}

float *allocate(long long count) {
  auto *data = static_cast<float *>(std::malloc(count * sizeof(float)));
  if (!data)
    die("out of memory");
  return data;
}

double now() {
  using clock = std::chrono::steady_clock;
  return std::chrono::duration<double>(clock::now().time_since_epoch())
      .count();
}

} // namespace

int main(int argc, char **argv) {
  // --thread-multiple (diagnostic): initialize as replica-run does.
  bool threadMultiple = false;
  for (int i = 1; i < argc; ++i)
    threadMultiple |= std::string(argv[i]) == "--thread-multiple";
  if (threadMultiple) {
    int provided = 0;
    check(MPI_Init_thread(&argc, &argv, MPI_THREAD_MULTIPLE, &provided),
          "MPI_Init_thread");
  } else {
    check(MPI_Init(&argc, &argv), "MPI_Init");
  }
  int rank = 0, size = 0;
  check(MPI_Comm_rank(MPI_COMM_WORLD, &rank), "MPI_Comm_rank");
  check(MPI_Comm_size(MPI_COMM_WORLD, &size), "MPI_Comm_size");

  std::string path;
  int warmup = 3, steps = 20;
  bool allocPerStep = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--warmup" && i + 1 < argc)
      warmup = std::atoi(argv[++i]);
    else if (arg == "--steps" && i + 1 < argc)
      steps = std::atoi(argv[++i]);
    else if (arg == "--alloc-per-step")
      allocPerStep = true;
    else if (arg == "--thread-multiple")
      continue;
    else if (!arg.empty() && arg[0] != '-' && path.empty())
      path = arg;
    else
      die("usage: mpi_baseline SHAPES [--warmup W] [--steps K] "
          "[--alloc-per-step] [--thread-multiple]");
  }
  if (path.empty() || warmup < 0 || steps < 1)
    die("usage: mpi_baseline SHAPES [--warmup W] [--steps K] "
        "[--alloc-per-step]");

  std::vector<long long> counts = readShapes(path);
  size_t n = counts.size();
  long long elements = 0;
  for (long long count : counts)
    elements += count;

  // Gradient k holds (rank + 1) + k everywhere, written before timing so
  // every page is touched; the outputs are touched too (zeroed), as a
  // training loop's buffers would be after the first step.
  std::vector<float *> in(n), out(n, nullptr);
  for (size_t k = 0; k < n; ++k) {
    in[k] = allocate(counts[k]);
    std::fill(in[k], in[k] + counts[k], float(rank + 1) + float(k));
    if (!allocPerStep) {
      out[k] = allocate(counts[k]);
      std::memset(out[k], 0, counts[k] * sizeof(float));
    }
  }

  // A step's time runs from its start to the next step's start, as in the
  // replica program: the all-reduces, the checksum, the swap (and with
  // --alloc-per-step the mallocs and frees).
  int total = warmup + steps;
  std::vector<double> stamps(total + 1);
  double checksum = 0;
  for (int step = 0; step < total; ++step) {
    stamps[step] = now();
    for (size_t k = 0; k < n; ++k) {
      if (allocPerStep)
        out[k] = allocate(counts[k]);
      int count = static_cast<int>(counts[k]);
      check(MPI_Allreduce(in[k], out[k], count, MPI_FLOAT, MPI_SUM,
                          MPI_COMM_WORLD),
            "MPI_Allreduce");
      float *data = out[k];
      for (int i = 0; i < count; ++i)
        data[i] /= static_cast<float>(size);
    }
    for (size_t k = 0; k < n; ++k)
      checksum += out[k][0];
    if (allocPerStep)
      for (size_t k = 0; k < n; ++k)
        std::free(in[k]);
    // The results are the next step's inputs.
    std::swap(in, out);
    if (allocPerStep)
      std::fill(out.begin(), out.end(), nullptr);
  }
  stamps[total] = now();
  std::vector<double> times(total);
  for (int step = 0; step < total; ++step)
    times[step] = stamps[step + 1] - stamps[step];

  std::vector<double> slowest(total);
  check(MPI_Reduce(times.data(), slowest.data(), total, MPI_DOUBLE, MPI_MAX, 0,
                   MPI_COMM_WORLD),
        "MPI_Reduce");
  // Every result element is (size + 1) / 2 + k after each step.
  double expected = 0;
  for (size_t k = 0; k < n; ++k)
    expected += (size + 1) / 2.0 + double(k);
  expected *= total;
  double error = std::fabs(checksum - expected), maxError = 0;
  check(MPI_Reduce(&error, &maxError, 1, MPI_DOUBLE, MPI_MAX, 0,
                   MPI_COMM_WORLD),
        "MPI_Reduce");

  if (rank == 0) {
    std::printf("tensors %zu elements %lld bytes %lld ranks %d\n", n, elements,
                elements * 4, size);
    std::vector<double> timed(slowest.begin() + warmup, slowest.end());
    for (double t : timed)
      std::printf("step_seconds %.9f\n", t);
    std::vector<double> sorted = timed;
    std::sort(sorted.begin(), sorted.end());
    size_t m = sorted.size();
    double median = m % 2 ? sorted[m / 2]
                          : 0.5 * (sorted[m / 2 - 1] + sorted[m / 2]);
    double mean = 0;
    for (double t : timed)
      mean += t;
    mean /= m;
    std::printf("median_step_seconds %.9f\n", median);
    std::printf("mean_step_seconds %.9f\n", mean);
    std::printf("check %.3f\ncheck_max_error %g\n", checksum, maxError);
  }
  for (size_t k = 0; k < n; ++k) {
    std::free(in[k]);
    std::free(out[k]);
  }
  check(MPI_Finalize(), "MPI_Finalize");
  return 0;
}
