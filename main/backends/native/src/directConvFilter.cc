#include <algorithm>
#include <cstring>
#include <utility>
#include <vector>
#include "directConv.h"
#include "parallelTeam.h"

// The filter gradient dw[kh, kw, ci, co] = sum over n, oh, ow of x[n, oh*s + kh - pad, ow*s + kw - pad, ci] *
// dy[n, oh, ow, co] as a direct register-tiled kernel: dw viewed as [kh*kw*ci, co] is cut into tiles of
// kRows rows x 2 vectors of output channels, each summed in registers over every pixel, broadcasting x
// and reading dy's rows where they lie (co is contiguous in NHWC). No im2col matrix is written, and a tap
// is summed only over the output pixels whose window puts it inside the image: a 3x3 'same' gradient of
// ResNet-18's 1x1 maps at 32 px is its centre tap alone, 2x2 maps need 4/9 of the products, where im2col
// + SGEMM multiplies the padding of every tap that reads the image somewhere. The team splits the tiles,
// so no member adds partial sums of another, and the result does not depend on the thread count. Per
// ISA, one core of the AMD EPYC here (Zen 4), ResNet-18 batch 64: 34 ms of filter gradients a step
// against 56 ms with im2col + SGEMM on AVX-512, 49 against 54 on AVX2 (where im2col keeps more shapes).
// GCC on x86-64 only (target pragmas), as directConv.cc; elsewhere im2col + SGEMM runs.

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define WB_DIRECT_FILTER 1
#include <immintrin.h>
#endif

namespace wb {

namespace {

// The input and dy as the tiles read them: x itself, or a chunk of it copied with its padding; dy in place
// but for its last images (tail), copied with a vector of zeros after them where a tile's last vector of
// output channels reads past dy's rows.
struct FilterPlan {
  long imagePitch, rowPitch;  // floats between two images and between two rows of the input
  int channels;               // floats per input pixel (ci)
  int strideH, strideW;
  int outH, outW, outC;
  long tailFrom;              // the chunk's images from this one on are read from `tail`
  const float* tail;
};

// dw rows [dwRow, dwRow + rows) x output channels [column, column + width). Output pixel (n, oh, ow)
// reads its tile rows at x + n * imagePitch + (oh * strideH + rowShift) * rowPitch + ow * strideW * ci +
// offset, and dy at (oh * outW + ow) * outC + column in image n of dy; only the pixels in [ohBegin, ohEnd)
// x [owBegin, owEnd) read inside the image.
struct FilterTile;
using FilterTileFn = void (*)(const FilterPlan&, const FilterTile&, const float*, const float*, long, bool, float*);

struct FilterTile {
  long dwRow;
  long offset;
  int rowShift;
  int ohBegin, ohEnd, owBegin, owEnd;
  int column, width;
  FilterTileFn run;
};

// Pixels a tile sums in registers before adding them to dw (see filterTile).
constexpr int kFlushPixels = 256;

}  // namespace

#ifdef WB_DIRECT_FILTER
namespace {

#pragma GCC push_options
#pragma GCC target("avx512f,avx512vl,avx512dq,fma")
namespace avx512 {
constexpr int kLanes = 16;
constexpr int kRows = 12;  // 12 x 2 accumulators + 2 dy vectors + 1 broadcast of 32 zmm registers
constexpr int kVectors = 2;
#include "vectorOps.inc"
using LaneMask = __mmask16;
inline LaneMask firstLanes(int n) { return static_cast<__mmask16>((1u << n) - 1); }
inline vec loadFirst(const float* p, LaneMask mask) { return reinterpret_cast<vec>(_mm512_maskz_loadu_ps(mask, p)); }
inline void storeFirst(float* p, vec v, LaneMask mask) { _mm512_mask_storeu_ps(p, mask, reinterpret_cast<__m512>(v)); }
#include "directFilterTile.inc"
}  // namespace avx512
#pragma GCC pop_options

#pragma GCC push_options
#pragma GCC target("avx2,fma")
namespace avx2 {
constexpr int kLanes = 8;
constexpr int kRows = 6;  // 6 x 2 accumulators + 2 dy vectors + 1 broadcast of 16 ymm registers
constexpr int kVectors = 2;
#include "vectorOps.inc"
using LaneMask = __m256i;
inline LaneMask firstLanes(int n) { return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7)); }
inline vec loadFirst(const float* p, LaneMask mask) { return reinterpret_cast<vec>(_mm256_maskload_ps(p, mask)); }
inline void storeFirst(float* p, vec v, LaneMask mask) { _mm256_maskstore_ps(p, mask, reinterpret_cast<__m256>(v)); }
#include "directFilterTile.inc"
}  // namespace avx2
#pragma GCC pop_options

}  // namespace
#endif

