// Node-API surface of the native kernels. Every tensor arrives as a
// Float32Array view (usually into the tfjs wasm heap, so nothing is copied);
// its length is checked against the shape before any pointer is touched.
#include <node_api.h>
#include <algorithm>
#include <string>
#include <thread>
#include <vector>
#include "blasLoader.h"
#include "batchNormKernels.h"
#include "convKernels.h"
#include "copyKernels.h"
#include "directConv.h"
#include "gradientKernels.h"
#include "inferenceKernels.h"
#include "instructionSets.h"
#include "optimizerKernels.h"
#include "parallelTeam.h"
#include "winogradConv.h"

namespace {

struct Args {
  napi_env env;
  napi_value values[12];
  size_t count = 12;
  bool failed = false;
};

bool fail(napi_env env, const std::string& message) {
  napi_throw_error(env, "ERR_WORKBENCH_KERNEL", message.c_str());
  return false;
}

bool readArgs(napi_env env, napi_callback_info info, Args& args, size_t needed) {
  args.env = env;
  if (napi_get_cb_info(env, info, &args.count, args.values, nullptr, nullptr) != napi_ok) {
    return fail(env, "could not read arguments");
  }
  if (args.count < needed) return fail(env, "too few arguments");
  return true;
}

bool isNullish(napi_env env, napi_value value) {
  napi_valuetype type;
  napi_typeof(env, value, &type);
  return type == napi_null || type == napi_undefined;
}

// A Float32Array with at least `expected` elements (exactly, when exact).
bool floatArray(napi_env env, napi_value value, size_t expected, const char* name, float** out) {
  bool isTyped = false;
  napi_is_typedarray(env, value, &isTyped);
  if (!isTyped) return fail(env, std::string(name) + " must be a Float32Array");
  napi_typedarray_type type;
  size_t length = 0;
  void* data = nullptr;
  napi_get_typedarray_info(env, value, &type, &length, &data, nullptr, nullptr);
  if (type != napi_float32_array) return fail(env, std::string(name) + " must be a Float32Array");
  if (length != expected) {
    return fail(env, std::string(name) + " has " + std::to_string(length) + " elements, expected " +
                         std::to_string(expected));
  }
  *out = static_cast<float*>(data);
  return true;
}

// A typed array of exactly `expected` elements of one type (Int32Array, Float64Array), else a thrown error.
template <typename T>
bool typedArrayOf(napi_env env, napi_value value, size_t expected, const char* name, napi_typedarray_type want,
                  const char* typeName, T** out) {
  bool isTyped = false;
  napi_is_typedarray(env, value, &isTyped);
  napi_typedarray_type type;
  size_t length = 0;
  void* data = nullptr;
  if (isTyped) napi_get_typedarray_info(env, value, &type, &length, &data, nullptr, nullptr);
  if (!isTyped || type != want || length != expected) {
    return fail(env, std::string(name) + " must be " + typeName + " of " + std::to_string(expected));
  }
  *out = static_cast<T*>(data);
  return true;
}

bool intArray(napi_env env, napi_value value, size_t expected, const char* name, int** out) {
  return typedArrayOf(env, value, expected, name, napi_int32_array, "an Int32Array", out);
}

bool doubleArray(napi_env env, napi_value value, size_t expected, const char* name, double** out) {
  return typedArrayOf(env, value, expected, name, napi_float64_array, "a Float64Array", out);
}

bool requireBlas(napi_env env) {
  return wb::blasLoaded() || fail(env, "no BLAS loaded: call loadBlas first");
}

bool readConvShape(napi_env env, napi_value value, wb::ConvShape& s) {
  int* d = nullptr;
  if (!intArray(env, value, 15, "shape", &d)) return false;
  s = wb::ConvShape{d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7], d[8], d[9], d[10], d[11], d[12], d[13], d[14]};
  for (int i = 0; i < 15; i++) {
    const bool mayBeZero = i == 11 || i == 12;
    if (d[i] < 0 || (d[i] == 0 && !mayBeZero)) return fail(env, "invalid convolution shape");
  }
  return true;
}

size_t inputSize(const wb::ConvShape& s) { return static_cast<size_t>(s.batch) * s.inH * s.inW * s.inC; }
size_t outputSize(const wb::ConvShape& s) { return static_cast<size_t>(s.batch) * s.outH * s.outW * s.outC; }
size_t filterSize(const wb::ConvShape& s) { return static_cast<size_t>(s.filterH) * s.filterW * s.inC * s.outC; }

