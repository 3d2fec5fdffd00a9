#include "instructionSets.h"
#include <atomic>
#include <cstring>
#include <initializer_list>

namespace wb {

namespace {
std::atomic<Isa> limit{Isa::Avx512};
}  // namespace

Isa cpuIsa() {
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
  static const Isa detected = [] {
    __builtin_cpu_init();
    if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) return Isa::Generic;
    const bool avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq");
    return avx512 ? Isa::Avx512 : Isa::Avx2;
  }();
  return detected;
#else
  // The direct kernels are built with GCC's x86 target pragmas only (directConv.cc).
  return Isa::Generic;
#endif
}

void setIsaLimit(Isa isa) { limit = isa; }

Isa availableIsa() {
  const Isa cpu = cpuIsa();
  const Isa cap = limit;
  return static_cast<int>(cap) < static_cast<int>(cpu) ? cap : cpu;
}

const char* isaName(Isa isa) {
  switch (isa) {
    case Isa::Avx512: return "avx512";
    case Isa::Avx2: return "avx2";
    default: return "generic";
  }
}

bool parseIsa(const char* name, Isa& isa) {
  for (Isa candidate : {Isa::Avx512, Isa::Avx2, Isa::Generic}) {
    if (std::strcmp(name, isaName(candidate)) == 0) {
      isa = candidate;
      return true;
    }
  }
  return false;
}

}  // namespace wb
