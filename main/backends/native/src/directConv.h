// Direct (register-tiled) NHWC convolution forward for CPUs with AVX2 or AVX-512, used before
// im2col + SGEMM where it applies. Layouts as in convKernels.h.
#pragma once
#include "convKernels.h"
#include "instructionSets.h"

namespace wb {

// False, with y untouched, when this CPU or build has no direct kernel or the shape is not covered
// (a dilated width); the caller then runs im2col + SGEMM.
bool conv2dForwardDirect(const ConvShape& s, const float* x, const float* filter, const float* bias,
                         Activation activation, float* y, const float* residual);

bool directConvAvailable();

// Whether the direct kernel runs this shape's tiles by window class, multiplying only the taps inside the
// image (padded maps at a batch that fills the register tiles). False without a direct kernel.
bool useWindowClasses(const ConvShape& s);

// The instruction set the direct kernels (forward and filter gradient) run with: the widest this CPU and
// build have under the cap, AVX2 also under the 'direct-avx2' algorithm, Generic where there is none.
Isa directIsa();

// dw = the filter gradient, as a register-tiled kernel over x and dy in place (directConvFilter.cc).
// False, with dw untouched, where directIsa() is Generic, the algorithm is 'im2col' or the shape is not
// covered (dilation); the caller then runs im2col + SGEMM.
bool conv2dBackpropFilterDirect(const ConvShape& s, const float* x, const float* dy, float* dw);

}  // namespace wb
