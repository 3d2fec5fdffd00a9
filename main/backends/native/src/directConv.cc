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

// The taps of a filter of `taps` along one axis that output `out` reads inside an input of `size`.
inline void tapsInside(int out, int stride, int pad, int taps, int size, int& first, int& count) {
  const int corner = out * stride - pad;
  first = std::max(0, -corner);
  count = std::max(0, std::min(taps, size - corner) - first);
}

// Output positions whose windows keep the same taps inside the image (ResNet's 3x3 'same' maps have nine:
// the interior, four edges, four corners): rows [firstRow, firstRow + rows) and columns [firstColumn,
// firstColumn + columns) of the filter. Its pixels are its positions in every image, image-major, and its
// tiles never mix in another class's pixels, so a tile multiplies only its class's taps.
struct WindowClass {
  int firstRow, rows, firstColumn, columns;
  long firstTile, tiles, pixels;
  std::vector<int> positions;       // oh * outW + ow, row-major
  std::vector<long> windowOffsets;  // where each position's kept window starts in an image (NHWC floats)
};

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

  // By window class (see windowClassesPay): tiles run class by class over the unpadded input, and the
  // padding taps are never multiplied. Null otherwise.
  const std::vector<WindowClass>* classes;
  int filterW;

  // The class of a tile (counted over all classes); there are at most a few dozen.
  const WindowClass& classOf(long tile) const {
    size_t c = 0;
    while (c + 1 < classes->size() && (*classes)[c + 1].firstTile <= tile) c++;
    return (*classes)[c];
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

namespace {

// The window classes of a convolution and their tiles of `tile` pixels, in class order.
std::vector<WindowClass> windowClasses(const ConvShape& s, int tile, long rowPitch) {
  std::vector<WindowClass> classes;
  for (int oh = 0; oh < s.outH; oh++) {
    int firstRow, rows;
    tapsInside(oh, s.strideH, s.padTop, s.filterH, s.inH, firstRow, rows);
    for (int ow = 0; ow < s.outW; ow++) {
      int firstColumn, columns;
      tapsInside(ow, s.strideW, s.padLeft, s.filterW, s.inW, firstColumn, columns);
      auto found = std::find_if(classes.begin(), classes.end(), [&](const WindowClass& c) {
        return c.firstRow == firstRow && c.rows == rows && c.firstColumn == firstColumn && c.columns == columns;
      });
      if (found == classes.end()) found = classes.insert(classes.end(), WindowClass{firstRow, rows, firstColumn, columns, 0, 0, 0, {}, {}});
      found->positions.push_back(oh * s.outW + ow);
      found->windowOffsets.push_back(static_cast<long>(oh * s.strideH - s.padTop + firstRow) * rowPitch +
                                     static_cast<long>(ow * s.strideW - s.padLeft + firstColumn) * s.inC);
    }
  }
  long firstTile = 0;
  for (WindowClass& c : classes) {
    c.pixels = static_cast<long>(c.positions.size()) * s.batch;
    c.tiles = (c.pixels + tile - 1) / tile;
    c.firstTile = firstTile;
    firstTile += c.tiles;
  }
  return classes;
}

}  // namespace

// Tiles by window class pay where padding is a fair share of the windows (ResNet-18 at 32 px: 16%, 31% and
// 56% of the 3x3 taps on its 8x8, 4x4 and 2x2 maps read padding) and each class has pixels enough to fill
// its tiles (one image's 2x2 map does not: four classes of one pixel). Chosen where its tile-taps are under
// 95% of the padded enumeration's; it also spares the padded copy.
bool useWindowClasses(const ConvShape& s) {
  const IsaKernels* isa = bestIsa();
  if (isa == nullptr || s.dilationH != 1 || s.dilationW != 1) return false;
  long byClass = 0;
  for (const WindowClass& c : windowClasses(s, isa->tile, 0)) byClass += c.tiles * c.rows * c.columns;
  const long padded = (s.batch * s.outH * s.outW + isa->tile - 1) / isa->tile * s.filterH * s.filterW;
  return byClass * 100 < padded * 95;
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
  const bool byClass = !narrow && useWindowClasses(s);
  const bool pads = !byClass && (narrow || s.padTop != 0 || s.padLeft != 0 || reachH > s.inH || reachW > s.inW);
  // Padded rows and images are 64 bytes longer than they need to be: at power-of-two pitches (a 4x4x256
  // image is 16 KiB) the tile's twelve input streams fell into the same few L1 sets and ran at half speed.
  const long rowPitch = static_cast<long>(width) * s.inC + (pads ? 16 : 0);
  const long paddedImage = static_cast<long>(height) * rowPitch + 16;
  const long imagesPerChunk = pads ? std::max(1L, std::min<long>(s.batch, kChunkFloats / paddedImage)) : s.batch;

  DirectConvPlan plan{filter, bias, nullptr, activation, s.outC, s.filterH, s.filterW * s.inC,
                      s.dilationH * (pads ? rowPitch : static_cast<long>(s.inW) * s.inC),
                      pads ? paddedImage : static_cast<long>(s.inH) * s.inW * s.inC,
                      pads ? rowPitch : static_cast<long>(s.inW) * s.inC,
                      s.inC, s.outH, s.outW, s.strideH, s.strideW, nullptr, s.filterW};
  thread_local std::vector<WindowClass> classes;
  if (byClass) {
    classes = windowClasses(s, isa->tile, static_cast<long>(s.inW) * s.inC);
    plan.classes = &classes;
  }
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
    // By class: every class's pixels padded to whole tiles (one chunk: no padded copy).
    const long pixels = byClass ? (classes.back().firstTile + classes.back().tiles) * isa->tile : images * pixelsPerImage;
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
