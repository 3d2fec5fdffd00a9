// Batch normalization in training mode over channels-last data viewed as
// [rows, channels] (rows = batch x height x width), forward and backward in
// two passes each. tfjs composes the same maths from ~20 ops (tiles, means,
// broadcasts), which cost more than ResNet-18's convolutions on this rung.
#pragma once

namespace wb {

// mean and variance (biased, as tfjs-layers keeps it) of x per channel; then
// y = (x - mean) / sqrt(variance + epsilon) * gamma + beta.
void batchNormForward(long rows, int channels, const float* x, const float* gamma, const float* beta,
                      float epsilon, float* y, float* mean, float* variance);

// Gradients of y for the inputs x, gamma and beta (mean and variance are
// functions of x here, as in training).
void batchNormBackward(long rows, int channels, const float* dy, const float* x, const float* gamma,
                       const float* mean, const float* variance, float epsilon, float* dx, float* dgamma,
                       float* dbeta);

}  // namespace wb