napi_value undefinedValue(napi_env env) {
  napi_value result;
  napi_get_undefined(env, &result);
  return result;
}

napi_value LoadBlas(napi_env env, napi_callback_info info) {
  Args args;
  if (!readArgs(env, info, args, 1)) return nullptr;
  size_t length = 0;
  if (napi_get_value_string_utf8(env, args.values[0], nullptr, 0, &length) != napi_ok) {
    fail(env, "path must be a string");
    return nullptr;
  }
  std::string path(length, '\0');
  napi_get_value_string_utf8(env, args.values[0], path.data(), length + 1, &length);
  std::string error;
  if (!wb::loadBlas(path, error)) {
    fail(env, error);
    return nullptr;
  }
  napi_value result, config, threads;
  napi_create_object(env, &result);
  napi_create_string_utf8(env, wb::blas().config.c_str(), NAPI_AUTO_LENGTH, &config);
  napi_create_int32(env, static_cast<int>(std::max(1u, std::thread::hardware_concurrency())), &threads);
  napi_set_named_property(env, result, "config", config);
  napi_set_named_property(env, result, "threads", threads);
  return result;
}

napi_value SetThreads(napi_env env, napi_callback_info info) {
  Args args;
  if (!readArgs(env, info, args, 1)) return nullptr;
  int threads = 0;
  napi_get_value_int32(env, args.values[0], &threads);
  wb::setKernelThreads(threads);
  return undefinedValue(env);
}

napi_value GetThreads(napi_env env, napi_callback_info info) {
  napi_value result;
  napi_create_int32(env, wb::threadsForCaller, &result);
  return result;
}

// The caller has checked the code is one of wb::Activation's.
wb::Activation toActivation(int code) { return static_cast<wb::Activation>(code); }

// A setting's name (an algorithm, an instruction set): at most 15 bytes, longer ones cut there and so refused by the caller.
std::string shortName(napi_env env, napi_value value) {
  char name[16] = {};
  size_t length = 0;
  napi_get_value_string_utf8(env, value, name, sizeof name, &length);
  return std::string(name, length);
}

// setConvAlgorithm('direct' | 'direct-avx2' | 'im2col'); returns whether that direct kernel exists on this
// CPU and build.
napi_value SetConvAlgorithm(napi_env env, napi_callback_info info) {
  Args args;
  if (!readArgs(env, info, args, 1)) return nullptr;
  const std::string algorithm = shortName(env, args.values[0]);
  wb::setConvAlgorithm(algorithm == "im2col"        ? wb::ConvAlgorithm::Im2col
                       : algorithm == "direct-avx2" ? wb::ConvAlgorithm::DirectAvx2
                                                    : wb::ConvAlgorithm::Direct);
  napi_value result;
  napi_get_boolean(env, wb::directConvAvailable(), &result);
  return result;
}

// setInstructionSet('avx512' | 'avx2' | 'generic'): caps the instruction set the kernels use (set before
// loadBlas to cap OpenBLAS's too); returns the set in use, the CPU's own when it has less.
napi_value SetInstructionSet(napi_env env, napi_callback_info info) {
  Args args;
  if (!readArgs(env, info, args, 1)) return nullptr;
  wb::Isa isa;
  if (!wb::parseIsa(shortName(env, args.values[0]).c_str(), isa)) {
    fail(env, "instruction set must be avx512, avx2 or generic");
    return nullptr;
  }
  wb::setIsaLimit(isa);
  napi_value result;
  napi_create_string_utf8(env, wb::isaName(wb::availableIsa()), NAPI_AUTO_LENGTH, &result);
  return result;
}

// The arguments conv2d and conv2dWinograd share: (x, filter, bias | null, y, shape, activation, residual?),
// the filter's size given by the caller's packing (its taps as they are, or Winograd's transformed planes).
struct ConvCall {
  wb::ConvShape shape;
  float *x = nullptr, *filter = nullptr, *y = nullptr, *bias = nullptr, *residual = nullptr;
  wb::Activation activation = wb::Linear;
};

