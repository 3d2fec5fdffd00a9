#include "inferenceKernels.h"
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>
#include "parallelTeam.h"

namespace wb {

void batchNormInference(long rows, int channels, const float* x, const float* mean, const float* variance,
                        const float* offset, const float* scale, float epsilon, float* y) {
  // Folded once into y = x * a + b: one multiply-add per value.
  std::vector<float> a(channels), b(channels);
  for (int c = 0; c < channels; c++) {
    const float inv = 1.f / std::sqrt(variance[c] + epsilon);
    a[c] = inv * (scale != nullptr ? scale[c] : 1.f);
    b[c] = (offset != nullptr ? offset[c] : 0.f) - mean[c] * a[c];
  }
  const int team = teamSize(rows * channels / (1L << 20) + 1);
  runTeam(team, [&](int member) {
    long first, last;
    shareOf(rows, team, member, first, last);
    for (long r = first; r < last; r++) {
      const float* in = x + r * channels;
      float* out = y + r * channels;
      for (int c = 0; c < channels; c++) out[c] = in[c] * a[c] + b[c];
    }
  });
}

namespace {

// Calls reduce(window of one output pixel) for every output pixel, images split over the team. The
// window is the part of the filter inside the image: rows [h0, h1), columns [w0, w1).
template <typename Reduce>
void forEachWindow(const PoolShape& s, Reduce reduce) {
  // A team only where the work outweighs waking it (waking a second thread costs milliseconds on a busy
  // machine); LeNet's 256 x 28 x 28 x 6 maps (1.2 M window reads, ~1 ms on one core) get both cores.
  const long work = static_cast<long>(s.batch) * s.outH * s.outW * s.channels * s.filterH * s.filterW;
  const int team = teamSize(std::min<long>(s.batch, work / (1L << 19) + 1));
  runTeam(team, [&](int member) {
    long first, last;
    shareOf(s.batch, team, member, first, last);
    for (long n = first; n < last; n++) {
      for (int oh = 0; oh < s.outH; oh++) {
        const int hCorner = oh * s.strideH - s.padTop;
        const int h0 = std::max(0, hCorner), h1 = std::min(s.inH, hCorner + s.filterH);
        for (int ow = 0; ow < s.outW; ow++) {
          const int wCorner = ow * s.strideW - s.padLeft;
          const int w0 = std::max(0, wCorner), w1 = std::min(s.inW, wCorner + s.filterW);
          reduce(n, h0, h1, w0, w1, (((n * s.outH) + oh) * s.outW + ow) * static_cast<long>(s.channels));
        }
      }
    }
  });
}

}  // namespace

void maxPool(const PoolShape& s, const float* x, float* y) {
  const int c = s.channels;
  forEachWindow(s, [&](long n, int h0, int h1, int w0, int w1, long out) {
    float* dst = y + out;
    std::fill(dst, dst + c, -std::numeric_limits<float>::infinity());
    for (int h = h0; h < h1; h++) {
      for (int w = w0; w < w1; w++) {
        const float* src = x + ((n * s.inH + h) * s.inW + w) * static_cast<long>(c);
        // NaN wins, as in tfjs.
        for (int k = 0; k < c; k++) dst[k] = (src[k] > dst[k] || src[k] != src[k]) ? src[k] : dst[k];
      }
    }
  });
}

void avgPool(const PoolShape& s, const float* x, float* y) {
  const int c = s.channels;
  forEachWindow(s, [&](long n, int h0, int h1, int w0, int w1, long out) {
    float* dst = y + out;
    std::fill(dst, dst + c, 0.f);
    for (int h = h0; h < h1; h++) {
      for (int w = w0; w < w1; w++) {
        const float* src = x + ((n * s.inH + h) * s.inW + w) * static_cast<long>(c);
        for (int k = 0; k < c; k++) dst[k] += src[k];
      }
    }
    const float count = static_cast<float>((h1 - h0) * (w1 - w0));
    for (int k = 0; k < c; k++) dst[k] /= count;
  });
}

}  // namespace wb
