//===- mpi_baseline.cpp - hand-written MPI gradient all-reduce steps -------===//
//
// The hand-written MPI programs that the benchmarks compare the code replica
// generates against, one per --mode. A "step" all-reduces (mean, f32) every
// gradient tensor of a model on all ranks.
//
// --mode carried (default; `bench/allreduce_step.py`): one MPI_Allreduce per
// tensor (unfused), the way a program lowered with `replica-lower-to-mpi
// fuse=false` does for `replica.all_reduce mean`:
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
// The other modes are the peers of `bench/fusion.py`. Each step first
// PRODUCES every gradient (writes (rank + 1) + k + step into every element
// of gradient k, in parameter order, as the replica program's linalg.fill
// does), then all-reduces them; all buffers are allocated and touched once
// before the first step:
//
//   per-tensor  gradient k in its own buffer; one out-of-place
//               MPI_Allreduce per tensor into its own output buffer, then
//               out /= size (replica's unfused code, without the compiler).
//   contiguous  all gradients in one flat buffer (gradient k written into
//               its slice, packed back to back); one out-of-place
//               MPI_Allreduce of the whole buffer, then /= size.
//   buckets     PyTorch DDP's bucketing: gradients in their own buffers;
//               buckets formed in reverse parameter order, a bucket closed
//               once it holds >= its limit (--first-bucket-bytes, default
//               1 MiB = torch's _DEFAULT_FIRST_BUCKET_BYTES, for the first
//               bucket; --bucket-bytes, default 25 MiB = DDP's
//               bucket_cap_mb=25 * 1024 * 1024, for the others: the
//               assignment of dist._compute_bucket_assignment_by_size on
//               the gradients in reverse order). Per bucket and step: copy
//               the members in, MPI_Allreduce(MPI_IN_PLACE) on the bucket
//               (as DDP's allreduce is), copy out into the gradients with
//               the division by size.
//
// --in-place (per-tensor, contiguous): MPI_Allreduce(MPI_IN_PLACE) on the
// gradient buffers, then /= size there, instead of a separate output.
// --nonblocking (produced modes): every all-reduce of the step is started
// with MPI_Iallreduce (buckets: each once it is filled, as DDP does), then
// MPI_Waitall, then the divisions (copies out). replica's runtime launches
// the all-reduces of a step together this way; Open MPI's nonblocking
// collectives (coll libnbc) use other algorithms than the blocking ones
// (coll tuned), which matters for large messages.
//
// Build:  OMPI_CXX=clang++-22 mpicxx -O2 -std=c++17 bench/mpi_baseline.cpp \
//             -o build/bench/mpi_baseline
//         (allreduce_step.py and fusion.py do this; clang++-22 also built
//         the runtime)
// Run:    mpirun -np 2 build/bench/mpi_baseline SHAPES [--warmup W] [--steps K]
//                [--mode carried|per-tensor|contiguous|buckets]
//                [--bucket-bytes B] [--first-bucket-bytes B] [--in-place]
//                [--nonblocking] [--alloc-per-step] [--thread-multiple]
//
// SHAPES is either a workload JSON (bench/workloads/<model>.json: every
// "shape": [...] array in it is one f32 tensor) or a text file with one
// tensor per line, its dimensions separated by spaces or 'x' (an empty line
// or "scalar" is a 0-d tensor). Lines starting with '#' are skipped.
//
// carried: every rank starts gradient k as (rank + 1) + k in every element,
// so the mean is (size + 1) / 2 + k after each step. Produced modes: the
// mean of gradient k in step s is (size + 1) / 2 + k + s. Output, from rank
// 0 only, each value in its own parseable line:
//
//   tensors N elements E bytes B ranks R
//   mode M allreduces_per_step A largest_allreduce_bytes L
//   bucket_bytes B1,B2,...    (buckets only: each bucket's size, in the
//                             order they are reduced)
//   step_seconds T            (one per timed step; max over the ranks)
//   median_step_seconds T
//   mean_step_seconds T
//   check C                   carried: sum over all steps and tensors of
//                             element 0 of each result, on rank 0; produced
//                             modes: of the first and the last element
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