namespace {

struct FilterIsa {
  FilterTileFn (*tileFor)(int rows, int width);
  int rows;          // dw rows per tile at most
  int width;         // output channels per tile at most
  int lanes;
  long chunkFloats;  // input and dy floats per chunk of images (see imagesPerChunk): measured on one
                     // core of the AMD EPYC here (1 MiB of L2), 128 Ki floats ran ResNet-18's gradients
                     // in 31 ms on AVX-512 (256 Ki: 33, 32 Ki: 38), 32 Ki in 43 ms on AVX2 (256 Ki: 51)
  Isa isa;
};

const FilterIsa* filterIsa() {
#ifdef WB_DIRECT_FILTER
  static const FilterIsa avx512Isa{avx512::filterTileFor, avx512::kRows, avx512::kVectors * avx512::kLanes, avx512::kLanes, 128L << 10, Isa::Avx512};
  static const FilterIsa avx2Isa{avx2::filterTileFor, avx2::kRows, avx2::kVectors * avx2::kLanes, avx2::kLanes, 32L << 10, Isa::Avx2};
  const Isa isa = directIsa();
  if (isa == Isa::Avx512) return &avx512Isa;
  return isa == Isa::Avx2 ? &avx2Isa : nullptr;
#else
  return nullptr;
#endif
}

// The output indices j in [0, outSize) whose input index j * stride + shift lies in [0, inSize).
void insideRange(int outSize, int inSize, int stride, int shift, int& begin, int& end) {
  begin = shift >= 0 ? 0 : (-shift + stride - 1) / stride;
  const int last = inSize - 1 - shift;
  end = last < 0 ? 0 : std::min(outSize, last / stride + 1);
  end = std::max(begin, end);
}

// Splits `length` rows into blocks of at most maxRows, as even as possible; calls add(first, rows).
template <typename Add>
void forEachRowBlock(int length, int maxRows, Add add) {
  const int blocks = (length + maxRows - 1) / maxRows;
  const int rows = (length + blocks - 1) / blocks;
  for (int first = 0; first < length; first += rows) add(first, std::min(rows, length - first));
}

// The tiles, column block outermost so that a member's consecutive tiles read the same dy columns.
// Per tap (windowRuns false): tiles of one (kh, kw) and a block of input channels, each over the pixels
// whose window puts that tap inside the image, reading x in place. Window runs (few input channels): a
// tile spans the kw x ci floats of one filter row, so the input must hold every window whole (padded).
struct FilterWork {
  std::vector<FilterTile> tiles;
  std::vector<long> zeroTaps;  // the first dw row of each tap that reads only padding: ci x co zeros
};

FilterWork filterWork(const ConvShape& s, const FilterIsa& isa, bool windowRuns, int layoutTop, int layoutLeft) {
  FilterWork work;
  std::vector<FilterTile>& tiles = work.tiles;
  const int run = s.filterW * s.inC;
  for (int column = 0; column < s.outC; column += isa.width) {
    const int width = std::min(isa.width, s.outC - column);
    for (int kh = 0; kh < s.filterH; kh++) {
      const long rowBase = static_cast<long>(kh) * run;
      const int rowShift = kh - s.padTop + layoutTop;
      const long windowStart = static_cast<long>(layoutLeft - s.padLeft) * s.inC;
      if (windowRuns) {
        forEachRowBlock(run, isa.rows, [&](int first, int rows) {
          tiles.push_back({rowBase + first, windowStart + first, rowShift, 0, s.outH, 0, s.outW, column, width,
                           isa.tileFor(rows, width)});
        });
        continue;
      }
      int ohBegin, ohEnd;
      insideRange(s.outH, s.inH, s.strideH, kh - s.padTop, ohBegin, ohEnd);
      for (int kw = 0; kw < s.filterW; kw++) {
        int owBegin, owEnd;
        insideRange(s.outW, s.inW, s.strideW, kw - s.padLeft, owBegin, owEnd);
        if (ohBegin == ohEnd || owBegin == owEnd) {
          if (column == 0) work.zeroTaps.push_back(rowBase + static_cast<long>(kw) * s.inC);
          continue;
        }
        forEachRowBlock(s.inC, isa.rows, [&](int first, int rows) {
          const long tap = static_cast<long>(kw) * s.inC + first;
          tiles.push_back({rowBase + tap, windowStart + tap, rowShift, ohBegin, ohEnd, owBegin, owEnd, column, width,
                           isa.tileFor(rows, width)});
        });
      }
    }
  }
  return work;
}

// Images per chunk: about isa.chunkFloats floats of input and dy, which a member's tiles read again and
// again while they stay in its L2, but at least kFlushPixels output pixels, so that a tile's pass over a
// chunk of small maps is not all loads and stores of dw.
long imagesPerChunk(const ConvShape& s, const FilterIsa& isa, long imageFloats) {
  const long pixels = static_cast<long>(s.outH) * s.outW;
  const long images = std::max(isa.chunkFloats / imageFloats, (kFlushPixels + pixels - 1) / pixels);
  return std::max(1L, std::min<long>(s.batch, images));
}

// The share of the window's products that read the image rather than padding, over all output pixels.
double productsInside(const ConvShape& s) {
  long inside = 0;
  for (int kh = 0; kh < s.filterH; kh++) {
    int ohBegin, ohEnd;
    insideRange(s.outH, s.inH, s.strideH, kh - s.padTop, ohBegin, ohEnd);
    for (int kw = 0; kw < s.filterW; kw++) {
      int owBegin, owEnd;
      insideRange(s.outW, s.inW, s.strideW, kw - s.padLeft, owBegin, owEnd);
      inside += static_cast<long>(ohEnd - ohBegin) * (owEnd - owBegin);
    }
  }
  return static_cast<double>(inside) / (static_cast<double>(s.filterH) * s.filterW * s.outH * s.outW);
}

// Where im2col + SGEMM's packed panels were faster, on one core, batch 64 (ResNet-18 at 32 px). Output maps
// under 4x4 with (almost) no padding to skip: each tile reads one pixel every few KiB (an image of 4x4x256
// is 16 KiB); on AVX-512, 1.9 against 3.4 ms for 3x3 stride 2 of 4x4x256 (padded before) into 1x1x512, 1.7
// against 2.3 ms into 2x2x256, 0.17 against 0.21 ms pointwise stride 2 into 2x2x256, while the small maps
// whose padding it skips go faster direct: 3x3 'same' of 2x2x256 2.2 against 3.3 ms (4/9 of the products
// inside), of 1x1x512 1.1 against 3.6 ms (1/9). AVX2's tiles are half as wide, and it lost on 4x4 outputs
// without padding too (3x3 stride 2 into 4x4x128: 1.7 against 1.5 ms) and on 2x2 ones with 4/9 inside (3.4
// against 3.1 ms), still winning 4x4 'same' (25/36 inside: 2.6 against 3.0) and 1x1 'same' (1.6 against 3.4).
bool im2colIsFaster(const ConvShape& s, Isa isa) {
  const long pixels = static_cast<long>(s.outH) * s.outW;
  const double inside = productsInside(s);
  if (pixels < 16 && inside > 0.75) return true;
  return isa == Isa::Avx2 && ((pixels == 16 && inside > 0.75) || (pixels < 16 && inside > 0.25));
}

// `images` images of x from `source` into `padded` at the plan's pitches, with zeros around them.
void padImages(const ConvShape& s, const FilterPlan& plan, const float* source, long images, float* padded) {
  const long inRow = static_cast<long>(s.inW) * s.inC;
  const int team = teamSize(images);
  runTeam(team, [&](int member) {
    long first, last;
    shareOf(images, team, member, first, last);
    for (long n = first; n < last; n++) {
      float* image = padded + n * plan.imagePitch;
      std::memset(image, 0, sizeof(float) * plan.imagePitch);
      for (int h = 0; h < s.inH; h++) {
        std::memcpy(image + (static_cast<long>(h) + s.padTop) * plan.rowPitch + static_cast<long>(s.padLeft) * s.inC,
                    source + (n * s.inH + h) * inRow, sizeof(float) * inRow);
      }
    }
  });
}

// One call's work, shared by its team: each member owns a share of the tiles (and of the padding-only taps)
// for every chunk, so the members only wait for each other where a padded chunk has to be copied first.
struct FilterCall {
  const ConvShape& s;
  const FilterPlan& plan;
  const FilterWork& work;
  const float* dy;
  const float* tail;  // dy's last tailImages images, then zeros
  long tailImages;
  float* dw;
  int team;

