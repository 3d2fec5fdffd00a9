#include "copyKernels.h"
#include <cstring>
#include "parallelTeam.h"

namespace wb {

// Copies from the first axis that is cut onwards run as contiguous blocks: the trailing axes a slice keeps
// whole belong to the block, so a channel slice of NHWC images copies one run per pixel and a spatial one
// one run per kept row. Blocks are shared over the team when there are enough floats to pay for it.
void sliceCopy(int rank, const int* shape, const int* begin, const int* size, const float* x, float* y) {
  long stride[kMaxSliceRank];
  long total = 1;
  for (int d = rank - 1; d >= 0; d--) {
    stride[d] = total;
    total *= shape[d];
  }
  // The block: axes [inner, rank) with every axis after `inner` whole.
  int inner = rank - 1;
  while (inner > 0 && size[inner] == shape[inner] && begin[inner] == 0) inner--;
  const long block = static_cast<long>(size[inner]) * stride[inner];
  long blocks = 1;
  for (int d = 0; d < inner; d++) blocks *= size[d];
  if (blocks == 0 || block == 0) return;
  const long base = static_cast<long>(begin[inner]) * stride[inner];
  const int team = teamSize(blocks * block / (1L << 16) + 1);
  runTeam(team, [&](int member) {
    long first, last;
    shareOf(blocks, team, member, first, last);
    for (long b = first; b < last; b++) {
      // The block's position along the outer axes, last axis fastest.
      long rest = b, offset = base;
      for (int d = inner - 1; d >= 0; d--) {
        const long index = rest % size[d];
        rest /= size[d];
        offset += (begin[d] + index) * stride[d];
      }
      std::memcpy(y + b * block, x + offset, sizeof(float) * block);
    }
  });
}

}  // namespace wb
