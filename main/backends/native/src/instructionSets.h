// The instruction sets the kernels may use: what the CPU has, capped on request (WORKBENCH_NATIVE_ISA),
// so that an AVX-512 machine can time and test the code AVX2-only CPUs run, and the im2col + BLAS path
// that ARM and Apple CPUs take. Every kernel with per-ISA builds asks availableIsa() here, nowhere else.
#pragma once

namespace wb {

enum class Isa { Generic = 0, Avx2 = 1, Avx512 = 2 };

// The widest instruction set this CPU and build run (AVX2 means AVX2 + FMA; AVX-512 means F, VL, DQ).
Isa cpuIsa();
// Process-wide cap; the default, Avx512, lets the CPU decide.
void setIsaLimit(Isa limit);
// min(cpuIsa(), the cap): the set the kernels use.
Isa availableIsa();
const char* isaName(Isa isa);
// "avx512" | "avx2" | "generic"; false for any other name.
bool parseIsa(const char* name, Isa& isa);

}  // namespace wb