bool readConvCall(napi_env env, napi_callback_info info, bool needsBlas, size_t (*filterFloats)(const wb::ConvShape&), const char* filterName, ConvCall& c) {
  Args args;
  int activation = 0;
  if (!readArgs(env, info, args, 6) || (needsBlas && !requireBlas(env)) || !readConvShape(env, args.values[4], c.shape)) return false;
  const wb::ConvShape& s = c.shape;
  if (!floatArray(env, args.values[0], inputSize(s), "x", &c.x) ||
      !floatArray(env, args.values[1], filterFloats(s), filterName, &c.filter) ||
      (!isNullish(env, args.values[2]) && !floatArray(env, args.values[2], s.outC, "bias", &c.bias)) ||
      !floatArray(env, args.values[3], outputSize(s), "y", &c.y) ||
      (args.count > 6 && !isNullish(env, args.values[6]) && !floatArray(env, args.values[6], outputSize(s), "residual", &c.residual))) {
    return false;
  }
  napi_get_value_int32(env, args.values[5], &activation);
  if (activation < wb::Linear || activation > wb::LeakyRelu) return fail(env, "unknown activation code"), false;
  c.activation = toActivation(activation);
  return true;
}

size_t packedWinogradSize(const wb::ConvShape& s) { return wb::winogradFilterFloats(s.inC, s.outC); }

// conv2d(x, filter, bias | null, y, shape, activation, residual?)
napi_value Conv2d(napi_env env, napi_callback_info info) {
  ConvCall c;
  if (!readConvCall(env, info, true, filterSize, "filter", c)) return nullptr;
  wb::conv2dForward(c.shape, c.x, c.filter, c.bias, c.activation, c.y, c.residual);
  return undefinedValue(env);
}

// winogradFilter(filter [3, 3, inC, outC], dims = [inC, outC]): the filter transformed and packed for
// conv2dWinograd (a new Float32Array), or null where this build has no Winograd kernel.
napi_value WinogradFilter(napi_env env, napi_callback_info info) {
  Args args;
  int* d = nullptr;
  float* filter = nullptr;
  if (!readArgs(env, info, args, 2) || !intArray(env, args.values[1], 2, "dims", &d)) return nullptr;
  if (d[0] <= 0 || d[1] <= 0) return fail(env, "invalid channel counts"), nullptr;
  if (!floatArray(env, args.values[0], static_cast<size_t>(9) * d[0] * d[1], "filter", &filter)) return nullptr;
  napi_value result;
  if (!wb::winogradAvailable()) {
    napi_get_null(env, &result);
    return result;
  }
  const size_t floats = wb::winogradFilterFloats(d[0], d[1]);
  void* data = nullptr;
  napi_value buffer;
  if (napi_create_arraybuffer(env, floats * sizeof(float), &data, &buffer) != napi_ok) return fail(env, "out of memory"), nullptr;
  wb::winogradTransformFilter(filter, d[0], d[1], static_cast<float*>(data));
  napi_create_typedarray(env, napi_float32_array, floats, buffer, 0, &result);
  return result;
}

// conv2dWinograd(x, packed, bias | null, y, shape, activation, residual?): false, with y untouched, where the
// shape is not a stride-1 3x3 'same' convolution or the build has no Winograd kernel.
napi_value Conv2dWinograd(napi_env env, napi_callback_info info) {
  ConvCall c;
  if (!readConvCall(env, info, false, packedWinogradSize, "packed filter", c)) return nullptr;
  napi_value result;
  napi_get_boolean(env, wb::conv2dWinograd(c.shape, c.x, c.filter, c.bias, c.activation, c.y, c.residual), &result);
  return result;
}

// conv2dBackpropInput(dy, filter, dx, shape)
napi_value Conv2dBackpropInput(napi_env env, napi_callback_info info) {
  Args args;
  wb::ConvShape s;
  float *dy, *filter, *dx;
  if (!readArgs(env, info, args, 4) || !requireBlas(env) || !readConvShape(env, args.values[3], s)) return nullptr;
  if (!floatArray(env, args.values[0], outputSize(s), "dy", &dy) ||
      !floatArray(env, args.values[1], filterSize(s), "filter", &filter) ||
      !floatArray(env, args.values[2], inputSize(s), "dx", &dx)) {
    return nullptr;
  }
  wb::conv2dBackpropInput(s, dy, filter, dx);
  return undefinedValue(env);
}

