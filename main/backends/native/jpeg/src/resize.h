// Antialiased bilinear resize of 8-bit interleaved pixels: a triangle filter
// widened by the shrink factor when reducing (PIL's BILINEAR, libvips' linear
// reduce), plain bilinear with centres aligned when enlarging.
#pragma once
#include <cstdint>
#include <vector>

namespace wbjpeg {

struct ResizeScratch {
  std::vector<float> a, b;
};

// in: inH x inW x channels; out: outH x outW x channels. scratch is reused between calls.
void resizeLinear(const uint8_t* in, int inH, int inW, uint8_t* out, int outH, int outW, int channels,
                  ResizeScratch& scratch);

}  // namespace wbjpeg
