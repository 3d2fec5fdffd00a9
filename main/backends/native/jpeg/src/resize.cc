#include "resize.h"
#include <algorithm>
#include <cmath>

namespace wbjpeg {
namespace {

// For each output index: the first input index, how many taps, and their normalized weights (stride taps).
struct Taps {
  int stride = 0;
  std::vector<int> first;
  std::vector<int> count;
  std::vector<float> weights;
};

// libvips' conventions (resize.c with kernel linear), which sharp's resize follows: reducing, output
// pixel o is centred on input position (o + 0.5) * scale and the triangle is `scale` pixels wide each
// side; enlarging, output pixel o samples input position o * scale - 0.5 bilinearly (libvips' affine with
// idx 0.5). Pixels beyond the edges repeat the edge pixel (extend copy): their weight goes to it.
Taps triangleTaps(int in, int out) {
  Taps t;
  const double scale = static_cast<double>(in) / out;
  const bool reducing = scale >= 1.0;
  const double support = reducing ? scale : 1.0;  // the triangle's half-width in input pixels
  t.stride = static_cast<int>(std::ceil(support)) * 2 + 2;
  t.first.resize(out);
  t.count.resize(out);
  t.weights.assign(static_cast<size_t>(out) * t.stride, 0.f);
  std::vector<double> w(t.stride);
  for (int o = 0; o < out; o++) {
    const double centre = reducing ? (o + 0.5) * scale : o * scale;  // in units where pixel i spans [i, i + 1)
    const int lo = static_cast<int>(std::floor(centre - support - 0.5));
    const int n = static_cast<int>(std::ceil(centre + support + 0.5)) - lo;  // never more than stride
    const int first = std::max(0, std::min(lo, in - 1));
    const int last = std::max(0, std::min(lo + n - 1, in - 1));
    std::fill(w.begin(), w.end(), 0.0);
    double sum = 0;
    for (int i = lo; i < lo + n; i++) {
      const double v = std::max(0.0, 1.0 - std::fabs((i + 0.5 - centre) / support));
      w[std::max(first, std::min(i, last)) - first] += v;
      sum += v;
    }
    t.first[o] = first;
    t.count[o] = last - first + 1;
    float* dst = &t.weights[static_cast<size_t>(o) * t.stride];
    for (int k = 0; k < t.count[o]; k++) dst[k] = static_cast<float>(w[k] / sum);
  }
  return t;
}

}  // namespace

void resizeLinear(const uint8_t* in, int inH, int inW, uint8_t* out, int outH, int outW, int channels,
                  std::vector<float>& scratch) {
  const Taps h = triangleTaps(inW, outW);
  const Taps v = triangleTaps(inH, outH);
  // Horizontal pass into floats (inH x outW x channels), then vertical pass to bytes.
  scratch.resize(static_cast<size_t>(inH) * outW * channels);
  for (int y = 0; y < inH; y++) {
    const uint8_t* row = in + static_cast<size_t>(y) * inW * channels;
    float* dst = &scratch[static_cast<size_t>(y) * outW * channels];
    for (int o = 0; o < outW; o++) {
      const float* w = &h.weights[static_cast<size_t>(o) * h.stride];
      const uint8_t* src = row + static_cast<size_t>(h.first[o]) * channels;
      const int taps = h.count[o];
      for (int c = 0; c < channels; c++) {
        float sum = 0.f;
        for (int k = 0; k < taps; k++) sum += w[k] * src[k * channels + c];
        dst[o * channels + c] = sum;
      }
    }
  }
  const size_t rowLength = static_cast<size_t>(outW) * channels;
  std::vector<float> acc(rowLength);
  for (int o = 0; o < outH; o++) {
    const float* w = &v.weights[static_cast<size_t>(o) * v.stride];
    std::fill(acc.begin(), acc.end(), 0.f);
    for (int k = 0; k < v.count[o]; k++) {
      const float weight = w[k];
      if (weight == 0.f) continue;
      const float* src = &scratch[static_cast<size_t>(v.first[o] + k) * rowLength];
      for (size_t i = 0; i < rowLength; i++) acc[i] += weight * src[i];
    }
    uint8_t* dst = out + static_cast<size_t>(o) * rowLength;
    for (size_t i = 0; i < rowLength; i++) {
      const float value = std::rint(acc[i]);
      dst[i] = static_cast<uint8_t>(value < 0.f ? 0.f : (value > 255.f ? 255.f : value));
    }
  }
}

}  // namespace wbjpeg