// conv2dBackpropFilter(x, dy, dw, shape): the name of the kernel that ran
napi_value Conv2dBackpropFilter(napi_env env, napi_callback_info info) {
  Args args;
  wb::ConvShape s;
  float *x, *dy, *dw;
  if (!readArgs(env, info, args, 4) || !requireBlas(env) || !readConvShape(env, args.values[3], s)) return nullptr;
  if (!floatArray(env, args.values[0], inputSize(s), "x", &x) ||
      !floatArray(env, args.values[1], outputSize(s), "dy", &dy) ||
      !floatArray(env, args.values[2], filterSize(s), "dw", &dw)) {
    return nullptr;
  }
  napi_value kernel;
  napi_create_string_utf8(env, wb::conv2dBackpropFilter(s, x, dy, dw), NAPI_AUTO_LENGTH, &kernel);
  return kernel;
}

// matMul(a, b, bias | null, c, dims = [m, n, k, transA, transB, activation])
napi_value MatMul(napi_env env, napi_callback_info info) {
  Args args;
  int* d = nullptr;
  float *a, *b, *c, *bias = nullptr;
  if (!readArgs(env, info, args, 5) || !requireBlas(env) || !intArray(env, args.values[4], 6, "dims", &d)) return nullptr;
  const int m = d[0], n = d[1], k = d[2];
  if (m <= 0 || n <= 0 || k <= 0) {
    fail(env, "invalid matmul shape");
    return nullptr;
  }
  if (!floatArray(env, args.values[0], static_cast<size_t>(m) * k, "a", &a) ||
      !floatArray(env, args.values[1], static_cast<size_t>(k) * n, "b", &b) ||
      (!isNullish(env, args.values[2]) && !floatArray(env, args.values[2], n, "bias", &bias)) ||
      !floatArray(env, args.values[3], static_cast<size_t>(m) * n, "c", &c)) {
    return nullptr;
  }
  if (d[5] < wb::Linear || d[5] > wb::LeakyRelu) return fail(env, "unknown activation code"), nullptr;
  wb::matMul(m, n, k, d[3] != 0, d[4] != 0, a, b, bias, toActivation(d[5]), c);
  return undefinedValue(env);
}

bool readDouble(napi_env env, napi_value value, const char* name, double* out) {
  return napi_get_value_double(env, value, out) == napi_ok || fail(env, std::string(name) + " must be a number");
}

// batchNormForward(x, gamma, beta, y, mean, variance, dims = [rows, channels], epsilon)
napi_value BatchNormForward(napi_env env, napi_callback_info info) {
  Args args;
  int* d = nullptr;
  double epsilon = 0;
  float *x, *gamma, *beta, *y, *mean, *variance;
  if (!readArgs(env, info, args, 8) || !intArray(env, args.values[6], 2, "dims", &d) ||
      !readDouble(env, args.values[7], "epsilon", &epsilon)) {
    return nullptr;
  }
  const size_t rows = d[0], channels = d[1];
  if (d[0] <= 0 || d[1] <= 0) {
    fail(env, "invalid batch norm shape");
    return nullptr;
  }
  if (!floatArray(env, args.values[0], rows * channels, "x", &x) ||
      !floatArray(env, args.values[1], channels, "gamma", &gamma) ||
      !floatArray(env, args.values[2], channels, "beta", &beta) ||
      !floatArray(env, args.values[3], rows * channels, "y", &y) ||
      !floatArray(env, args.values[4], channels, "mean", &mean) ||
      !floatArray(env, args.values[5], channels, "variance", &variance)) {
    return nullptr;
  }
  wb::batchNormForward(d[0], d[1], x, gamma, beta, static_cast<float>(epsilon), y, mean, variance);
  return undefinedValue(env);
}

// batchNormBackward(dy, x, gamma, mean, variance, dx, dgamma, dbeta, dims = [rows, channels], epsilon)
napi_value BatchNormBackward(napi_env env, napi_callback_info info) {
  Args args;
  int* d = nullptr;
  double epsilon = 0;
  float *dy, *x, *gamma, *mean, *variance, *dx, *dgamma, *dbeta;
  if (!readArgs(env, info, args, 10) || !intArray(env, args.values[8], 2, "dims", &d) ||
      !readDouble(env, args.values[9], "epsilon", &epsilon)) {
    return nullptr;
  }
  const size_t rows = d[0], channels = d[1];
  if (d[0] <= 0 || d[1] <= 0) {
    fail(env, "invalid batch norm shape");
    return nullptr;
  }
  if (!floatArray(env, args.values[0], rows * channels, "dy", &dy) ||
      !floatArray(env, args.values[1], rows * channels, "x", &x) ||
      !floatArray(env, args.values[2], channels, "gamma", &gamma) ||
      !floatArray(env, args.values[3], channels, "mean", &mean) ||
      !floatArray(env, args.values[4], channels, "variance", &variance) ||
      !floatArray(env, args.values[5], rows * channels, "dx", &dx) ||
      !floatArray(env, args.values[6], channels, "dgamma", &dgamma) ||
      !floatArray(env, args.values[7], channels, "dbeta", &dbeta)) {
    return nullptr;
  }
  wb::batchNormBackward(d[0], d[1], dy, x, gamma, mean, variance, static_cast<float>(epsilon), dx, dgamma, dbeta);
  return undefinedValue(env);
}

