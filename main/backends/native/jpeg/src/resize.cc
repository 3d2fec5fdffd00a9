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

// One pass down the columns (vertical) or along each row (horizontal), h x w x channels floats.
void pass(const float* in, float* out, const Taps& t, int rows, int inW, int channels, bool vertical) {
  const int outN = static_cast<int>(t.first.size());
  if (vertical) {
    const size_t line = static_cast<size_t>(inW) * channels;
    for (int o = 0; o < outN; o++) {
      float* dst = out + static_cast<size_t>(o) * line;
      std::fill(dst, dst + line, 0.f);
      const float* w = &t.weights[static_cast<size_t>(o) * t.stride];
      for (int k = 0; k < t.count[o]; k++) {
        const float* src = in + static_cast<size_t>(t.first[o] + k) * line;
        for (size_t i = 0; i < line; i++) dst[i] += w[k] * src[i];
      }
    }
    return;
  }
  for (int y = 0; y < rows; y++) {
    const float* row = in + static_cast<size_t>(y) * inW * channels;
    float* dst = out + static_cast<size_t>(y) * outN * channels;
    for (int o = 0; o < outN; o++) {
      const float* w = &t.weights[static_cast<size_t>(o) * t.stride];
      const float* src = row + static_cast<size_t>(t.first[o]) * channels;
      for (int c = 0; c < channels; c++) {
        float sum = 0.f;
        for (int k = 0; k < t.count[o]; k++) sum += w[k] * src[k * channels + c];
        dst[o * channels + c] = sum;
      }
    }
  }
}

}  // namespace

// Vertical, then horizontal, in floats, rounded to bytes once at the end. (libvips shrinks by a whole
// box factor first for large reductions and rounds between passes: measured closer without either.)
void resizeLinear(const uint8_t* in, int inH, int inW, uint8_t* out, int outH, int outW, int channels,
                  ResizeScratch& scratch) {
  int h = inH, w = inW;
  scratch.a.assign(in, in + static_cast<size_t>(h) * w * channels);
  std::vector<float>* src = &scratch.a;
  std::vector<float>* dst = &scratch.b;
  auto step = [&](const Taps& t, bool vertical) {
    const int n = static_cast<int>(t.first.size());
    const int nh = vertical ? n : h, nw = vertical ? w : n;
    dst->resize(static_cast<size_t>(nh) * nw * channels);
    pass(src->data(), dst->data(), t, h, w, channels, vertical);
    std::swap(src, dst);
    h = nh;
    w = nw;
  };
  if (h != outH) step(triangleTaps(h, outH), true);
  if (w != outW) step(triangleTaps(w, outW), false);
  const float* v = src->data();
  for (size_t i = 0, n = static_cast<size_t>(outH) * outW * channels; i < n; i++) {
    out[i] = static_cast<uint8_t>(std::min(255.f, std::max(0.f, std::floor(v[i] + 0.5f))));
  }
}

}  // namespace wbjpeg
