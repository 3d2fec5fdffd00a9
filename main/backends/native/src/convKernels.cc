#include "convKernels.h"
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <vector>
#include <atomic>
#include <cmath>
#include "blasLoader.h"
#include "directConv.h"
#include "parallelTeam.h"

namespace wb {

namespace {

// im2col blocks of ~256 KiB stay in L2 between being written and being read
// by the GEMM; measured on LeNet (K = 25..150) 1.6x faster than 16 MiB blocks.
// A block still has at least kMinBlockRows rows so the GEMM stays efficient.
constexpr long kColBlockFloats = 64L << 10;
constexpr long kMinBlockRows = 32;

float* scratch(size_t floats) {
  thread_local std::vector<float> buffer;
  if (buffer.size() < floats) buffer.resize(floats);
  return buffer.data();
}

bool isPointwise(const ConvShape& s) {
  return s.filterH == 1 && s.filterW == 1 && s.strideH == 1 && s.strideW == 1 && s.padTop == 0 &&
         s.padLeft == 0 && s.outH == s.inH && s.outW == s.inW;
}

long patchSize(const ConvShape& s) { return static_cast<long>(s.filterH) * s.filterW * s.inC; }
long pixelsPerImage(const ConvShape& s) { return static_cast<long>(s.outH) * s.outW; }
long inputPerImage(const ConvShape& s) { return static_cast<long>(s.inH) * s.inW * s.inC; }

long rowsPerBlock(const ConvShape& s) {
  return std::max(kMinBlockRows, kColBlockFloats / patchSize(s));
}

// A team member's share of the batch: whole images, and their output rows [begin, end).
struct BatchShare {
  long firstImage, lastImage, begin, end;
};

BatchShare shareOfBatch(const ConvShape& s, int team, int member) {
  BatchShare share;
  shareOf(s.batch, team, member, share.firstImage, share.lastImage);
  share.begin = share.firstImage * pixelsPerImage(s);
  share.end = share.lastImage * pixelsPerImage(s);
  return share;
}

// Short runs (a 5-wide window of one channel is 20 bytes) dominate im2col for
// small layers: an inline loop beats a call to memcpy per run by ~3x there.
// (binding.gyp keeps gcc from turning these loops back into memcpy calls.)
inline void copyRun(float* dst, const float* src, int count) {
  for (int i = 0; i < count; i++) dst[i] = src[i];
}
inline void zeroRun(float* dst, int count) {
  for (int i = 0; i < count; i++) dst[i] = 0.f;
}
inline void addRun(float* dst, const float* src, int count) {
  for (int i = 0; i < count; i++) dst[i] += src[i];
}

// Walks output pixels first..first+count in order, without a division per pixel.
struct PixelCursor {
  long n;
  int oh, ow;
  const ConvShape& s;
  PixelCursor(const ConvShape& shape, long r) : s(shape) {
    n = r / pixelsPerImage(s);
    const int pixel = static_cast<int>(r % pixelsPerImage(s));
    oh = pixel / s.outW;
    ow = pixel % s.outW;
  }
  void next() {
    if (++ow == s.outW) {
      ow = 0;
      if (++oh == s.outH) {
        oh = 0;
        n++;
      }
    }
  }
};

// Walks the receptive fields of output pixels first..first+count: for every run of consecutive values
// (a whole window row where it lies inside the image, else one pixel's channels) calls
// run(offset in cols, offset in the image or -1 where it is padding, length). im2col and its adjoint
// are this walk with a copy or an add.
template <typename Run>
void forEachWindowRun(const ConvShape& s, long first, long count, Run run) {
  const long k = patchSize(s);
  const int ci = s.inC;
  const int windowRun = s.filterW * ci;
  PixelCursor at(s, first);
  for (long r = 0; r < count; r++, at.next()) {
    const long rowStart = r * k;
    const int iw0 = at.ow * s.strideW - s.padLeft;
    const bool rowInside = s.dilationW == 1 && iw0 >= 0 && iw0 + s.filterW <= s.inW;
    for (int kh = 0; kh < s.filterH; kh++) {
      const long colStart = rowStart + static_cast<long>(kh) * windowRun;
      const int ih = at.oh * s.strideH - s.padTop + kh * s.dilationH;
      if (ih < 0 || ih >= s.inH) {
        run(colStart, -1L, windowRun);
        continue;
      }
      const long imageRow = (at.n * s.inH + ih) * s.inW * ci;
      if (rowInside) {
        run(colStart, imageRow + static_cast<long>(iw0) * ci, windowRun);
        continue;
      }
      for (int kw = 0; kw < s.filterW; kw++) {
        const int iw = iw0 + kw * s.dilationW;
        const bool inside = iw >= 0 && iw < s.inW;
        run(colStart + kw * ci, inside ? imageRow + static_cast<long>(iw) * ci : -1L, ci);
      }
    }
  }
}

// cols[r - first, :] = the receptive field of output pixel r, zero where padded.
void im2col(const ConvShape& s, const float* x, long first, long count, float* cols) {
  forEachWindowRun(s, first, count, [&](long col, long image, int length) {
    if (image < 0) {
      zeroRun(cols + col, length);
    } else {
      copyRun(cols + col, x + image, length);
    }
  });
}

// The adjoint of im2col: dx += each row of cols scattered back to its pixels.
void col2imAdd(const ConvShape& s, const float* cols, long first, long count, float* dx) {
  forEachWindowRun(s, first, count, [&](long col, long image, int length) {
    if (image >= 0) addRun(dx + image, cols + col, length);
  });
}

inline float activate(float v, Activation activation) {
  switch (activation) {
    case Relu: return v > 0.f ? v : 0.f;
    case Sigmoid: return 1.f / (1.f + std::exp(-v));
    case Tanh: return std::tanh(v);
    case LeakyRelu: return v > 0.f ? v : kLeakySlope * v;
    default: return v;
  }
}

void addBiasAndActivate(long rows, int channels, const float* bias, Activation activation, float* y,
                        const float* residual = nullptr) {
  if (bias == nullptr && activation == Linear && residual == nullptr) return;
  for (long r = 0; r < rows; r++) {
    float* row = y + r * channels;
    if (bias != nullptr) {
      for (int c = 0; c < channels; c++) row[c] += bias[c];
    }
    if (residual != nullptr) {
      for (int c = 0; c < channels; c++) row[c] += residual[r * channels + c];
    }
    if (activation == Relu) {
      for (int c = 0; c < channels; c++) row[c] = row[c] > 0.f ? row[c] : 0.f;
    } else if (activation != Linear) {
      for (int c = 0; c < channels; c++) row[c] = activate(row[c], activation);
    }
  }
}

// The taps [lo, hi] of one filter axis that read the image for some output pixel; the others only ever
// read padding. lo > hi when none does.
void tapsInside(int filterSize, int outSize, int inSize, int stride, int pad, int dilation, int& lo, int& hi) {
  lo = filterSize;
  hi = -1;
  for (int tap = 0; tap < filterSize; tap++) {
    // Output pixel j reads input index first + j * stride; the first j that is not above the image:
    const int first = tap * dilation - pad;
    const int j = first >= 0 ? 0 : (-first + stride - 1) / stride;
    if (j < outSize && first + j * stride < inSize) {
      lo = std::min(lo, tap);
      hi = std::max(hi, tap);
    }
  }
}

}  // namespace

// A 3x3 'same' convolution of a 1x1 map (ResNet's last stage at 32 px) only ever multiplies its centre tap
// with the image: the other eight taps' im2col columns are all padding. Those taps are cropped off the
// filter, which makes that case a pointwise product with a ninth of the work, forward and for the input
// gradient (the cropped taps only send gradient to padding); the im2col filter gradient computes the
// cropped taps and zeroes the others. False when every tap reads the image somewhere.
struct CroppedTaps {
  ConvShape shape;
  int top, left;  // the first tap kept on each axis
};

bool cropTaps(const ConvShape& s, CroppedTaps& crop) {
  int hLo, hHi, wLo, wHi;
  tapsInside(s.filterH, s.outH, s.inH, s.strideH, s.padTop, s.dilationH, hLo, hHi);
  tapsInside(s.filterW, s.outW, s.inW, s.strideW, s.padLeft, s.dilationW, wLo, wHi);
  if (hLo > hHi || wLo > wHi) return false;
  if (hLo == 0 && hHi == s.filterH - 1 && wLo == 0 && wHi == s.filterW - 1) return false;
  crop.shape = s;
  crop.shape.filterH = hHi - hLo + 1;
  crop.shape.filterW = wHi - wLo + 1;
  crop.shape.padTop = s.padTop - hLo * s.dilationH;
  crop.shape.padLeft = s.padLeft - wLo * s.dilationW;
  crop.top = hLo;
  crop.left = wLo;
  return crop.shape.padTop >= 0 && crop.shape.padLeft >= 0;
}

// Copies the kept taps between a whole filter [kh, kw, ci, co] and a cropped one, either way.
void copyTaps(const ConvShape& s, const CroppedTaps& crop, const float* from, float* to, bool intoCropped) {
  const long block = static_cast<long>(s.inC) * s.outC;
  for (int kh = 0; kh < crop.shape.filterH; kh++) {
    for (int kw = 0; kw < crop.shape.filterW; kw++) {
      const long whole = (static_cast<long>(kh + crop.top) * s.filterW + kw + crop.left) * block;
      const long cut = (static_cast<long>(kh) * crop.shape.filterW + kw) * block;
      if (intoCropped) {
        std::memcpy(to + cut, from + whole, sizeof(float) * block);
      } else {
        std::memcpy(to + whole, from + cut, sizeof(float) * block);
      }
    }
  }
}

// The cropped filter: in place where its taps are contiguous in the whole one (one filter row, or whole
// rows: a 1x1 map's centre tap is a pointer, not a 1 MiB copy at 512 channels), else copied into `storage`.
const float* croppedFilter(const ConvShape& s, const CroppedTaps& crop, const float* filter, std::vector<float>& storage) {
  const long block = static_cast<long>(s.inC) * s.outC;
  if (crop.shape.filterH == 1 || crop.shape.filterW == s.filterW)
    return filter + (static_cast<long>(crop.top) * s.filterW + crop.left) * block;
  storage.resize(static_cast<size_t>(crop.shape.filterH) * crop.shape.filterW * block);
  copyTaps(s, crop, filter, storage.data(), true);
  return storage.data();
}

std::atomic<ConvAlgorithm> chosenAlgorithm{ConvAlgorithm::Direct};

void setConvAlgorithm(ConvAlgorithm algorithm) { chosenAlgorithm = algorithm; }
ConvAlgorithm convAlgorithm() { return chosenAlgorithm; }

void conv2dForward(const ConvShape& s, const float* x, const float* filter, const float* bias,
                   Activation activation, float* y, const float* residual) {
  CroppedTaps crop;
  if (cropTaps(s, crop)) {
    std::vector<float> storage;
    return conv2dForward(crop.shape, x, croppedFilter(s, crop, filter, storage), bias, activation, y, residual);
  }
  if (chosenAlgorithm != ConvAlgorithm::Im2col && conv2dForwardDirect(s, x, filter, bias, activation, y, residual)) return;
  const long k = patchSize(s);
  const int co = s.outC;
  // Output rows are independent here, so the team splits them, not whole images: one dropped image
  // (batch 1) uses every core too.
  const long rows = s.batch * pixelsPerImage(s);
  const int team = teamSize(rows / kMinBlockRows);
  const bool pointwise = isPointwise(s);
  runTeam(team, [&](int member) {
    long begin, end;
    shareOf(rows, team, member, begin, end);
    const long block = pointwise ? end - begin : rowsPerBlock(s);
    float* cols = pointwise ? nullptr : scratch(block * k);
    for (long first = begin; first < end; first += block) {
      const long count = std::min(block, end - first);
      const float* a = x + first * k;
      if (!pointwise) {
        im2col(s, x, first, count, cols);
        a = cols;
      }
      blas().sgemm(RowMajor, NoTrans, NoTrans, count, co, k, 1.f, a, k, filter, co, 0.f, y + first * co, co);
      addBiasAndActivate(count, co, bias, activation, y + first * co, residual == nullptr ? nullptr : residual + first * co);
    }
  });
}

// At stride 1 the input gradient is itself a convolution: of dy, with the filter turned 180 degrees and its
// channel axes swapped, padded by (kernel - 1 - pad). The direct kernel then runs it without col2im's
// scatter-adds. On maps of 8x8 and more with 32+ input channels, and on smaller maps where the direct
// kernel goes by window class (it then skips the padding taps): elsewhere turning the filter and multiplying
// the padding cost more than col2im (measured on ResNet-18's and LeNet's shapes: 1.51 -> 1.31 ms at 64
// channels 8x8, 1.98 -> 1.1 ms at 256 channels 2x2 by window class, but 1.84 -> 10.2 ms at 512 channels 1x1 with padding).
bool conv2dBackpropInputDirect(const ConvShape& s, const float* dy, const float* filter, float* dx) {
  if (chosenAlgorithm == ConvAlgorithm::Im2col || !directConvAvailable()) return false;
  if (s.strideH != 1 || s.strideW != 1 || s.dilationH != 1 || s.dilationW != 1) return false;
  if (s.padTop > s.filterH - 1 || s.padLeft > s.filterW - 1) return false;
  const ConvShape gradient{s.batch, s.outH, s.outW, s.outC, s.inH, s.inW, s.inC, s.filterH, s.filterW, 1, 1,
                           s.filterH - 1 - s.padTop, s.filterW - 1 - s.padLeft, 1, 1};
  if (s.inC < 32 || (static_cast<long>(s.inH) * s.inW < 64 && !useWindowClasses(gradient))) return false;
  const long taps = static_cast<long>(s.filterH) * s.filterW;
  thread_local std::vector<float> turned;
  turned.resize(static_cast<size_t>(taps) * s.inC * s.outC);
  // Transposed in 16x16 blocks, taps over the team: element by element, the strided writes of a 256x256
  // tap cost as much as the 2x2 map's whole gradient.
  float* turnedData = turned.data();
  constexpr int kBlock = 16;
  const int team = teamSize(taps);
  runTeam(team, [&](int member) {
    long first, last;
    shareOf(taps, team, member, first, last);
    for (long tap = first; tap < last; tap++) {
      const float* from = filter + tap * s.inC * s.outC;
      float* to = turnedData + (taps - 1 - tap) * s.outC * s.inC;
      for (int c0 = 0; c0 < s.inC; c0 += kBlock)
        for (int o0 = 0; o0 < s.outC; o0 += kBlock)
          for (int c = c0; c < std::min(c0 + kBlock, s.inC); c++)
            for (int o = o0; o < std::min(o0 + kBlock, s.outC); o++) to[static_cast<long>(o) * s.inC + c] = from[static_cast<long>(c) * s.outC + o];
    }
  });
  return conv2dForwardDirect(gradient, dy, turnedData, nullptr, Linear, dx, nullptr);
}

void conv2dBackpropInput(const ConvShape& s, const float* dy, const float* filter, float* dx) {
  CroppedTaps crop;
  if (cropTaps(s, crop)) {
    std::vector<float> storage;
    return conv2dBackpropInput(crop.shape, dy, croppedFilter(s, crop, filter, storage), dx);
  }
  if (conv2dBackpropInputDirect(s, dy, filter, dx)) return;
  const long k = patchSize(s);
  const int co = s.outC;
  const int team = teamSize(s.batch);
  const bool pointwise = isPointwise(s);
  runTeam(team, [&](int member) {
    const auto [firstImage, lastImage, begin, end] = shareOfBatch(s, team, member);
    if (pointwise) {
      blas().sgemm(RowMajor, NoTrans, Trans, end - begin, k, co, 1.f, dy + begin * co, co, filter, co, 0.f,
                   dx + begin * k, k);
      return;
    }
    // Each member owns whole images, so its scatter-adds never touch another's pixels.
    std::memset(dx + firstImage * inputPerImage(s), 0, sizeof(float) * (lastImage - firstImage) * inputPerImage(s));
    const long block = rowsPerBlock(s);
    float* cols = scratch(block * k);
    for (long first = begin; first < end; first += block) {
      const long count = std::min(block, end - first);
      blas().sgemm(RowMajor, NoTrans, Trans, count, k, co, 1.f, dy + first * co, co, filter, co, 0.f, cols, k);
      col2imAdd(s, cols, first, count, dx);
    }
  });
}

const char* conv2dBackpropFilter(const ConvShape& s, const float* x, const float* dy, float* dw) {
  if (conv2dBackpropFilterDirect(s, x, dy, dw)) return directIsa() == Isa::Avx512 ? "direct-avx512" : "direct-avx2";
  CroppedTaps crop;
  if (cropTaps(s, crop)) {
    std::vector<float> taps(static_cast<size_t>(crop.shape.filterH) * crop.shape.filterW * s.inC * s.outC);
    const char* kernel = conv2dBackpropFilter(crop.shape, x, dy, taps.data());
    std::memset(dw, 0, sizeof(float) * s.filterH * s.filterW * s.inC * s.outC);
    copyTaps(s, crop, taps.data(), dw, false);
    return kernel;
  }
  const long k = patchSize(s);
  const int co = s.outC;
  const int team = teamSize(s.batch);
  const bool pointwise = isPointwise(s);
  // Member 0 accumulates into dw, the others into partial sums added at the end.
  std::vector<float> partials(static_cast<size_t>(team - 1) * k * co);
  runTeam(team, [&](int member) {
    const auto [firstImage, lastImage, begin, end] = shareOfBatch(s, team, member);
    float* target = member == 0 ? dw : partials.data() + (member - 1) * k * co;
    const long block = pointwise ? std::max(1L, end - begin) : rowsPerBlock(s);
    float* cols = pointwise ? nullptr : scratch(block * k);
    if (begin == end) std::memset(target, 0, sizeof(float) * k * co);
    for (long first = begin; first < end; first += block) {
      const long count = std::min(block, end - first);
      const float* a = x + first * k;
      if (!pointwise) {
        im2col(s, x, first, count, cols);
        a = cols;
      }
      blas().sgemm(RowMajor, Trans, NoTrans, k, co, count, 1.f, a, k, dy + first * co, co, first == begin ? 0.f : 1.f,
                   target, co);
    }
  });
  for (int member = 1; member < team; member++) {
    const float* partial = partials.data() + (member - 1) * k * co;
    for (long i = 0; i < k * co; i++) dw[i] += partial[i];
  }
  return "im2col";
}

void matMul(int m, int n, int k, bool transA, bool transB, const float* a, const float* b,
            const float* bias, Activation activation, float* c) {
  // Columns of c are independent: each member computes a slice of them.
  const int team = teamSize(n / 16);
  runTeam(team, [&](int member) {
    const int first = static_cast<int>(static_cast<long>(n) * member / team);
    const int last = static_cast<int>(static_cast<long>(n) * (member + 1) / team);
    if (first == last) return;
    const float* bSlice = transB ? b + static_cast<long>(first) * k : b + first;
    blas().sgemm(RowMajor, transA ? Trans : NoTrans, transB ? Trans : NoTrans, m, last - first, k, 1.f, a,
                 transA ? m : k, bSlice, transB ? k : n, 0.f, c + first, n);
  });
  addBiasAndActivate(m, n, bias, activation, c);
}

}  // namespace wb