size_t typedLength(napi_env env, napi_value value) {
  bool isTyped = false;
  napi_is_typedarray(env, value, &isTyped);
  if (!isTyped) return 0;
  napi_typedarray_type type;
  size_t length = 0;
  napi_get_typedarray_info(env, value, &type, &length, nullptr, nullptr, nullptr);
  return length;
}

// An elementwise gradient: fn(dy, other, dx), three arrays of one length.
template <void (*Kernel)(long, const float*, const float*, float*)>
napi_value ElementwiseGrad(napi_env env, napi_callback_info info) {
  Args args;
  float *dy, *other, *dx;
  if (!readArgs(env, info, args, 3)) return nullptr;
  const size_t size = typedLength(env, args.values[0]);
  if (!floatArray(env, args.values[0], size, "dy", &dy) || !floatArray(env, args.values[1], size, "input", &other) ||
      !floatArray(env, args.values[2], size, "dx", &dx)) {
    return nullptr;
  }
  Kernel(static_cast<long>(size), dy, other, dx);
  return undefinedValue(env);
}

// channelSum(x, out, dims = [rows, channels])
napi_value ChannelSum(napi_env env, napi_callback_info info) {
  Args args;
  int* d = nullptr;
  float *x, *out;
  if (!readArgs(env, info, args, 3) || !intArray(env, args.values[2], 2, "dims", &d)) return nullptr;
  if (d[0] < 0 || d[1] <= 0) {
    fail(env, "invalid sum shape");
    return nullptr;
  }
  if (!floatArray(env, args.values[0], static_cast<size_t>(d[0]) * d[1], "x", &x) ||
      !floatArray(env, args.values[1], d[1], "out", &out)) {
    return nullptr;
  }
  wb::channelSum(d[0], d[1], x, out);
  return undefinedValue(env);
}

// sliceCopy(x, y, dims = [rank, shape x rank, begin x rank, size x rank])
napi_value SliceCopy(napi_env env, napi_callback_info info) {
  Args args;
  int* d = nullptr;
  float *x, *y;
  if (!readArgs(env, info, args, 3)) return nullptr;
  const size_t length = typedLength(env, args.values[2]);
  const int rank = length > 0 ? static_cast<int>((length - 1) / 3) : 0;
  if (rank < 1 || rank > wb::kMaxSliceRank || length != static_cast<size_t>(1 + 3 * rank) ||
      !intArray(env, args.values[2], length, "dims", &d) || d[0] != rank) {
    fail(env, "invalid slice dims");
    return nullptr;
  }
  const int *shape = d + 1, *begin = d + 1 + rank, *size = d + 1 + 2 * rank;
  size_t inSize = 1, outSize = 1;
  for (int i = 0; i < rank; i++) {
    if (shape[i] < 0 || begin[i] < 0 || size[i] < 0 || begin[i] + size[i] > shape[i]) {
      fail(env, "slice outside the array");
      return nullptr;
    }
    inSize *= shape[i];
    outSize *= size[i];
  }
  if (!floatArray(env, args.values[0], inSize, "x", &x) || !floatArray(env, args.values[1], outSize, "y", &y)) return nullptr;
  wb::sliceCopy(rank, shape, begin, size, x, y);
  return undefinedValue(env);
}

bool readPoolShape(napi_env env, napi_value value, wb::PoolShape& s) {
  int* d = nullptr;
  if (!intArray(env, value, 12, "shape", &d)) return false;
  s = wb::PoolShape{d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7], d[8], d[9], d[10], d[11]};
  for (int i = 0; i < 12; i++) {
    if (d[i] < 0 || (d[i] == 0 && i < 10)) return fail(env, "invalid pooling shape");
  }
  return true;
}

