// One JPEG buffer decoded straight to a target size and channel count, or
// refused with a reason so that the caller decodes it another way (sharp).
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>
#include "resize.h"

namespace wbjpeg {

// Why an image was not decoded here; the order is the codes' meaning in JS (jpegFastPath.ts).
enum Outcome : uint8_t {
  Decoded = 0,
  LibjpegWarningOrError = 1,  // corrupt, truncated or unsupported data: sharp gives the reason
  Oriented = 2,               // EXIF orientation other than 1: sharp rotates it
  IccProfile = 3,             // an embedded profile: sharp converts it to sRGB
  ColourSpace = 4,            // not 8-bit greyscale or YCbCr (CMYK, YCCK, Adobe RGB transform, 12-bit)
  TooLarge = 5,               // more pixels than the limit: sharp refuses it with its message
  NotReadHere = 6,            // decodeJpegFile: not a regular JPEG file within the size limit, or unreadable
};

struct Target {
  int height;
  int width;
  int channels;  // 1 or 3
  long maxPixels;
};

// Per-thread buffers reused from image to image.
struct Scratch {
  std::vector<uint8_t> decoded;
  std::vector<uint8_t> grey;
  std::vector<uint8_t> file;
  ResizeScratch resize;
};

// The scale_denom sharp's shrink-on-load picks for this size (1, 2, 4 or 8).
int shrinkOnLoad(int width, int height, int targetWidth, int targetHeight);

Outcome decodeJpeg(const uint8_t* data, size_t length, const Target& target, uint8_t* out, Scratch& scratch);

// Reads a file (never blocking on a FIFO: opened non-blocking, checked regular on the handle) and decodes
// it when it is a JPEG of at most maxFileBytes; NotReadHere otherwise, for the caller to read it itself.
Outcome decodeJpegFile(const char* path, long maxFileBytes, const Target& target, uint8_t* out, Scratch& scratch);

}  // namespace wbjpeg
