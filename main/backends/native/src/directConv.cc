#include "directConv.h"
#include <algorithm>
#include <cstring>
#include <vector>
#include "instructionSets.h"
#include "parallelTeam.h"

// Direct convolution: each register tile holds kTile output pixels x up to 32 output channels and reads
// the input window and the filter where they lie, so no im2col matrix is written and read back. On the
// small maps of ResNet-18 at 32 px (8x8 down to 1x1, 64-512 channels) im2col + SGEMM reached ~100 GFLOP/s
// here against oneDNN's ~300; this is the same register blocking oneDNN's direct kernels use.
// GCC on x86-64 only (target pragmas); elsewhere conv2dForwardDirect declines and im2col + SGEMM runs.

namespace wb {

namespace {

// The taps of one output position whose window lies inside the image: rows [firstRow, firstRow + rows) and
// columns [firstColumn, firstColumn + columns) of the filter, and where that part of the window starts in
// an image (NHWC floats).
struct TapWindow {
  int firstRow, rows, firstColumn, columns;
  long inputOffset;
};

// The taps of a filter of `taps` along one axis that output `out` reads inside an input of `size`.
inline void tapsInside(int out, int stride, int pad, int taps, int size, int& first, int& count) {
  const int corner = out * stride - pad;
  first = std::max(0, -corner);
  count = std::max(0, std::min(taps, size - corner) - first);
}

struct DirectConvPlan {
  const float* filter;
  const float* bias;
  const float* residual;  // added before the activation, shaped like y; may be null
  Activation activation;
  int outC;
  int rows;      // filter rows (kh)
  int run;       // contiguous values per filter row in NHWC: kw x ci
  long rowStep;  // input floats between two filter rows
  // Where output pixel (n, oh, ow)'s window starts in the input the tile reads (a chunk of images,
  // padded when the convolution pads).
  long imagePitch, rowPitch;
  int channels, outH, outW, strideH, strideW;

  // Position-major (small maps, see usePositionMajor): the work is enumerated as output positions x
  // images padded to whole tiles, so that a tile is one position of kTile images and reads only the taps
  // inside the image, from the unpadded input; padding taps are never multiplied.
  bool byPosition;
  long images, tilesPerPosition;
  int filterW, padTop, padLeft, inH, inW;

  TapWindow windowOf(long position) const {
    const int oh = static_cast<int>(position / outW);
    const int ow = static_cast<int>(position - static_cast<long>(oh) * outW);
    TapWindow window;
    tapsInside(oh, strideH, padTop, rows, inH, window.firstRow, window.rows);
    tapsInside(ow, strideW, padLeft, filterW, inW, window.firstColumn, window.columns);
    window.inputOffset = static_cast<long>(oh * strideH - padTop + window.firstRow) * rowPitch +
                         static_cast<long>(ow * strideW - padLeft + window.firstColumn) * channels;
    return window;
  }