size_t poolInputSize(const wb::PoolShape& s) { return static_cast<size_t>(s.batch) * s.inH * s.inW * s.channels; }
size_t poolOutputSize(const wb::PoolShape& s) { return static_cast<size_t>(s.batch) * s.outH * s.outW * s.channels; }

// maxPoolGrad(dy, x, dx, shape)
napi_value MaxPoolGrad(napi_env env, napi_callback_info info) {
  Args args;
  wb::PoolShape s;
  float *dy, *x, *dx;
  if (!readArgs(env, info, args, 4) || !readPoolShape(env, args.values[3], s)) return nullptr;
  if (!floatArray(env, args.values[0], poolOutputSize(s), "dy", &dy) ||
      !floatArray(env, args.values[1], poolInputSize(s), "x", &x) ||
      !floatArray(env, args.values[2], poolInputSize(s), "dx", &dx)) {
    return nullptr;
  }
  wb::maxPoolGrad(s, dy, x, dx);
  return undefinedValue(env);
}

// avgPoolGradTiled(dy, dx, shape): windows equal to strides, no padding
napi_value AvgPoolGradTiled(napi_env env, napi_callback_info info) {
  Args args;
  wb::PoolShape s;
  float *dy, *dx;
  if (!readArgs(env, info, args, 3) || !readPoolShape(env, args.values[2], s)) return nullptr;
  const bool tiled = s.filterH == s.strideH && s.filterW == s.strideW && s.padTop == 0 && s.padLeft == 0 &&
                     s.outH * s.filterH <= s.inH && s.outW * s.filterW <= s.inW;
  if (!tiled) {
    fail(env, "avgPoolGradTiled needs windows equal to strides and no padding");
    return nullptr;
  }
  if (!floatArray(env, args.values[0], poolOutputSize(s), "dy", &dy) ||
      !floatArray(env, args.values[1], poolInputSize(s), "dx", &dx)) {
    return nullptr;
  }
  wb::avgPoolGradTiled(s, dy, dx);
  return undefinedValue(env);
}

// batchNormInference(x, mean, variance, offset | null, scale | null, y, dims = [rows, channels], epsilon)
napi_value BatchNormInference(napi_env env, napi_callback_info info) {
  Args args;
  int* d = nullptr;
  double epsilon = 0;
  float *x, *mean, *variance, *y, *offset = nullptr, *scale = nullptr;
  if (!readArgs(env, info, args, 8) || !intArray(env, args.values[6], 2, "dims", &d) ||
      !readDouble(env, args.values[7], "epsilon", &epsilon)) {
    return nullptr;
  }
  if (d[0] < 0 || d[1] <= 0) {
    fail(env, "invalid batch norm shape");
    return nullptr;
  }
  const size_t rows = d[0], channels = d[1];
  if (!floatArray(env, args.values[0], rows * channels, "x", &x) ||
      !floatArray(env, args.values[1], channels, "mean", &mean) ||
      !floatArray(env, args.values[2], channels, "variance", &variance) ||
      (!isNullish(env, args.values[3]) && !floatArray(env, args.values[3], channels, "offset", &offset)) ||
      (!isNullish(env, args.values[4]) && !floatArray(env, args.values[4], channels, "scale", &scale)) ||
      !floatArray(env, args.values[5], rows * channels, "y", &y)) {
    return nullptr;
  }
  wb::batchNormInference(d[0], d[1], x, mean, variance, offset, scale, static_cast<float>(epsilon), y);
  return undefinedValue(env);
}

// pool2d(x, y, shape, mode = 0 max | 1 average)
napi_value Pool2d(napi_env env, napi_callback_info info) {
  Args args;
  wb::PoolShape s;
  float *x, *y;
  int mode = 0;
  if (!readArgs(env, info, args, 4) || !readPoolShape(env, args.values[2], s)) return nullptr;
  if (!floatArray(env, args.values[0], poolInputSize(s), "x", &x) ||
      !floatArray(env, args.values[1], poolOutputSize(s), "y", &y)) {
    return nullptr;
  }
  napi_get_value_int32(env, args.values[3], &mode);
  if (mode == 1) {
    wb::avgPool(s, x, y);
  } else {
    wb::maxPool(s, x, y);
  }
  return undefinedValue(env);
}

