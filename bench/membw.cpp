//===- membw.cpp - memory bandwidth probe for bench/fusion.py -------------===//
//
// Measures how fast this machine moves data through main memory, for the
// "memory-bandwidth floor" of bench/fusion.py. Three kernels, each on
// buffers far larger than the caches (--mib per buffer, default 512), run
// by 1 and by --threads threads at once (each thread on its own buffers,
// all started together; the time is from the start of the first to the end
// of the last), best of --repeat runs:
//
//   copy  memcpy(dst, src, n)         counted as 2n bytes (read + write),
//                                     STREAM's convention
//   fill  std::fill(dst, dst + n, v)  counted as n bytes (write)
//   read  sum of all floats of src    counted as n bytes (read)
//
// Every buffer is written once before timing, so no page faults are timed.
// Output, one line per kernel and thread count:
//
//   membw KERNEL threads T gbps G      (G = 1e9 bytes per second)
//
// Build: OMPI_CXX=clang++-22 mpicxx -O2 -std=c++17 -pthread bench/membw.cpp
//        (fusion.py does this; MPI itself is not used)
//
//===----------------------------------------------------------------------===//

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

double now() {
  using clock = std::chrono::steady_clock;
  return std::chrono::duration<double>(clock::now().time_since_epoch())
      .count();
}

struct Buffers {
  std::vector<float> src, dst;
};

volatile float sink;

/// Runs `kernel` on every buffer set in its own thread, all released at
/// once; returns the wall time from release to the last thread's end.
template <typename Kernel>
double timeParallel(std::vector<Buffers> &sets, Kernel kernel) {
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  std::vector<double> ends(sets.size());
  std::vector<std::thread> threads;
  for (size_t t = 0; t < sets.size(); ++t)
    threads.emplace_back([&, t] {
      ready.fetch_add(1);
      while (!go.load(std::memory_order_acquire)) {
      }
      kernel(sets[t]);
      ends[t] = now();
    });
  while (ready.load() != static_cast<int>(sets.size())) {
  }
  double start = now();
  go.store(true, std::memory_order_release);
  for (auto &thread : threads)
    thread.join();
  return *std::max_element(ends.begin(), ends.end()) - start;
}

} // namespace

int main(int argc, char **argv) {
  size_t mib = 512;
  int repeat = 8, maxThreads = 2;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--mib" && i + 1 < argc)
      mib = std::strtoull(argv[++i], nullptr, 10);
    else if (arg == "--repeat" && i + 1 < argc)
      repeat = std::atoi(argv[++i]);
    else if (arg == "--threads" && i + 1 < argc)
      maxThreads = std::atoi(argv[++i]);
    else {
      std::fprintf(stderr,
                   "usage: membw [--mib M] [--repeat R] [--threads T]\n");
      return 1;
    }
  }
  if (mib < 1 || repeat < 1 || maxThreads < 1) {
    std::fprintf(stderr, "membw: bad arguments\n");
    return 1;
  }
  size_t count = mib * (1 << 20) / sizeof(float);
  size_t bytes = count * sizeof(float);
  std::vector<Buffers> all(maxThreads);
  for (auto &set : all) {
    set.src.assign(count, 1.0f);
    set.dst.assign(count, 0.0f);
  }

  std::vector<int> threadCounts{1};
  if (maxThreads > 1)
    threadCounts.push_back(maxThreads);
  for (int threads : threadCounts) {
    std::vector<Buffers> sets;
    for (int t = 0; t < threads; ++t)
      sets.push_back(std::move(all[t]));
    double copy = 1e30, fill = 1e30, read = 1e30;
    for (int r = 0; r < repeat; ++r) {
      copy = std::min(copy, timeParallel(sets, [&](Buffers &b) {
                        std::memcpy(b.dst.data(), b.src.data(), bytes);
                      }));
      fill = std::min(fill, timeParallel(sets, [&](Buffers &b) {
                        std::fill(b.dst.begin(), b.dst.end(), float(r));
                      }));
      read = std::min(read, timeParallel(sets, [&](Buffers &b) {
                        float sum = 0;
                        const float *p = b.src.data();
                        // Eight partial sums so the adds vectorize.
                        float part[8] = {0};
                        for (size_t i = 0; i + 8 <= count; i += 8)
                          for (int j = 0; j < 8; ++j)
                            part[j] += p[i + j];
                        for (float v : part)
                          sum += v;
                        sink = sum;
                      }));
    }
    double total = double(bytes) * threads;
    std::printf("membw copy threads %d gbps %.2f\n", threads,
                2 * total / copy * 1e-9);
    std::printf("membw fill threads %d gbps %.2f\n", threads,
                total / fill * 1e-9);
    std::printf("membw read threads %d gbps %.2f\n", threads,
                total / read * 1e-9);
    for (int t = 0; t < threads; ++t)
      all[t] = std::move(sets[t]);
  }
  return 0;
}
