// NHWC convolutions as im2col + SGEMM, the way Caffe and PyTorch's CPU path
// run them. Memory layouts are tfjs's: x [n,h,w,ci], filter [kh,kw,ci,co],
// y [n,oh,ow,co]; so y viewed as [n*oh*ow, co] = cols [n*oh*ow, kh*kw*ci] x
// filter [kh*kw*ci, co] with no transposes at all.
#pragma once

namespace wb {

struct ConvShape {
  int batch, inH, inW, inC;
  int outH, outW, outC;
  int filterH, filterW;
  int strideH, strideW;
  int padTop, padLeft;
  int dilationH, dilationW;
};

// Codes shared with nativeKernels.ts (FUSED_ACTIVATIONS). LeakyRelu's slope is PyTorch's 0.01.
enum Activation { Linear = 0, Relu = 1, Sigmoid = 2, Tanh = 3, LeakyRelu = 4 };

constexpr float kLeakySlope = 0.01f;

// Which forward convolution runs: the direct kernel where it applies (the default, with the widest
// instruction set the CPU has), the direct kernel's AVX2 build even on an AVX-512 CPU, or im2col + SGEMM
// always. Process-wide; tests compare them.
enum class ConvAlgorithm { Direct = 0, Im2col = 1, DirectAvx2 = 2 };
void setConvAlgorithm(ConvAlgorithm algorithm);
ConvAlgorithm convAlgorithm();

// y = activation(conv(x, filter) + bias + residual); bias and residual (shaped like y) may be null.
void conv2dForward(const ConvShape& s, const float* x, const float* filter, const float* bias,
                   Activation activation, float* y, const float* residual = nullptr);
void conv2dBackpropInput(const ConvShape& s, const float* dy, const float* filter, float* dx);
// Returns the kernel that ran: "direct-avx512", "direct-avx2" (directConvFilter.cc) or "im2col".
const char* conv2dBackpropFilter(const ConvShape& s, const float* x, const float* dy, float* dw);

// c[m,n] = op(a) x op(b) (+ bias[n], then activation); row-major.
void matMul(int m, int n, int k, bool transA, bool transB, const float* a, const float* b,
            const float* bias, Activation activation, float* c);

}  // namespace wb
