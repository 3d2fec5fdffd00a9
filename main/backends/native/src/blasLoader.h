// OpenBLAS (or Accelerate) is loaded at run time with dlopen, so the addon
// builds without BLAS headers and the app still starts where no BLAS exists.
#pragma once
#include <string>

namespace wb {

enum Layout { RowMajor = 101 };
enum Transpose { NoTrans = 111, Trans = 112 };

using SgemmFn = void (*)(int layout, int transA, int transB, int m, int n, int k, float alpha,
                         const float* a, int lda, const float* b, int ldb, float beta, float* c, int ldc);

struct Blas {
  SgemmFn sgemm = nullptr;
  std::string path;
  std::string config;  // openblas_get_config(), or a description
  int threads = 1;  // the library's own threads before we set it to one
};

// Tries `path`; on failure returns false and sets `error`.
bool loadBlas(const std::string& path, std::string& error);
const Blas& blas();
bool blasLoaded();

}  // namespace wb
