// Direct (register-tiled) NHWC convolution forward for CPUs with AVX2 or AVX-512, used before
// im2col + SGEMM where it applies. Layouts as in convKernels.h.
#pragma once
#include "convKernels.h"

namespace wb {

// False, with y untouched, when this CPU or build has no direct kernel or the shape is not covered
// (a dilated width); the caller then runs im2col + SGEMM.
bool conv2dForwardDirect(const ConvShape& s, const float* x, const float* filter, const float* bias,
                         Activation activation, float* y, const float* residual);

bool directConvAvailable();

}  // namespace wb
