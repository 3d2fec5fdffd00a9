// Memory-bound gradient kernels that tfjs composes from several ops or runs on
// one wasm thread: activation gradients in one pass, the bias gradient, and
// pooling gradients over channels-last images. Same semantics as tfjs's cpu
// backend (max pooling: the first maximum in row-major window order wins,
// padded cells never do, overlapping windows accumulate).
#pragma once

namespace wb {

struct PoolShape {
  int batch, inH, inW, channels;
  int outH, outW;
  int filterH, filterW;
  int strideH, strideW;
  int padTop, padLeft;
};

// dx = dy * y * (1 - y), with y = sigmoid(x)
void sigmoidGrad(long size, const float* dy, const float* y, float* dx);
// dx = x > 0 ? dy : 0
void reluGrad(long size, const float* dy, const float* x, float* dx);
// out[c] = sum over rows of x[row, c]
void channelSum(long rows, int channels, const float* x, float* out);
void maxPoolGrad(const PoolShape& s, const float* dy, const float* x, float* dx);
// Windows that tile the input without overlap or padding (window = stride).
void avgPoolGradTiled(const PoolShape& s, const float* dy, float* dx);

}  // namespace wb
