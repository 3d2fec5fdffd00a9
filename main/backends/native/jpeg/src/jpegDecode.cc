#include "jpegDecode.h"
#include <csetjmp>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <jpeglib.h>
#include <sys/stat.h>
#include <unistd.h>
#include "resize.h"

namespace wbjpeg {
namespace {

// libjpeg's default error_exit calls exit(): ours jumps back instead, and any
// warning (corrupt data it would paper over) counts as a failure, as sharp's failOn: 'warning' does.
struct ErrorManager {
  jpeg_error_mgr base;
  jmp_buf jump;
  bool warned;
};

void onError(j_common_ptr info) { longjmp(reinterpret_cast<ErrorManager*>(info->err)->jump, 1); }

void onMessage(j_common_ptr info, int level) {
  if (level < 0) reinterpret_cast<ErrorManager*>(info->err)->warned = true;
}

void silent(j_common_ptr) {}

uint16_t read16(const uint8_t* p, bool little) { return little ? p[0] | (p[1] << 8) : (p[0] << 8) | p[1]; }
uint32_t read32(const uint8_t* p, bool little) {
  return little ? p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<uint32_t>(p[3]) << 24)
                : (static_cast<uint32_t>(p[0]) << 24) | (p[1] << 16) | (p[2] << 8) | p[3];
}

// The EXIF orientation in an APP1 payload: 1 when absent; 0 when the block is unreadable (sharp decides).
int exifOrientation(const uint8_t* p, size_t n) {
  if (n < 14 || std::memcmp(p, "Exif\0\0", 6) != 0) return 1;
  const uint8_t* tiff = p + 6;
  const size_t size = n - 6;
  const bool little = tiff[0] == 'I' && tiff[1] == 'I';
  if (!little && !(tiff[0] == 'M' && tiff[1] == 'M')) return 0;
  const uint32_t ifd = read32(tiff + 4, little);
  if (ifd + 2 > size) return 0;
  const int entries = read16(tiff + ifd, little);
  for (int i = 0; i < entries; i++) {
    const size_t at = ifd + 2 + static_cast<size_t>(i) * 12;
    if (at + 12 > size) return 0;
    if (read16(tiff + at, little) == 0x0112) return read16(tiff + at + 8, little);
  }
  return 1;
}

Outcome checkMarkers(jpeg_decompress_struct& info) {
  for (jpeg_saved_marker_ptr m = info.marker_list; m; m = m->next) {
    if (m->marker == JPEG_APP0 + 1 && exifOrientation(m->data, m->data_length) != 1) return Oriented;
    if (m->marker == JPEG_APP0 + 2 && m->data_length >= 12 && std::memcmp(m->data, "ICC_PROFILE\0", 12) == 0) {
      return IccProfile;
    }
  }
  return Decoded;
}

// libvips' sRGB -> B_W for 8-bit sRGB: luminance in linear light (Rec. 709 weights), gamma-encoded back.
struct LumaTables {
  float toLinear[256];
  float toSrgb[4097];
  LumaTables() {
    for (int i = 0; i < 256; i++) {
      const double f = i / 255.0;
      toLinear[i] = static_cast<float>(f <= 0.04045 ? f / 12.92 : std::pow((f + 0.055) / 1.055, 2.4));
    }
    for (int i = 0; i <= 4096; i++) {
      const double y = i / 4096.0;
      toSrgb[i] = static_cast<float>(255.0 * (y <= 0.0031308 ? 12.92 * y : 1.055 * std::pow(y, 1 / 2.4) - 0.055));
    }
  }
};
const LumaTables luma;

void rgbToGrey(const uint8_t* rgb, uint8_t* grey, size_t pixels) {
  for (size_t i = 0; i < pixels; i++, rgb += 3) {
    float y = 0.2126f * luma.toLinear[rgb[0]] + 0.7152f * luma.toLinear[rgb[1]] + 0.0722f * luma.toLinear[rgb[2]];
    y = std::min(1.f, std::max(0.f, y)) * 4096.f;
    const int at = std::min(4095, static_cast<int>(y));
    const float v = luma.toSrgb[at] + (luma.toSrgb[at + 1] - luma.toSrgb[at]) * (y - at);
    grey[i] = static_cast<uint8_t>(std::lrint(v));
  }
}

}  // namespace

int shrinkOnLoad(int width, int height, int targetWidth, int targetHeight) {
  // sharp's rule (pipeline.cc, fastShrinkOnLoad): the largest of 8, 4, 2 not above the smaller shrink,
  // halved when the shrink's whole part equals it (libjpeg's rounding).
  const double shrink = std::min(static_cast<double>(width) / targetWidth, static_cast<double>(height) / targetHeight);
  int factor = shrink >= 8 ? 8 : shrink >= 4 ? 4 : shrink >= 2 ? 2 : 1;
  if (factor > 1 && static_cast<int>(shrink) == factor) factor /= 2;
  return factor;
}

