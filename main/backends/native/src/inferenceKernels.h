// Forward-only kernels that inference spends its time in once convolutions
// are native: batch norm with its moving statistics and pooling, each one
// multithreaded pass where tfjs's wasm kernels run single-threaded.
#pragma once
#include "gradientKernels.h"

namespace wb {

// y = (x - mean) / sqrt(variance + epsilon) * scale + offset per channel, x
// viewed as [rows, channels]; scale and offset may be null (1 and 0).
void batchNormInference(long rows, int channels, const float* x, const float* mean, const float* variance,
                        const float* offset, const float* scale, float epsilon, float* y);

// NHWC max pooling (padding never wins) and average pooling (the mean of the
// window's pixels inside the image, as tfjs counts them).
void maxPool(const PoolShape& s, const float* x, float* y);
void avgPool(const PoolShape& s, const float* x, float* y);

}  // namespace wb
