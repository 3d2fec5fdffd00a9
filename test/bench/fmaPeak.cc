// The machine's FMA peak for `npm run bench` (compiled by fmaPeak.ts with g++ at bench time): every core
// runs independent chains of fused multiply-adds on full vectors, enough of them to cover the FMA latency
// on every port, and the flops over the wall time are the ceiling our kernels are measured against.
// Prints one JSON line: {"threads": N, "avx512": GFLOP/s | null, "avx2": GFLOP/s | null}.
#include <immintrin.h>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

namespace {

constexpr int kChains = 16;  // 2 FMA ports x 4-cycle latency = 8 in flight; 16 leaves room

__attribute__((target("avx512f"))) float chainsAvx512(long iterations) {
  __m512 acc[kChains];
  for (int i = 0; i < kChains; i++) acc[i] = _mm512_set1_ps(static_cast<float>(i));
  const __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
  for (long n = 0; n < iterations; n++) {
#pragma GCC unroll 16
    for (int i = 0; i < kChains; i++) acc[i] = _mm512_fmadd_ps(acc[i], a, b);
  }
  __m512 sum = acc[0];
  for (int i = 1; i < kChains; i++) sum = _mm512_add_ps(sum, acc[i]);
  return _mm512_reduce_add_ps(sum);
}

__attribute__((target("avx2,fma"))) float chainsAvx2(long iterations) {
  __m256 acc[kChains];
  for (int i = 0; i < kChains; i++) acc[i] = _mm256_set1_ps(static_cast<float>(i));
  const __m256 a = _mm256_set1_ps(0.999999f), b = _mm256_set1_ps(1e-7f);
  for (long n = 0; n < iterations; n++) {
#pragma GCC unroll 16
    for (int i = 0; i < kChains; i++) acc[i] = _mm256_fmadd_ps(acc[i], a, b);
  }
  __m256 sum = acc[0];
  for (int i = 1; i < kChains; i++) sum = _mm256_add_ps(sum, acc[i]);
  float lanes[8];
  _mm256_storeu_ps(lanes, sum);
  return lanes[0] + lanes[7];
}

// GFLOP/s of `threads` threads each running `chains(iterations)`; the best of three tries.
double measure(float (*chains)(long), int lanes, int threads, long iterations) {
  double best = 0;
  for (int attempt = 0; attempt < 3; attempt++) {
    std::vector<std::thread> team;
    std::vector<float> sink(threads);
    const auto start = std::chrono::steady_clock::now();
    for (int t = 0; t < threads; t++) team.emplace_back([&, t] { sink[t] = chains(iterations); });
    for (auto& thread : team) thread.join();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double flops = 2.0 * lanes * kChains * static_cast<double>(iterations) * threads;
    if (sink[0] == 12345.f) std::puts("");  // keeps the chains from being optimized away
    best = std::max(best, flops / seconds / 1e9);
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  const int threads = argc > 1 ? std::atoi(argv[1]) : static_cast<int>(std::thread::hardware_concurrency());
  const long iterations = argc > 2 ? std::atol(argv[2]) : 20'000'000;
  __builtin_cpu_init();
  const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  const bool avx512 = avx2 && __builtin_cpu_supports("avx512f");
  char avx512Text[32] = "null", avx2Text[32] = "null";
  if (avx512) std::snprintf(avx512Text, sizeof avx512Text, "%.1f", measure(chainsAvx512, 16, threads, iterations));
  if (avx2) std::snprintf(avx2Text, sizeof avx2Text, "%.1f", measure(chainsAvx2, 8, threads, iterations));
  std::printf("{\"threads\": %d, \"avx512\": %s, \"avx2\": %s}\n", threads, avx512Text, avx2Text);
  return 0;
}