Outcome decodeJpeg(const uint8_t* data, size_t length, const Target& target, uint8_t* out, Scratch& scratch) {
  jpeg_decompress_struct info;
  ErrorManager errors;
  info.err = jpeg_std_error(&errors.base);
  errors.base.error_exit = onError;
  errors.base.emit_message = onMessage;
  errors.base.output_message = silent;
  errors.warned = false;
  // Nothing below declares an object with a destructor: longjmp skips none.
  if (setjmp(errors.jump)) {
    jpeg_destroy_decompress(&info);
    return LibjpegWarningOrError;
  }
  jpeg_create_decompress(&info);
  jpeg_mem_src(&info, data, static_cast<unsigned long>(length));
  jpeg_save_markers(&info, JPEG_APP0 + 1, 0xffff);
  jpeg_save_markers(&info, JPEG_APP0 + 2, 0xffff);
  jpeg_read_header(&info, TRUE);
  Outcome refused = Decoded;
  const bool grey = info.num_components == 1 && info.jpeg_color_space == JCS_GRAYSCALE;
  const bool ycc = info.num_components == 3 && info.jpeg_color_space == JCS_YCbCr;
  if (!grey && !ycc) refused = ColourSpace;
  else if (static_cast<long>(info.image_width) * info.image_height > target.maxPixels) refused = TooLarge;
  else refused = checkMarkers(info);
  if (refused != Decoded || errors.warned) {
    jpeg_destroy_decompress(&info);
    return refused != Decoded ? refused : LibjpegWarningOrError;
  }
  info.scale_num = 1;
  info.scale_denom = shrinkOnLoad(info.image_width, info.image_height, target.width, target.height);
  info.out_color_space = grey ? JCS_GRAYSCALE : JCS_RGB;
  jpeg_start_decompress(&info);
  // libjpeg rounds a scaled size up (477 rows at 1/2: 239); libvips keeps the whole rows and columns
  // (238), and so do we. All rows are still decoded, so that damage anywhere is seen.
  const int comps = info.output_components;
  const int w = std::max(1, static_cast<int>(info.image_width / info.scale_denom));
  const int h = std::max(1, static_cast<int>(info.image_height / info.scale_denom));
  scratch.decoded.resize(static_cast<size_t>(info.output_width) * info.output_height * comps);
  while (info.output_scanline < info.output_height) {
    JSAMPROW row = &scratch.decoded[static_cast<size_t>(info.output_scanline) * info.output_width * comps];
    jpeg_read_scanlines(&info, &row, 1);
  }
  if (w != static_cast<int>(info.output_width)) {
    const size_t from = static_cast<size_t>(info.output_width) * comps, to = static_cast<size_t>(w) * comps;
    for (int y = 1; y < h; y++) std::memmove(&scratch.decoded[y * to], &scratch.decoded[y * from], to);
  }
  jpeg_finish_decompress(&info);
  const bool warned = errors.warned;
  jpeg_destroy_decompress(&info);
  if (warned) return LibjpegWarningOrError;
  const uint8_t* pixels = scratch.decoded.data();
  int channels = comps;
  if (comps == 3 && target.channels == 1) {
    scratch.grey.resize(static_cast<size_t>(w) * h);
    rgbToGrey(pixels, scratch.grey.data(), static_cast<size_t>(w) * h);
    pixels = scratch.grey.data();
    channels = 1;
  }
  if (channels == target.channels) {
    resizeLinear(pixels, h, w, out, target.height, target.width, channels, scratch.resize);
    return Decoded;
  }
  // Grey source, three channels wanted: resize once, then copy the band (what sharp's sRGB output does).
  scratch.grey.resize(static_cast<size_t>(target.height) * target.width);
  resizeLinear(pixels, h, w, scratch.grey.data(), target.height, target.width, 1, scratch.resize);
  for (size_t i = 0; i < scratch.grey.size(); i++) out[3 * i] = out[3 * i + 1] = out[3 * i + 2] = scratch.grey[i];
  return Decoded;
}

Outcome decodeJpegFile(const char* path, long maxFileBytes, const Target& target, uint8_t* out, Scratch& scratch) {
  const int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return NotReadHere;
  struct stat info;
  if (fstat(fd, &info) != 0 || !S_ISREG(info.st_mode) || info.st_size < 3 || info.st_size > maxFileBytes) {
    close(fd);
    return NotReadHere;
  }
  // One byte more than the size: a file that grew since is left to the caller, which checks the limit.
  scratch.file.resize(static_cast<size_t>(info.st_size) + 1);
  size_t total = 0;
  for (;;) {
    const ssize_t got = read(fd, scratch.file.data() + total, scratch.file.size() - total);
    if (got < 0) {
      close(fd);
      return NotReadHere;
    }
    if (got == 0 || (total += static_cast<size_t>(got)) == scratch.file.size()) break;
  }
  close(fd);
  const uint8_t* d = scratch.file.data();
  if (total != static_cast<size_t>(info.st_size) || d[0] != 0xff || d[1] != 0xd8 || d[2] != 0xff) return NotReadHere;
  return decodeJpeg(d, total, target, out, scratch);
}

}  // namespace wbjpeg