enum class Mode { Carried, PerTensor, Contiguous, Buckets };

struct Run {
  std::vector<double> stamps; // warmup + steps + 1 step starts
  double checksum = 0;
  double expected = 0;
  int allreducesPerStep = 0;
  long long largestBytes = 0;
  std::vector<long long> bucketBytes;
};

/// The value every element of gradient k holds in step `step` on `rank`.
inline float produced(int rank, size_t k, int step) {
  return float(rank + 1) + float(k) + float(step);
}

/// --mode carried: the loop-carried per-tensor step (allreduce_step.py).
Run runCarried(const std::vector<long long> &counts, int rank, int size,
               int total, bool allocPerStep) {
  size_t n = counts.size();
  Run run;
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
  run.stamps.resize(total + 1);
  for (int step = 0; step < total; ++step) {
    run.stamps[step] = now();
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
      run.checksum += out[k][0];
    if (allocPerStep)
      for (size_t k = 0; k < n; ++k)
        std::free(in[k]);
    // The results are the next step's inputs.
    std::swap(in, out);
    if (allocPerStep)
      std::fill(out.begin(), out.end(), nullptr);
  }
  run.stamps[total] = now();
  // Every result element is (size + 1) / 2 + k after each step.
  for (size_t k = 0; k < n; ++k)
    run.expected += (size + 1) / 2.0 + double(k);
  run.expected *= total;
  run.allreducesPerStep = static_cast<int>(n);
  for (long long count : counts)
    run.largestBytes = std::max(run.largestBytes, count * 4);
  for (size_t k = 0; k < n; ++k) {
    std::free(in[k]);
    std::free(out[k]);
  }
  return run;
}