  // Member `member`'s share over images [firstImage, firstImage + images), read from `input`.
  void runChunk(int member, const float* input, long firstImage, long images) const {
    long first, last;
    if (firstImage == 0) {
      const long tapFloats = static_cast<long>(s.inC) * s.outC;
      shareOf(static_cast<long>(work.zeroTaps.size()), team, member, first, last);
      for (long i = first; i < last; i++) std::memset(dw + work.zeroTaps[i] * s.outC, 0, sizeof(float) * tapFloats);
    }
    FilterPlan chunk = plan;
    chunk.tailFrom = s.batch - tailImages - firstImage;
    chunk.tail = tail;
    const float* gradient = dy + firstImage * s.outH * s.outW * static_cast<long>(s.outC);
    shareOf(static_cast<long>(work.tiles.size()), team, member, first, last);
    for (long i = first; i < last; i++) work.tiles[i].run(chunk, work.tiles[i], input, gradient, images, firstImage > 0, dw);
  }
};

// A padded copy of the whole batch up to this many floats (4 MiB: LeNet's first layer at batch 256 takes
// 1 MiB); beyond it (AlexNet's 227 px at batch 128 would take 79 MB) one chunk at a time, the team copying
// each chunk before its tiles read it.
constexpr long kPaddedFloats = 1L << 20;

}  // namespace

