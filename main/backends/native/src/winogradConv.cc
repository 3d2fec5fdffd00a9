#include "winogradConv.h"
#include <algorithm>
#include <vector>
#include "directConv.h"
#include "parallelTeam.h"

// Winograd F(2x2, 3x3): each 2x2 block of outputs is A^T [(G g G^T) . (B^T d B)] A over its 4x4 input tile,
// 16 multiplies per input and output channel where the direct kernel's window classes multiply 484 taps per
// 64 outputs of an 8x8 map (121 per 16) and 100 per 16 of a 4x4 one. The 16 elementwise products summed
// over input channels are 16 matrix products [tiles x inC] x [inC x outC], run with the direct kernel's
// register tile (kTile rows x 2 vectors of output channels, broadcasting the input). The filter is
// transformed and packed once by the caller (the compiled inference plan), so a call transforms only the
// input and the output. GCC only (vector extensions); under other compilers the plan keeps the direct kernel.

namespace wb {

namespace {

struct WinogradPlan {
  const float* x;
  const float* packed;
  const float* bias;
  const float* residual;
  float* y;
  Activation activation;
  int mapH, mapW, inC, outC;  // the input's and the output's height and width are the same
  int tilesH, tilesW;
};

// Tiles whose 16 transformed planes are built at once: 24 x 16 planes x 128 channels is 192 KiB, which
// stays in L2 while every block of output channels reads it; a multiple of every build's kTile.
constexpr int kChunkTiles = 24;

// Floats between two of a chunk's 16 transformed planes (and its 16 planes of products): a cache line more
// than they hold. At a multiple of 4 KiB (24 tiles x 128 channels is 12 KiB) the 16 rows that one tile writes
// fall into one L1 set (ResNet-18's 4x4x128 at batch 64 on one core: 1.46 -> 1.36 ms with the extra line).
inline long planeStride(int width) { return static_cast<long>(kChunkTiles) * width + 16; }

using TilesFn = void (*)(const WinogradPlan&, long, long, float*, float*);

}  // namespace

#if defined(__GNUC__) && !defined(__clang__)
#define WB_WINOGRAD 1
namespace {

#if defined(__x86_64__)
#pragma GCC push_options
#pragma GCC target("avx512f,avx512vl,avx512dq,fma")
namespace avx512 {
constexpr int kLanes = 16;
constexpr int kTile = 12;
#include "vectorOps.inc"
#include "vectorActivation.inc"
#include "winogradTile.inc"
}  // namespace avx512
#pragma GCC pop_options

#pragma GCC push_options
#pragma GCC target("avx2,fma")
namespace avx2 {
constexpr int kLanes = 8;
constexpr int kTile = 6;
#include "vectorOps.inc"
#include "vectorActivation.inc"
#include "winogradTile.inc"
}  // namespace avx2
#pragma GCC pop_options
#endif

// The build's baseline vectors (SSE2 on x86-64, NEON on arm64): the 'generic' cap and CPUs without AVX2.
namespace portable {
constexpr int kLanes = 4;
constexpr int kTile = 6;  // 6 x 2 accumulators + 2 filter vectors + 1 broadcast of 16 registers
typedef float vec __attribute__((vector_size(16)));
typedef float vecUnaligned __attribute__((vector_size(16), aligned(4)));
typedef int ivec __attribute__((vector_size(16)));
inline vec load(const float* p) { return *reinterpret_cast<const vecUnaligned*>(p); }
inline vec splat(const float* p) { return vec{} + *p; }
inline void store(float* p, vec v) { *reinterpret_cast<vecUnaligned*>(p) = v; }
#include "vectorActivation.inc"
#include "winogradTile.inc"
}  // namespace portable

}  // namespace
#endif

namespace {

struct WinogradIsa {
  TilesFn run;
  int tile;
};

const WinogradIsa* winogradIsa() {
#ifdef WB_WINOGRAD
  static const WinogradIsa portableIsa{portable::winogradTiles, portable::kTile};
#if defined(__x86_64__)
  static const WinogradIsa avx512Isa{avx512::winogradTiles, avx512::kTile};
  static const WinogradIsa avx2Isa{avx2::winogradTiles, avx2::kTile};
  const Isa isa = directIsa();
  if (isa == Isa::Avx512) return &avx512Isa;
  if (isa == Isa::Avx2) return &avx2Isa;
#endif
  return &portableIsa;
#else
  return nullptr;
#endif
}

}  // namespace

bool winogradAvailable() { return winogradIsa() != nullptr; }

size_t winogradFilterFloats(int inC, int outC) {
  const size_t blocks = (static_cast<size_t>(outC) + kWinogradBlock - 1) / kWinogradBlock;
  return 16 * static_cast<size_t>(inC) * blocks * kWinogradBlock;
}

void winogradTransformFilter(const float* filter, int inC, int outC, float* packed) {
  std::fill(packed, packed + winogradFilterFloats(inC, outC), 0.f);
  static const double G[4][3] = {{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}};
  for (int ci = 0; ci < inC; ci++) {
    for (int co = 0; co < outC; co++) {
      double gg[4][3] = {};  // G g
      for (int a = 0; a < 4; a++)
        for (int j = 0; j < 3; j++)
          for (int i = 0; i < 3; i++) gg[a][j] += G[a][i] * filter[((i * 3 + j) * static_cast<long>(inC) + ci) * outC + co];
      float* to = packed + (static_cast<long>(co / kWinogradBlock) * 16 * inC + ci) * kWinogradBlock + co % kWinogradBlock;
      for (int a = 0; a < 4; a++) {
        for (int b = 0; b < 4; b++) {
          const double u = gg[a][0] * G[b][0] + gg[a][1] * G[b][1] + gg[a][2] * G[b][2];
          to[static_cast<long>(a * 4 + b) * inC * kWinogradBlock] = static_cast<float>(u);
        }
      }
    }
  }
}

bool winogradShape(const ConvShape& s) {
  return s.filterH == 3 && s.filterW == 3 && s.strideH == 1 && s.strideW == 1 && s.dilationH == 1 && s.dilationW == 1 &&
         s.padTop == 1 && s.padLeft == 1 && s.outH == s.inH && s.outW == s.inW && s.batch > 0 && s.inH > 0 &&
         s.inW > 0 && s.inC > 0 && s.outC > 0;
}

bool conv2dWinograd(const ConvShape& s, const float* x, const float* packed, const float* bias, Activation activation,
                    float* y, const float* residual) {
  const WinogradIsa* isa = winogradIsa();
  // Under 'im2col' the caller's fallback runs, so that tests of that algorithm still reach it.
  if (isa == nullptr || !winogradShape(s) || convAlgorithm() == ConvAlgorithm::Im2col) return false;
  const WinogradPlan plan{x, packed, bias, residual, y, activation, s.inH, s.inW, s.inC, s.outC, (s.inH + 1) / 2, (s.inW + 1) / 2};
  const long tiles = static_cast<long>(s.batch) * plan.tilesH * plan.tilesW;
  // The team splits whole register tiles of 2x2 tiles, so no member multiplies another's rows.
  const long units = (tiles + isa->tile - 1) / isa->tile;
  const int team = teamSize(units);
  runTeam(team, [&](int member) {
    long first, last;
    shareOf(units, team, member, first, last);
    first *= isa->tile;
    last = std::min(tiles, last * isa->tile);
    if (first >= last) return;
    thread_local std::vector<float> planes, products;
    planes.resize(static_cast<size_t>(16) * planeStride(s.inC));
    products.resize(static_cast<size_t>(16) * planeStride(kWinogradBlock));
    isa->run(plan, first, last, planes.data(), products.data());
  });
  return true;
}

}  // namespace wb