/// The produced modes: every step writes every gradient, then all-reduces.
Run runProduced(Mode mode, const std::vector<long long> &counts, int rank,
                int size, int total, bool inPlace, bool nonblocking,
                long long bucketBytes, long long firstBucketBytes) {
  size_t n = counts.size();
  long long elements = 0;
  for (long long count : counts)
    elements += count;
  Run run;
  run.stamps.resize(total + 1);
  // Where gradient k lives, and where its reduced mean ends up.
  std::vector<float *> grad(n), result(n);
  std::vector<void *> owned;
  auto fresh = [&](long long count) {
    float *data = allocate(count);
    std::memset(data, 0, count * sizeof(float));
    owned.push_back(data);
    return data;
  };

  // contiguous: the flat buffer and the output it is reduced into.
  float *flat = nullptr, *flatOut = nullptr;
  // buckets: the members of each bucket, in the order they are copied in,
  // and the bucket buffers.
  std::vector<std::vector<size_t>> buckets;
  std::vector<float *> bucketData;

  if (mode == Mode::Contiguous) {
    flat = fresh(elements);
    flatOut = inPlace ? flat : fresh(elements);
    long long offset = 0;
    for (size_t k = 0; k < n; ++k) {
      grad[k] = flat + offset;
      result[k] = flatOut + offset;
      offset += counts[k];
    }
    run.allreducesPerStep = 1;
    run.largestBytes = elements * 4;
  } else {
    for (size_t k = 0; k < n; ++k) {
      grad[k] = fresh(counts[k]);
      result[k] = mode == Mode::Buckets || inPlace ? grad[k]
                                                   : fresh(counts[k]);
      run.largestBytes = std::max(run.largestBytes, counts[k] * 4);
    }
    run.allreducesPerStep = static_cast<int>(n);
  }
  if (mode == Mode::Buckets) {
    // DDP: reverse parameter order; a bucket closes as soon as it holds at
    // least its limit (the first bucket's limit is the small one).
    long long limit = firstBucketBytes, filled = 0;
    std::vector<size_t> current;
    for (size_t j = n; j-- > 0;) {
      current.push_back(j);
      filled += counts[j] * 4;
      if (filled >= limit) {
        buckets.push_back(current);
        run.bucketBytes.push_back(filled);
        current.clear();
        filled = 0;
        limit = bucketBytes;
      }
    }
    if (!current.empty()) {
      buckets.push_back(current);
      run.bucketBytes.push_back(filled);
    }
    for (long long bytes : run.bucketBytes)
      bucketData.push_back(fresh(bytes / 4));
    run.allreducesPerStep = static_cast<int>(buckets.size());
    run.largestBytes =
        *std::max_element(run.bucketBytes.begin(), run.bucketBytes.end());
  }

  const float divisor = static_cast<float>(size);
  // One all-reduce (SUM, out of place unless in == out): blocking, or
  // started with MPI_Iallreduce and completed by waitAll (--nonblocking,
  // as replica's runtime does for the all-reduces it launches together).
  std::vector<MPI_Request> requests;
  auto reduce = [&](float *in, float *out, long long count) {
    const void *send = in == out ? MPI_IN_PLACE : in;
    int n = static_cast<int>(count);
    if (nonblocking) {
      requests.emplace_back();
      check(MPI_Iallreduce(send, out, n, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD,
                           &requests.back()),
            "MPI_Iallreduce");
    } else {
      check(MPI_Allreduce(send, out, n, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD),
            "MPI_Allreduce");
    }
  };
  auto waitAll = [&] {
    if (requests.empty())
      return;
    check(MPI_Waitall(static_cast<int>(requests.size()), requests.data(),
                      MPI_STATUSES_IGNORE),
          "MPI_Waitall");
    requests.clear();
  };
  // `mean`: the sum divided by the number of processes, as replica's
  // runtime does it.
  auto divide = [&](float *data, long long count) {
    for (long long i = 0; i < count; ++i)
      data[i] /= divisor;
  };
  for (int step = 0; step < total; ++step) {
    run.stamps[step] = now();
    // The backward pass: produce every gradient.
    for (size_t k = 0; k < n; ++k)
      std::fill(grad[k], grad[k] + counts[k], produced(rank, k, step));
    switch (mode) {
    case Mode::PerTensor:
      for (size_t k = 0; k < n; ++k) {
        reduce(grad[k], result[k], counts[k]);
        if (!nonblocking)
          divide(result[k], counts[k]);
      }
      waitAll();
      if (nonblocking)
        for (size_t k = 0; k < n; ++k)
          divide(result[k], counts[k]);
      break;
    case Mode::Contiguous:
      reduce(flat, flatOut, elements);
      waitAll();
      divide(flatOut, elements);
      break;
    case Mode::Buckets: {
      auto copyIn = [&](size_t b) {
        float *at = bucketData[b];
        for (size_t k : buckets[b]) {
          std::memcpy(at, grad[k], counts[k] * sizeof(float));
          at += counts[k];
        }
      };
      auto copyOut = [&](size_t b) {
        const float *at = bucketData[b];
        for (size_t k : buckets[b]) {
          float *to = grad[k];
          for (long long i = 0; i < counts[k]; ++i)
            to[i] = at[i] / divisor;
          at += counts[k];
        }
      };
      // Blocking: one bucket after the other. Nonblocking (as DDP): every
      // bucket's all-reduce is launched once it is filled, all are waited
      // for at the end, then copied out.
      for (size_t b = 0; b < buckets.size(); ++b) {
        copyIn(b);
        reduce(bucketData[b], bucketData[b], run.bucketBytes[b] / 4);
        if (!nonblocking)
          copyOut(b);
      }
      waitAll();
      if (nonblocking)
        for (size_t b = 0; b < buckets.size(); ++b)
          copyOut(b);
      break;
    }
    case Mode::Carried:
      break;
    }
    // Consume the results (as the replica program's checksum does).
    for (size_t k = 0; k < n; ++k)
      run.checksum += double(result[k][0]) + double(result[k][counts[k] - 1]);
  }
  run.stamps[total] = now();
  for (int step = 0; step < total; ++step)
    for (size_t k = 0; k < n; ++k)
      run.expected += 2 * ((size + 1) / 2.0 + double(k) + double(step));
  for (void *data : owned)
    std::free(data);
  return run;
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

  const char *usage =
      "usage: mpi_baseline SHAPES [--warmup W] [--steps K] "
      "[--mode carried|per-tensor|contiguous|buckets] [--bucket-bytes B] "
      "[--first-bucket-bytes B] [--in-place] [--nonblocking] "
      "[--alloc-per-step] "
      "[--thread-multiple]";
  std::string path, modeName = "carried";
  int warmup = 3, steps = 20;
  bool allocPerStep = false, inPlace = false, nonblocking = false;
  long long bucketBytes = 25LL * 1024 * 1024, firstBucketBytes = 1024 * 1024;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--warmup" && i + 1 < argc)
      warmup = std::atoi(argv[++i]);
    else if (arg == "--steps" && i + 1 < argc)
      steps = std::atoi(argv[++i]);
    else if (arg == "--mode" && i + 1 < argc)
      modeName = argv[++i];
    else if (arg == "--bucket-bytes" && i + 1 < argc)
      bucketBytes = std::atoll(argv[++i]);
    else if (arg == "--first-bucket-bytes" && i + 1 < argc)
      firstBucketBytes = std::atoll(argv[++i]);
    else if (arg == "--in-place")
      inPlace = true;
    else if (arg == "--nonblocking")
      nonblocking = true;
    else if (arg == "--alloc-per-step")
      allocPerStep = true;
    else if (arg == "--thread-multiple")
      continue;
    else if (!arg.empty() && arg[0] != '-' && path.empty())
      path = arg;
    else
      die(usage);
  }
  Mode mode;
  if (modeName == "carried")
    mode = Mode::Carried;
  else if (modeName == "per-tensor")
    mode = Mode::PerTensor;
  else if (modeName == "contiguous")
    mode = Mode::Contiguous;
  else if (modeName == "buckets")
    mode = Mode::Buckets;
  else
    die(usage);
  if (path.empty() || warmup < 0 || steps < 1 || bucketBytes < 1 ||
      firstBucketBytes < 1)
    die(usage);
  if (allocPerStep && mode != Mode::Carried)
    die("--alloc-per-step is a --mode carried option");
  if (inPlace && mode != Mode::PerTensor && mode != Mode::Contiguous)
    die("--in-place is a --mode per-tensor/contiguous option");
  if (nonblocking && mode == Mode::Carried)
    die("--nonblocking is an option of the produced modes");

  std::vector<long long> counts = readShapes(path);
  size_t n = counts.size();
  long long elements = 0;
  for (long long count : counts)
    elements += count;
  if (mode == Mode::Contiguous && elements > 0x7fffffff)
    die("model too large for one MPI_Allreduce");

  int total = warmup + steps;
  Run run = mode == Mode::Carried
                ? runCarried(counts, rank, size, total, allocPerStep)
                : runProduced(mode, counts, rank, size, total, inPlace,
                              nonblocking, bucketBytes, firstBucketBytes);

  std::vector<double> times(total);
  for (int step = 0; step < total; ++step)
    times[step] = run.stamps[step + 1] - run.stamps[step];
  std::vector<double> slowest(total);
  check(MPI_Reduce(times.data(), slowest.data(), total, MPI_DOUBLE, MPI_MAX, 0,
                   MPI_COMM_WORLD),
        "MPI_Reduce");
  double error = std::fabs(run.checksum - run.expected), maxError = 0;
  check(MPI_Reduce(&error, &maxError, 1, MPI_DOUBLE, MPI_MAX, 0,
                   MPI_COMM_WORLD),
        "MPI_Reduce");

  if (rank == 0) {
    std::printf("tensors %zu elements %lld bytes %lld ranks %d\n", n, elements,
                elements * 4, size);
    std::printf("mode %s%s%s allreduces_per_step %d largest_allreduce_bytes "
                "%lld\n",
                modeName.c_str(), inPlace ? "-in-place" : "",
                nonblocking ? "-nonblocking" : "",
                run.allreducesPerStep, run.largestBytes);
    if (mode == Mode::Buckets) {
      std::printf("bucket_bytes ");
      for (size_t b = 0; b < run.bucketBytes.size(); ++b)
        std::printf("%s%lld", b ? "," : "", run.bucketBytes[b]);
      std::printf("\n");
    }
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
    std::printf("check %.3f\ncheck_max_error %g\n", run.checksum, maxError);
  }
  check(MPI_Finalize(), "MPI_Finalize");
  return 0;
}
