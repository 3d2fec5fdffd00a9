#include "optimizerKernels.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "parallelTeam.h"

namespace wb {
namespace {

// Below this many elements per member a thread costs more than it saves.
constexpr long kElementsPerMember = 1L << 15;

// Runs body(parameter, first, last) over the members' shares of all elements
// laid end to end, so that every member gets the same amount of work however
// the sizes of the parameters differ.
template <typename Body>
void overElements(const OptimizerParameter* parameters, int count, Body body) {
  std::vector<long> starts(count + 1, 0);
  for (int p = 0; p < count; p++) starts[p + 1] = starts[p] + parameters[p].size;
  const long total = starts[count];
  const int team = teamSize(total / kElementsPerMember);
  runTeam(team, [&](int member) {
    long first, last;
    shareOf(total, team, member, first, last);
    int p = static_cast<int>(std::upper_bound(starts.begin(), starts.end(), first) - starts.begin()) - 1;
    for (; p < count && starts[p] < last; p++) {
      const long from = std::max(first, starts[p]) - starts[p];
      const long to = std::min(last, starts[p + 1]) - starts[p];
      if (to > from) body(parameters[p], from, to);
    }
  });
}

// tfjs: norm = sqrt(addN(sum(square(g)) per tensor)); scale = min(1, maxNorm / (norm + 1e-6)).
float clipScale(float* heap, const OptimizerParameter* parameters, int count, float clipNorm) {
  const int team = teamSize(1L << 20);
  std::vector<double> partial(static_cast<size_t>(team) * count, 0.0);
  std::vector<long> starts(count + 1, 0);
  for (int p = 0; p < count; p++) starts[p + 1] = starts[p] + parameters[p].size;
  const long total = starts[count];
  runTeam(team, [&](int member) {
    long first, last;
    shareOf(total, team, member, first, last);
    for (int p = 0; p < count; p++) {
      const long from = std::max(first, starts[p]), to = std::min(last, starts[p + 1]);
      if (to <= from) continue;
      const float* g = heap + parameters[p].gradient - starts[p];
      double sum = 0;
      for (long i = from; i < to; i++) sum += static_cast<double>(g[i]) * g[i];
      partial[static_cast<size_t>(member) * count + p] = sum;
    }
  });
  float squares = 0;  // addN of float32 per-tensor sums, in order
  for (int p = 0; p < count; p++) {
    double sum = 0;
    for (int m = 0; m < team; m++) sum += partial[static_cast<size_t>(m) * count + p];
    squares += static_cast<float>(sum);
  }
  const float norm = std::sqrt(squares);
  return std::min(1.0f, clipNorm / (norm + 1e-6f));
}

// Each rule op for op as tfjs writes it, every intermediate a float. The buffers never overlap: the
// step writes only buffers no other tensor holds (nativeOptimizerStep.ts), hence __restrict. Adam's and
// RMSprop's loops vectorize only because sqrt sets no errno (-fno-math-errno in binding.gyp).
void sgd(float* __restrict v, const float* __restrict g, long from, long to, float minusRate, float scale, bool clip) {
  for (long i = from; i < to; i++) {
    const float gi = clip ? g[i] * scale : g[i];
    v[i] = minusRate * gi + v[i];
  }
}

void momentum(float* __restrict v, const float* __restrict g, float* __restrict acc, long from, long to, const OptimizerConstants& c, float scale, bool clip) {
  const float minusRate = -c.learningRate, m = c.hyper1;
  const bool nesterov = c.rule == UpdateRule::Nesterov;
  for (long i = from; i < to; i++) {
    const float gi = clip ? g[i] * scale : g[i];
    const float a = m * acc[i] + gi;
    acc[i] = a;
    v[i] = nesterov ? minusRate * (gi + a * m) + v[i] : minusRate * a + v[i];
  }
}

void adam(float* __restrict v, const float* __restrict g, float* __restrict m1, float* __restrict m2, long from, long to, const OptimizerConstants& c, float scale, bool clip) {
  const float minusRate = -c.learningRate;
  for (long i = from; i < to; i++) {
    const float gi = clip ? g[i] * scale : g[i];
    const float first = m1[i] * c.hyper1 + gi * c.oneMinus1;
    const float second = m2[i] * c.hyper2 + (gi * gi) * c.oneMinus2;
    m1[i] = first;
    m2[i] = second;
    const float corrected1 = first / c.biasCorrection1;
    const float corrected2 = second / c.biasCorrection2;
    v[i] = (corrected1 / (std::sqrt(corrected2) + c.epsilon)) * minusRate + v[i];
  }
}

void rmsProp(float* __restrict v, const float* __restrict g, float* __restrict meanSquare, float* __restrict moment, long from, long to, const OptimizerConstants& c, float scale, bool clip) {
  for (long i = from; i < to; i++) {
    const float gi = clip ? g[i] * scale : g[i];
    const float ms = meanSquare[i] * c.hyper1 + (gi * gi) * c.oneMinus1;
    const float mo = moment[i] * c.hyper2 + (gi * c.learningRate) / std::sqrt(ms + c.epsilon);
    meanSquare[i] = ms;
    moment[i] = mo;
    v[i] = v[i] - mo;
  }
}

}  // namespace

float optimizerStep(float* heap, const OptimizerParameter* parameters, int count, const OptimizerConstants& c) {
  const bool clip = c.clipNorm > 0;
  const float scale = clip ? clipScale(heap, parameters, count, c.clipNorm) : 1.0f;
  overElements(parameters, count, [&](const OptimizerParameter& p, long from, long to) {
    float* v = heap + p.value;
    const float* g = heap + p.gradient;
    float* a = p.slotA >= 0 ? heap + p.slotA : nullptr;
    float* b = p.slotB >= 0 ? heap + p.slotB : nullptr;
    switch (c.rule) {
      case UpdateRule::Sgd: sgd(v, g, from, to, -c.learningRate, scale, clip); break;
      case UpdateRule::Momentum:
      case UpdateRule::Nesterov: momentum(v, g, a, from, to, c, scale, clip); break;
      case UpdateRule::Adam: adam(v, g, a, b, from, to, c, scale, clip); break;
      case UpdateRule::RmsProp: rmsProp(v, g, a, b, from, to, c, scale, clip); break;
    }
  });
  return scale;
}

}  // namespace wb
