#include "blasLoader.h"
#include <dlfcn.h>
#include <cstdlib>
#include "instructionSets.h"

namespace wb {

namespace {
Blas loaded;
bool isLoaded = false;
using GetConfigFn = char* (*)();
using GetThreadsFn = int (*)();
using SetThreadsFn = void (*)(int);
SetThreadsFn setThreadsFn = nullptr;
// OpenBLAS (DYNAMIC_ARCH) picks its kernels by CPU model and falls back to
// Prescott's SSE3 kernels on a model it does not know, e.g. Sapphire Rapids in
// 0.3.21: half the speed on this machine's convolutions. We name the core by
// the instruction sets it has instead, unless the user set OPENBLAS_CORETYPE.
// A known CPU with AVX-512 or AVX2 uses these same SGEMM kernels anyway. Under an AVX2 cap
// (WORKBENCH_NATIVE_ISA=avx2) an AVX-512 CPU gets Haswell's, as an AVX2-only CPU would; the cap must
// be set before the library loads (OpenBLAS reads the variable once).
void chooseOpenBlasCore() {
#if defined(__x86_64__) && defined(__GNUC__)
  if (std::getenv("OPENBLAS_CORETYPE") != nullptr) return;
  __builtin_cpu_init();
  const char* core = nullptr;
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
      __builtin_cpu_supports("avx512dq") && availableIsa() == Isa::Avx512) {
    core = "SkylakeX";
  } else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    core = "Haswell";
  }
  if (core != nullptr) setenv("OPENBLAS_CORETYPE", core, 0);
#endif
}
}  // namespace

bool loadBlas(const std::string& path, std::string& error) {
  chooseOpenBlasCore();
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = dlerror();
    error = why ? why : "dlopen failed";
    return false;
  }
  auto sgemm = reinterpret_cast<SgemmFn>(dlsym(handle, "cblas_sgemm"));
  if (sgemm == nullptr) {
    error = "no cblas_sgemm symbol";
    dlclose(handle);
    return false;
  }
  Blas next;
  next.sgemm = sgemm;
  next.path = path;
  auto getConfig = reinterpret_cast<GetConfigFn>(dlsym(handle, "openblas_get_config"));
  auto getThreads = reinterpret_cast<GetThreadsFn>(dlsym(handle, "openblas_get_num_threads"));
  setThreadsFn = reinterpret_cast<SetThreadsFn>(dlsym(handle, "openblas_set_num_threads"));
  if (getConfig != nullptr) {
    next.config = getConfig();
  } else if (path.find("Accelerate") != std::string::npos) {
    next.config = "Apple Accelerate";
  } else {
    // Reference BLAS is slower than the wasm kernels it would replace.
    error = "not an optimized BLAS (no openblas_get_config symbol)";
    dlclose(handle);
    return false;
  }
  next.threads = getThreads != nullptr ? getThreads() : 1;
  // Our kernels split work over cores themselves (each core runs its own
  // single-threaded GEMM); BLAS threads on top would oversubscribe them.
  if (setThreadsFn != nullptr) setThreadsFn(1);
  loaded = next;
  isLoaded = true;
  return true;
}

const Blas& blas() { return loaded; }
bool blasLoaded() { return isLoaded; }


}  // namespace wb