// optimizerStep(heap, table, constants): table rows [value, gradient, slotA, slotB, size] as element
// offsets into heap (-1: no slot); constants [rule, rate, hyper1, hyper2, oneMinus1, oneMinus2, epsilon,
// biasCorrection1, biasCorrection2, clipNorm]. Updates in place; returns the clipping factor.
bool readOptimizerTable(napi_env env, napi_value value, size_t heapSize, int rule, std::vector<wb::OptimizerParameter>& out) {
  const size_t length = typedLength(env, value);
  double* t = nullptr;
  if (length % 5 != 0) return fail(env, "optimizer table rows have 5 numbers");
  if (!doubleArray(env, value, length, "table", &t)) return false;
  const int slots = rule == 0 ? 0 : rule <= 2 ? 1 : 2;
  for (size_t row = 0; row < length / 5; row++) {
    const double* r = t + row * 5;
    const double size = r[4];
    bool ok = size >= 0 && size <= static_cast<double>(heapSize);
    for (int k = 0; k < 2 + slots && ok; k++) ok = r[k] >= 0 && r[k] + size <= static_cast<double>(heapSize);
    if (!ok) return fail(env, "optimizer table row " + std::to_string(row) + " lies outside the heap or lacks a slot its rule needs");
    out.push_back({static_cast<long>(r[0]), static_cast<long>(r[1]), slots > 0 ? static_cast<long>(r[2]) : -1, slots > 1 ? static_cast<long>(r[3]) : -1, static_cast<long>(size)});
  }
  return true;
}

napi_value OptimizerStep(napi_env env, napi_callback_info info) {
  Args args;
  float* heap = nullptr;
  double* k = nullptr;
  if (!readArgs(env, info, args, 3)) return nullptr;
  const size_t heapSize = typedLength(env, args.values[0]);
  if (!floatArray(env, args.values[0], heapSize, "heap", &heap) || !doubleArray(env, args.values[2], 10, "constants", &k)) return nullptr;
  const int rule = static_cast<int>(k[0]);
  if (k[0] != rule || rule < 0 || rule > 4) {
    fail(env, "optimizer rule must be 0 (sgd), 1 (momentum), 2 (nesterov), 3 (adam) or 4 (rmsprop)");
    return nullptr;
  }
  std::vector<wb::OptimizerParameter> parameters;
  if (!readOptimizerTable(env, args.values[1], heapSize, rule, parameters)) return nullptr;
  const auto f = [&](int i) { return static_cast<float>(k[i]); };
  const wb::OptimizerConstants c{static_cast<wb::UpdateRule>(rule), f(1), f(2), f(3), f(4), f(5), f(6), f(7), f(8), f(9)};
  const float scale = wb::optimizerStep(heap, parameters.data(), static_cast<int>(parameters.size()), c);
  napi_value result;
  napi_create_double(env, scale, &result);
  return result;
}

napi_value Init(napi_env env, napi_value exports) {
  const napi_property_descriptor methods[] = {
      {"loadBlas", nullptr, LoadBlas, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setThreads", nullptr, SetThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"getThreads", nullptr, GetThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setInstructionSet", nullptr, SetInstructionSet, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setConvAlgorithm", nullptr, SetConvAlgorithm, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"conv2d", nullptr, Conv2d, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"winogradFilter", nullptr, WinogradFilter, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"conv2dWinograd", nullptr, Conv2dWinograd, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"conv2dBackpropInput", nullptr, Conv2dBackpropInput, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"conv2dBackpropFilter", nullptr, Conv2dBackpropFilter, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"matMul", nullptr, MatMul, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"batchNormForward", nullptr, BatchNormForward, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"batchNormBackward", nullptr, BatchNormBackward, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"sigmoidGrad", nullptr, ElementwiseGrad<wb::sigmoidGrad>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"reluGrad", nullptr, ElementwiseGrad<wb::reluGrad>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"channelSum", nullptr, ChannelSum, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"maxPoolGrad", nullptr, MaxPoolGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"sliceCopy", nullptr, SliceCopy, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"avgPoolGradTiled", nullptr, AvgPoolGradTiled, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"batchNormInference", nullptr, BatchNormInference, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"pool2d", nullptr, Pool2d, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"optimizerStep", nullptr, OptimizerStep, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(methods) / sizeof(methods[0]), methods);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