  long inputOffset(long pixel) const {
    const long perImage = static_cast<long>(outH) * outW;
    const long n = pixel / perImage;
    const int inImage = static_cast<int>(pixel - n * perImage);
    const int oh = inImage / outW;
    const int ow = inImage - oh * outW;
    return n * imagePitch + static_cast<long>(oh) * strideH * rowPitch + static_cast<long>(ow) * strideW * channels;
  }
};

// Output channels the one-input-channel kernel keeps in registers (directConvTile.inc).
constexpr int kNarrowChannels = 8;

std::vector<float>& panelScratch() {
  thread_local std::vector<float> buffer;
  return buffer;
}

}  // namespace

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define WB_DIRECT_CONV 1

#pragma GCC push_options
#pragma GCC target("avx512f,avx512vl,avx512dq,fma")
namespace avx512 {
constexpr int kLanes = 16;
constexpr int kTile = 12;  // 12 x 2 accumulators + 2 filter vectors + 1 broadcast of 32 zmm registers
#include "vectorOps.inc"
#include "directConvTile.inc"
}  // namespace avx512
#pragma GCC pop_options

#pragma GCC push_options
#pragma GCC target("avx2,fma")
namespace avx2 {
constexpr int kLanes = 8;
constexpr int kTile = 6;  // 6 x 2 accumulators + 2 filter vectors + 1 broadcast of 16 ymm registers
#include "vectorOps.inc"
#include "directConvTile.inc"
}  // namespace avx2
#pragma GCC pop_options
#endif

namespace {

using BlockKernel = void (*)(const DirectConvPlan&, const float*, long, long, int, float*);
using NarrowKernel = void (*)(const DirectConvPlan&, const float*, const float*, long, long, float*);

struct IsaKernels {
  BlockKernel convolveBlock;
  NarrowKernel convolveNarrowRows;
  int lanes;
  int blockWidth;  // output channels per block
  int tile;        // output pixels per tile
};

const IsaKernels* bestIsa() {
#ifdef WB_DIRECT_CONV
  static const IsaKernels avx512Isa{avx512::convolveBlock, avx512::convolveNarrowRows, avx512::kLanes, 2 * avx512::kLanes, avx512::kTile};
  static const IsaKernels avx2Isa{avx2::convolveBlock, avx2::convolveNarrowRows, avx2::kLanes, 2 * avx2::kLanes, avx2::kTile};
  const Isa isa = directIsa();
  if (isa == Isa::Avx512) return &avx512Isa;
  return isa == Isa::Avx2 ? &avx2Isa : nullptr;
#else
  return nullptr;
#endif
}

// Padded images are built in chunks of about this many floats (16 MiB), so AlexNet's 227 px at batch
// 128 does not need a 79 MB copy; a chunk always holds at least one image.
constexpr long kChunkFloats = 4L << 20;

}  // namespace

Isa directIsa() {
#ifdef WB_DIRECT_CONV
  // The AVX2 build on request too (an ISA cap, or the 'direct-avx2' algorithm), so that an AVX-512
  // machine tests the code AVX2-only CPUs run.
  const Isa available = availableIsa();
  if (available == Isa::Avx512 && convAlgorithm() == ConvAlgorithm::DirectAvx2) return Isa::Avx2;
  return available;
#else
  return Isa::Generic;
#endif
}

bool directConvAvailable() { return bestIsa() != nullptr; }

// Position-major tiles pay where padding is a large share of the windows (ResNet-18's 4x4 and 2x2 maps at
// 32 px: 31% and 56% of the taps read padding) and the batch fills the tiles: it multiplies only the taps
// inside the image, but a position's last tile runs full with fewer images (64 images: 6 tiles of 12 for 64).
// Chosen where its tile-taps are under 85% of the padded enumeration's.
bool usePositionMajor(const ConvShape& s) {
  const IsaKernels* isa = bestIsa();
  if (isa == nullptr || s.dilationH != 1 || s.dilationW != 1) return false;
  const long tile = isa->tile;
  long rowTaps = 0, columnTaps = 0;
  for (int oh = 0; oh < s.outH; oh++) {
    int first, count;
    tapsInside(oh, s.strideH, s.padTop, s.filterH, s.inH, first, count);
    rowTaps += count;
  }
  for (int ow = 0; ow < s.outW; ow++) {
    int first, count;
    tapsInside(ow, s.strideW, s.padLeft, s.filterW, s.inW, first, count);
    columnTaps += count;
  }
  const long positions = static_cast<long>(s.outH) * s.outW;
  const long padded = (s.batch * positions + tile - 1) / tile * s.filterH * s.filterW;
  const long byPosition = (s.batch + tile - 1) / tile * rowTaps * columnTaps;
  return byPosition * 100 < padded * 85;
}

bool conv2dForwardDirect(const ConvShape& s, const float* x, const float* filter, const float* bias,
                         Activation activation, float* y, const float* residual) {
  const IsaKernels* isa = bestIsa();
  if (isa == nullptr || s.dilationW != 1) return false;
  // The rows and columns the windows reach, counting padding on all four sides.
  const int reachH = (s.outH - 1) * s.strideH + (s.filterH - 1) * s.dilationH + 1;
  const int reachW = (s.outW - 1) * s.strideW + s.filterW;
  const int height = std::max(reachH, s.padTop + s.inH);
  const int width = std::max(reachW, s.padLeft + s.inW);
  // One input channel at stride 1 into a few output channels: pixels in the lanes (convolveNarrowRows),
  // which reads up to a vector past each row, so its input is always copied into a padded buffer.
  const bool narrow = s.inC == 1 && s.strideW == 1 && s.outC <= kNarrowChannels && residual == nullptr;
  const bool byPosition = !narrow && usePositionMajor(s);
  const bool pads = !byPosition && (narrow || s.padTop != 0 || s.padLeft != 0 || reachH > s.inH || reachW > s.inW);
  // Padded rows and images are 64 bytes longer than they need to be: at power-of-two pitches (a 4x4x256
  // image is 16 KiB) the tile's twelve input streams fell into the same few L1 sets and ran at half speed.
  const long rowPitch = static_cast<long>(width) * s.inC + (pads ? 16 : 0);
  const long paddedImage = static_cast<long>(height) * rowPitch + 16;
  const long imagesPerChunk = pads ? std::max(1L, std::min<long>(s.batch, kChunkFloats / paddedImage)) : s.batch;

  DirectConvPlan plan{filter, bias, nullptr, activation, s.outC, s.filterH, s.filterW * s.inC,
                      s.dilationH * (pads ? rowPitch : static_cast<long>(s.inW) * s.inC),
                      pads ? paddedImage : static_cast<long>(s.inH) * s.inW * s.inC,
                      pads ? rowPitch : static_cast<long>(s.inW) * s.inC,
                      s.inC, s.outH, s.outW, s.strideH, s.strideW,
                      byPosition, s.batch, (s.batch + isa->tile - 1) / isa->tile, s.filterW, s.padTop, s.padLeft, s.inH, s.inW};
  const long pixelsPerImage = static_cast<long>(s.outH) * s.outW;
  const int blocks = (s.outC + isa->blockWidth - 1) / isa->blockWidth;
  thread_local std::vector<float> paddedScratch;
  thread_local std::vector<float> narrowWeights;
  if (narrow) {
    const long taps = static_cast<long>(s.filterH) * s.filterW;
    narrowWeights.assign(static_cast<size_t>(taps) * kNarrowChannels, 0.f);
    for (long t = 0; t < taps; t++)
      for (int c = 0; c < s.outC; c++) narrowWeights[t * kNarrowChannels + c] = filter[t * s.outC + c];
  }

  for (long firstImage = 0; firstImage < s.batch; firstImage += imagesPerChunk) {
    const long images = std::min(imagesPerChunk, s.batch - firstImage);
    const float* source = x + firstImage * s.inH * s.inW * s.inC;
    if (pads) {
      paddedScratch.resize(static_cast<size_t>(images * paddedImage + isa->lanes));
      std::fill(paddedScratch.end() - isa->lanes, paddedScratch.end(), 0.f);
      float* padded = paddedScratch.data();
      const long inRow = static_cast<long>(s.inW) * s.inC;
      const int padders = teamSize(images);
      runTeam(padders, [&](int member) {
        long first, last;
        shareOf(images, padders, member, first, last);
        for (long n = first; n < last; n++) {
          float* image = padded + n * paddedImage;
          std::memset(image, 0, sizeof(float) * paddedImage);
          for (int h = 0; h < s.inH; h++) {
            std::memcpy(image + (static_cast<long>(h) + s.padTop) * rowPitch + static_cast<long>(s.padLeft) * s.inC,
                        source + (n * s.inH + h) * inRow, sizeof(float) * inRow);
          }
        }
      });
      source = padded;
    }
    if (narrow) {
      const long rows = images * s.outH;
      const int team = teamSize(rows / 4);
      float* out = y + firstImage * pixelsPerImage * s.outC;
      // Named outside the team: inside it, a thread_local name means each member's own (empty) copy.
      const float* weights = narrowWeights.data();
      runTeam(team, [&](int member) {
        long first, last;
        shareOf(rows, team, member, first, last);
        if (first < last) isa->convolveNarrowRows(plan, source, weights, first, last - first, out);
      });
      continue;
    }
    // Work items: (block of columns, range of tiles), column-major so a member keeps one block's filter
    // columns hot while it walks its pixels.
    // Position-major: the pixels are positions x images padded to whole tiles (one chunk: no padded copy).
    const long pixels = byPosition ? pixelsPerImage * plan.tilesPerPosition * isa->tile : images * pixelsPerImage;
    const long tiles = (pixels + isa->tile - 1) / isa->tile;
    const long items = tiles * blocks;
    float* out = y + firstImage * pixelsPerImage * s.outC;
    plan.residual = residual == nullptr ? nullptr : residual + firstImage * pixelsPerImage * s.outC;
    const int team = teamSize(items);
    runTeam(team, [&](int member) {
      long first, last;
      shareOf(items, team, member, first, last);
      while (first < last) {
        const int block = static_cast<int>(first / tiles);
        const long tile = first - block * tiles;
        const long tileEnd = std::min(tiles, tile + (last - first));
        const long firstPixel = tile * isa->tile;
        const long pixelEnd = std::min(pixels, tileEnd * isa->tile);
        isa->convolveBlock(plan, source, firstPixel, pixelEnd - firstPixel, block * isa->blockWidth, out);
        first += tileEnd - tile;
      }
    });
  }
  return true;
}

}  // namespace wb