bool conv2dBackpropFilterDirect(const ConvShape& s, const float* x, const float* dy, float* dw) {
  const FilterIsa* isa = filterIsa();
  if (isa == nullptr || convAlgorithm() == ConvAlgorithm::Im2col || s.dilationH != 1 || s.dilationW != 1) return false;
  if (im2colIsFaster(s, isa->isa)) return false;
  // With fewer input channels than a tile has rows, tiles span whole window rows (kw x ci), which needs
  // every window whole: where the convolution pads, the input is copied with its padding.
  const bool windowRuns = s.inC < isa->rows;
  const int reachH = (s.outH - 1) * s.strideH + s.filterH;
  const int reachW = (s.outW - 1) * s.strideW + s.filterW;
  const bool copies = windowRuns && (s.padTop != 0 || s.padLeft != 0 || reachH > s.inH || reachW > s.inW);
  const long inImage = static_cast<long>(s.inH) * s.inW * s.inC;
  const long outImage = static_cast<long>(s.outH) * s.outW * s.outC;
  FilterPlan plan{inImage, static_cast<long>(s.inW) * s.inC, s.inC, s.strideH, s.strideW, s.outH, s.outW, s.outC, 0, nullptr};
  if (copies) {
    plan.rowPitch = static_cast<long>(std::max(reachW, s.padLeft + s.inW)) * s.inC;
    plan.imagePitch = std::max(reachH, s.padTop + s.inH) * plan.rowPitch + 16;
  }
  const FilterWork work = filterWork(s, *isa, windowRuns, copies ? s.padTop : 0, copies ? s.padLeft : 0);
  const long chunk = imagesPerChunk(s, *isa, plan.imagePitch + outImage);
  // A tile's last vector of channels is loaded whole (a masked load there made GCC keep the sums in memory,
  // 2.4x slower); past dy's last rows it reads a copy of them followed by zeros.
  const long tailImages = s.outC % isa->lanes == 0 ? 0 : std::min<long>(s.batch, 1 + (isa->lanes + outImage - 1) / outImage);
  thread_local std::vector<float> tailScratch, paddedScratch;
  tailScratch.assign(static_cast<size_t>(tailImages * outImage + isa->lanes), 0.f);
  std::memcpy(tailScratch.data(), dy + (s.batch - tailImages) * outImage, sizeof(float) * tailImages * outImage);
  const int team = teamSize(static_cast<long>(std::max(work.tiles.size(), work.zeroTaps.size())));
  const FilterCall call{s, plan, work, dy, tailScratch.data(), tailImages, dw, team};
  if (copies && s.batch * plan.imagePitch > kPaddedFloats) {
    paddedScratch.resize(static_cast<size_t>(chunk * plan.imagePitch));
    float* padded = paddedScratch.data();
    for (long firstImage = 0; firstImage < s.batch; firstImage += chunk) {
      const long images = std::min(chunk, s.batch - firstImage);
      padImages(s, plan, x + firstImage * inImage, images, padded);
      runTeam(team, [&](int member) { call.runChunk(member, padded, firstImage, images); });
    }
    return true;
  }
  const float* input = x;
  if (copies) {
    paddedScratch.resize(static_cast<size_t>(s.batch * plan.imagePitch));
    padImages(s, plan, x, s.batch, paddedScratch.data());
    input = paddedScratch.data();
  }
  runTeam(team, [&](int member) {
    for (long firstImage = 0; firstImage < s.batch; firstImage += chunk) {
      call.runChunk(member, input + firstImage * plan.imagePitch, firstImage, std::min(chunk, s.batch - firstImage));
    }
  });
  return true;
}

}  // namespace wb
