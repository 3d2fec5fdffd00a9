// Strided copies the wasm backend runs on one thread, element by element: slices (Concat's and PadV2's
// gradients, SplitV's outputs). Layouts are row-major (NHWC for images).
#pragma once

namespace wb {

constexpr int kMaxSliceRank = 6;

// y = x[begin[d] : begin[d] + size[d]] along every axis d of a rank-`rank` array of shape `shape`.
void sliceCopy(int rank, const int* shape, const int* begin, const int* size, const float* x, float* y);

}  // namespace wb
