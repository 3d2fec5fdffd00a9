#include "batchNormKernels.h"
#include <cmath>
#include <vector>
#include "parallelTeam.h"

namespace wb {

namespace {

// Per-channel sums over row shares, one partial per team member, added in
// member order (the result does not depend on thread timing).
template <typename RowFn>
void channelSums(long rows, int channels, int sumsPerChannel, std::vector<double>& totals, RowFn addRow) {
  const int team = teamSize(rows / 256);
  std::vector<double> partials(static_cast<size_t>(team) * sumsPerChannel * channels, 0.0);
  runTeam(team, [&](int member) {
    long first, last;
    shareOf(rows, team, member, first, last);
    // float accumulators per block of rows vectorize; blocks are summed in double.
    std::vector<float> block(static_cast<size_t>(sumsPerChannel) * channels);
    double* out = partials.data() + static_cast<size_t>(member) * sumsPerChannel * channels;
    for (long start = first; start < last; start += 64) {
      std::fill(block.begin(), block.end(), 0.f);
      const long end = std::min(last, start + 64);
      for (long r = start; r < end; r++) addRow(r, block.data());
      for (size_t i = 0; i < block.size(); i++) out[i] += block[i];
    }
  });
  totals.assign(static_cast<size_t>(sumsPerChannel) * channels, 0.0);
  for (int member = 0; member < team; member++) {
    for (size_t i = 0; i < totals.size(); i++) totals[i] += partials[member * totals.size() + i];
  }
}

template <typename RowFn>
void eachRow(long rows, RowFn fn) {
  const int team = teamSize(rows / 256);
  runTeam(team, [&](int member) {
    long first, last;
    shareOf(rows, team, member, first, last);
    for (long r = first; r < last; r++) fn(r);
  });
}

}  // namespace

void batchNormForward(long rows, int channels, const float* x, const float* gamma, const float* beta,
                      float epsilon, float* y, float* mean, float* variance) {
  std::vector<double> sums;
  channelSums(rows, channels, 1, sums, [&](long r, float* acc) {
    const float* row = x + r * channels;
    for (int c = 0; c < channels; c++) acc[c] += row[c];
  });
  for (int c = 0; c < channels; c++) mean[c] = static_cast<float>(sums[c] / rows);
  // Two passes (sum of squared deviations) rather than E[x^2] - mean^2, which
  // cancels badly for channels with a large mean.
  channelSums(rows, channels, 1, sums, [&](long r, float* acc) {
    const float* row = x + r * channels;
    for (int c = 0; c < channels; c++) {
      const float d = row[c] - mean[c];
      acc[c] += d * d;
    }
  });
  std::vector<float> scale(channels), shift(channels);
  for (int c = 0; c < channels; c++) {
    variance[c] = static_cast<float>(sums[c] / rows);
    scale[c] = gamma[c] / std::sqrt(variance[c] + epsilon);
    shift[c] = beta[c] - mean[c] * scale[c];
  }
  eachRow(rows, [&](long r) {
    const float* in = x + r * channels;
    float* out = y + r * channels;
    for (int c = 0; c < channels; c++) out[c] = in[c] * scale[c] + shift[c];
  });
}

void batchNormBackward(long rows, int channels, const float* dy, const float* x, const float* gamma,
                       const float* mean, const float* variance, float epsilon, float* dx, float* dgamma,
                       float* dbeta) {
  std::vector<float> invStd(channels);
  for (int c = 0; c < channels; c++) invStd[c] = 1.f / std::sqrt(variance[c] + epsilon);
  std::vector<double> sums;
  // sums[0..C) = sum dy, sums[C..2C) = sum dy * (x - mean)
  channelSums(rows, channels, 2, sums, [&](long r, float* acc) {
    const float* g = dy + r * channels;
    const float* in = x + r * channels;
    float* accCentered = acc + channels;
    for (int c = 0; c < channels; c++) {
      acc[c] += g[c];
      accCentered[c] += g[c] * (in[c] - mean[c]);
    }
  });
  std::vector<float> scale(channels), meanDy(channels), slope(channels);
  for (int c = 0; c < channels; c++) {
    dbeta[c] = static_cast<float>(sums[c]);
    dgamma[c] = static_cast<float>(sums[channels + c] * invStd[c]);
    scale[c] = gamma[c] * invStd[c];
    meanDy[c] = static_cast<float>(sums[c] / rows);
    // xhat * mean(dy * xhat) = (x - mean) * invStd^2 * sum(dy * (x - mean)) / rows
    slope[c] = static_cast<float>(sums[channels + c] / rows) * invStd[c] * invStd[c];
  }
  eachRow(rows, [&](long r) {
    const float* g = dy + r * channels;
    const float* in = x + r * channels;
    float* out = dx + r * channels;
    for (int c = 0; c < channels; c++) out[c] = scale[c] * (g[c] - meanDy[c] - (in[c] - mean[c]) * slope[c]);
  });
}

}  // namespace wb
