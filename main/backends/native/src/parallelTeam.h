// How the kernels split work over cores: a team of OpenMP threads, sized per
// calling thread (a data-parallel replica asks for one, the trainer for all).
#pragma once
#include <algorithm>
#include <thread>
#ifdef _OPENMP
#include <omp.h>
#endif

namespace wb {

// 0: every core. Per thread, so replicas on worker threads can each ask for one.
inline thread_local int threadsForCaller = 0;

inline void setKernelThreads(int threads) { threadsForCaller = threads; }

// The machine's cores, read once: std::thread::hardware_concurrency() reads /sys on every call (about 10 us,
// as long as a small kernel takes).
inline int coreCount() {
  static const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  return cores;
}

inline int teamSize(long items) {
  int threads = threadsForCaller;
  if (threads <= 0) threads = coreCount();
  return static_cast<int>(std::max(1L, std::min<long>(threads, items)));
}

// Runs body(member) for member = 0..team-1, in parallel where OpenMP is available.
template <typename Body>
void runTeam(int team, Body body) {
#ifdef _OPENMP
  if (team > 1) {
#pragma omp parallel num_threads(team)
    body(omp_get_thread_num());
    return;
  }
#endif
  for (int member = 0; member < team; member++) body(member);
}

// The share [first, last) of `count` items that member `member` of `team` handles.
inline void shareOf(long count, int team, int member, long& first, long& last) {
  first = count * member / team;
  last = count * (member + 1) / team;
}

}  // namespace wb
