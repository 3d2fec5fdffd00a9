// Winograd F(2x2, 3x3) for stride-1 3x3 convolutions padded by one on each side ('same'), the inference
// plan's kernel for ResNet's small maps. Layouts as in convKernels.h; the filter is transformed once, when
// the plan is compiled (winogradTransformFilter), and each call reads that packed form.
#pragma once
#include <cstddef>
#include "convKernels.h"

namespace wb {

// Output channels per packed block of the transformed filter: both instruction sets' register tiles
// (2 x 16 lanes, 2 x 2 x 8) read whole blocks.
constexpr int kWinogradBlock = 32;

// False where this build has no Winograd kernel (compilers other than GCC); the caller keeps the direct one.
bool winogradAvailable();

// Floats of the packed transformed filter: 16 positions x inC x outC rounded up to whole blocks.
size_t winogradFilterFloats(int inC, int outC);

// filter [3, 3, inC, outC] (HWIO) -> packed [outC block][16 positions of G g G^T][inC][kWinogradBlock], zero
// past outC.
void winogradTransformFilter(const float* filter, int inC, int outC, float* packed);

// Whether conv2dWinograd takes this shape: 3x3, stride and dilation 1, one pixel of padding before, the
// output as large as the input.
bool winogradShape(const ConvShape& s);

// y = activation(conv(x, filter) + bias + residual) from the packed filter; bias and residual may be null.
// False, with y untouched, where winogradShape or winogradAvailable is false or the algorithm is 'im2col'.
bool conv2dWinograd(const ConvShape& s, const float* x, const float* packed, const float* bias, Activation activation,
                    float* y, const float* residual);

}  // namespace wb
