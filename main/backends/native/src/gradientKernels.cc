#include "gradientKernels.h"
#include <cstring>
#include <limits>
#include <vector>
#include "parallelTeam.h"

namespace wb {

namespace {

constexpr long kElementsPerMember = 1L << 15;

template <typename Fn>
void eachElementRange(long size, Fn fn) {
  const int team = teamSize(size / kElementsPerMember);
  runTeam(team, [&](int member) {
    long first, last;
    shareOf(size, team, member, first, last);
    fn(first, last);
  });
}

long imageSize(const PoolShape& s) { return static_cast<long>(s.inH) * s.inW * s.channels; }
long outputImageSize(const PoolShape& s) { return static_cast<long>(s.outH) * s.outW * s.channels; }


// Loops over __restrict parameters (gcc ignores it on locals) vectorize; ReLU's
// as a branch-free mask: with a branch it mispredicted on half the elements
// (5 ns per element, 4.6 ms of a LeNet step).
void sigmoidGradRange(const float* __restrict g, const float* __restrict y, float* __restrict out, long count) {
  for (long i = 0; i < count; i++) out[i] = g[i] * y[i] * (1.f - y[i]);
}

void reluGradRange(const float* __restrict g, const float* __restrict x, float* __restrict out, long count) {
  for (long i = 0; i < count; i++) {
    // Both loaded unconditionally: a select of registers, which vectorizes.
    const float gradient = g[i];
    const float input = x[i];
    out[i] = input > 0.f ? gradient : 0.f;
  }
}

}  // namespace

void sigmoidGrad(long size, const float* dy, const float* y, float* dx) {
  eachElementRange(size, [&](long first, long last) { sigmoidGradRange(dy + first, y + first, dx + first, last - first); });
}

void reluGrad(long size, const float* dy, const float* x, float* dx) {
  eachElementRange(size, [&](long first, long last) { reluGradRange(dy + first, x + first, dx + first, last - first); });
}

void channelSum(long rows, int channels, const float* x, float* out) {
  const int team = teamSize(rows * channels / kElementsPerMember);
  std::vector<double> partials(static_cast<size_t>(team) * channels, 0.0);
  runTeam(team, [&](int member) {
    long first, last;
    shareOf(rows, team, member, first, last);
    std::vector<float> block(channels);
    double* total = partials.data() + static_cast<size_t>(member) * channels;
    // float sums over blocks of 64 rows vectorize; the blocks add up in double.
    for (long start = first; start < last; start += 64) {
      std::fill(block.begin(), block.end(), 0.f);
      const long end = std::min(last, start + 64);
      for (long r = start; r < end; r++) {
        const float* row = x + r * channels;
        for (int c = 0; c < channels; c++) block[c] += row[c];
      }
      for (int c = 0; c < channels; c++) total[c] += block[c];
    }
  });
  for (int c = 0; c < channels; c++) {
    double sum = 0;
    for (int member = 0; member < team; member++) sum += partials[static_cast<size_t>(member) * channels + c];
    out[c] = static_cast<float>(sum);
  }
}

namespace {

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
// An AVX2 clone beside the baseline one, chosen at load time: at the baseline (SSE2) GCC scalarizes the
// 8-wide compare-and-select below, which then ran 9x slower than with AVX2 (3.4 vs 0.38 ms for ResNet-18's
// stem pooling at batch 64).
#define WB_AVX2_CLONE __attribute__((target_clones("avx2", "default")))
#else
#define WB_AVX2_CLONE
#endif

typedef float floats8 __attribute__((vector_size(32)));
typedef int ints8 __attribute__((vector_size(32)));

// The max pooling gradient of images [first, last): per output pixel and 8 channels, the winning tap is
// found in registers (strict '>' from -inf: the first maximum wins and NaN never does, as on the cpu
// backend), then each tap adds dy where it won: masked vector adds instead of a scatter per channel.
WB_AVX2_CLONE void maxPoolGradImages(const PoolShape& s, const float* dy, const float* x, float* dx, long first,
                                     long last) {
  const int ch = s.channels;
  std::vector<long> offset(static_cast<size_t>(s.filterH) * s.filterW);
  for (long n = first; n < last; n++) {
    const float* image = x + n * imageSize(s);
    float* dImage = dx + n * imageSize(s);
    const float* g = dy + n * outputImageSize(s);
    for (int oh = 0; oh < s.outH; oh++) {
      for (int ow = 0; ow < s.outW; ow++, g += ch) {
        int taps = 0;
        for (int fh = 0; fh < s.filterH; fh++) {
          const int ih = oh * s.strideH - s.padTop + fh;
          if (ih < 0 || ih >= s.inH) continue;
          for (int fw = 0; fw < s.filterW; fw++) {
            const int iw = ow * s.strideW - s.padLeft + fw;
            if (iw >= 0 && iw < s.inW) offset[taps++] = (static_cast<long>(ih) * s.inW + iw) * ch;
          }
        }
        int c = 0;
        for (; c + 8 <= ch; c += 8) {
          floats8 best = floats8{} - std::numeric_limits<float>::infinity();
          ints8 winner = ints8{} - 1;
          for (int t = 0; t < taps; t++) {
            floats8 value;
            std::memcpy(&value, image + offset[t] + c, sizeof value);
            const ints8 better = value > best;
            best = better ? value : best;
            winner = better ? ints8{} + t : winner;
          }
          floats8 gradient;
          std::memcpy(&gradient, g + c, sizeof gradient);
          for (int t = 0; t < taps; t++) {
            floats8 sum;
            std::memcpy(&sum, dImage + offset[t] + c, sizeof sum);
            sum += winner == t ? gradient : floats8{};
            std::memcpy(dImage + offset[t] + c, &sum, sizeof sum);
          }
        }
        for (; c < ch; c++) {
          float best = -std::numeric_limits<float>::infinity();
          int winner = -1;
          for (int t = 0; t < taps; t++) {
            const float value = image[offset[t] + c];
            if (value > best) {
              best = value;
              winner = t;
            }
          }
          if (winner >= 0) dImage[offset[winner] + c] += g[c];
        }
      }
    }
  }
}

}  // namespace

void maxPoolGrad(const PoolShape& s, const float* dy, const float* x, float* dx) {
  const int team = teamSize(s.batch);
  // Members own whole images, so overlapping windows never add across threads.
  runTeam(team, [&](int member) {
    long first, last;
    shareOf(s.batch, team, member, first, last);
    std::memset(dx + first * imageSize(s), 0, sizeof(float) * (last - first) * imageSize(s));
    maxPoolGradImages(s, dy, x, dx, first, last);
  });
}

void avgPoolGradTiled(const PoolShape& s, const float* dy, float* dx) {
  const int ch = s.channels;
  const float scale = 1.f / (s.filterH * s.filterW);
  const int team = teamSize(s.batch);
  runTeam(team, [&](int member) {
    long first, last;
    shareOf(s.batch, team, member, first, last);
    // Rows and columns past the last window get no gradient.
    std::memset(dx + first * imageSize(s), 0, sizeof(float) * (last - first) * imageSize(s));
    for (long n = first; n < last; n++) {
      float* dImage = dx + n * imageSize(s);
      const float* g = dy + n * outputImageSize(s);
      for (int oh = 0; oh < s.outH; oh++) {
        for (int ow = 0; ow < s.outW; ow++, g += ch) {
          for (int fh = 0; fh < s.filterH; fh++) {
            float* row = dImage + (static_cast<long>(oh * s.filterH + fh) * s.inW + ow * s.filterW) * ch;
            for (int fw = 0; fw < s.filterW; fw++) {
              float* cell = row + fw * ch;
              for (int c = 0; c < ch; c++) cell[c] = g[c] * scale;
            }
          }
        }
      }
    }
  });
}

}  // namespace wb
