// Node-API surface of the JPEG decoder: decodeBatch(buffers, out, dims, outcomes)
// and decodeFiles(paths, out, dims, outcomes) return a promise and read and
// decode on their own threads, off the JS thread. Image i lands at
// out[i * h * w * c]; outcomes[i] says whether it did (jpegDecode.h's
// Outcome); refused images are left for the caller (sharp) to decode.
#include <node_api.h>
#include <algorithm>
#include <atomic>
#include <string>
#include <thread>
#include <vector>
#include "asyncJob.h"
#include "fileProbe.h"
#include "jpegDecode.h"

namespace {

using wbjpeg::fail;

struct Batch : wbjpeg::AsyncJob {
  std::vector<std::string> paths;
  std::vector<const uint8_t*> data;
  std::vector<size_t> length;
  uint8_t* out = nullptr;
  uint8_t* outcomes = nullptr;
  wbjpeg::Target target{};
  int threads = 1;
  bool files = false;  // data holds NUL-terminated paths, not JPEG bytes
  long maxFileBytes = 0;
};

bool uint8View(napi_env env, napi_value value, uint8_t** data, size_t* length) {
  return wbjpeg::typedView(env, value, napi_uint8_array, data, length);
}

void execute(napi_env, void* hint) {
  Batch& batch = *static_cast<Batch*>(hint);
  const size_t count = batch.data.size();
  const size_t pixels = static_cast<size_t>(batch.target.height) * batch.target.width * batch.target.channels;
  std::atomic<size_t> next{0};
  auto worker = [&]() {
    wbjpeg::Scratch scratch;
    for (size_t i = next++; i < count; i = next++) {
      uint8_t* out = batch.out + i * pixels;
      batch.outcomes[i] = batch.files
          ? wbjpeg::decodeJpegFile(reinterpret_cast<const char*>(batch.data[i]), batch.maxFileBytes, batch.target, out, scratch)
          : wbjpeg::decodeJpeg(batch.data[i], batch.length[i], batch.target, out, scratch);
    }
  };
  wbjpeg::onThreads(static_cast<size_t>(batch.threads), worker);
}

napi_value readBatch(napi_env env, napi_value* args, Batch& batch) {
  bool isArray = false;
  napi_is_array(env, args[0], &isArray);
  if (!isArray) return fail(env, "buffers must be an array of Uint8Arrays");
  uint32_t count = 0;
  napi_get_array_length(env, args[0], &count);
  int32_t* d = nullptr;
  size_t dimsLength = 0;
  napi_typedarray_type type;
  void* raw = nullptr;
  bool typed = false;
  napi_is_typedarray(env, args[2], &typed);
  if (typed) napi_get_typedarray_info(env, args[2], &type, &dimsLength, &raw, nullptr, nullptr);
  const size_t dimsExpected = batch.files ? 6 : 5;
  if (!typed || type != napi_int32_array || dimsLength != dimsExpected) {
    return fail(env, batch.files ? "dims must be an Int32Array [height, width, channels, maxPixels, threads, maxFileBytes]"
                                 : "dims must be an Int32Array [height, width, channels, maxPixels, threads]");
  }
  d = static_cast<int32_t*>(raw);
  batch.target = {d[0], d[1], d[2], d[3]};
  if (batch.files) batch.maxFileBytes = d[5];
  if (d[0] < 1 || d[1] < 1 || (d[2] != 1 && d[2] != 3)) return fail(env, "target must be at least 1x1 with 1 or 3 channels");
  size_t outLength = 0, outcomesLength = 0;
  if (!uint8View(env, args[1], &batch.out, &outLength)) return fail(env, "out must be a Uint8Array");
  if (!uint8View(env, args[3], &batch.outcomes, &outcomesLength)) return fail(env, "outcomes must be a Uint8Array");
  const size_t pixels = static_cast<size_t>(d[0]) * d[1] * d[2];
  if (outLength != pixels * count) return fail(env, "out has " + std::to_string(outLength) + " bytes, expected " + std::to_string(pixels * count));
  if (outcomesLength != count) return fail(env, "outcomes must have one byte per buffer");
  for (uint32_t i = 0; i < count; i++) {
    napi_value item;
    napi_get_element(env, args[0], i, &item);
    uint8_t* data = nullptr;
    size_t length = 0;
    if (!uint8View(env, item, &data, &length)) return fail(env, "buffer " + std::to_string(i) + " is not a Uint8Array");
    if (batch.files) {
      // Paths are copied with a terminating NUL; one with a NUL inside cannot name a file.
      const std::string path(reinterpret_cast<char*>(data), length);
      if (path.find('\0') != std::string::npos) return fail(env, "path " + std::to_string(i) + " contains a NUL byte");
      batch.paths.push_back(path);
      continue;
    }
    batch.data.push_back(data);
    batch.length.push_back(length);
  }
  for (const std::string& path : batch.paths) {
    batch.data.push_back(reinterpret_cast<const uint8_t*>(path.c_str()));
    batch.length.push_back(path.size());
  }
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  batch.threads = std::max(1, std::min<int>({d[4] > 0 ? d[4] : cores, cores, static_cast<int>(std::max<uint32_t>(1, count))}));
  for (int a = 0; a < 4; a++) wbjpeg::keepAlive(env, batch, args[a]);
  return args[0];
}

napi_value queue(napi_env env, napi_callback_info info, bool files) {
  size_t argc = 4;
  napi_value args[4];
  napi_get_cb_info(env, info, &argc, args, nullptr, nullptr);
  if (argc < 4) return fail(env, files ? "decodeFiles(paths, out, dims, outcomes) takes 4 arguments" : "decodeBatch(buffers, out, dims, outcomes) takes 4 arguments");
  Batch* batch = new Batch();
  batch->files = files;
  if (!readBatch(env, args, *batch)) {
    wbjpeg::releaseKept(env, *batch);
    delete batch;
    return nullptr;
  }
  return wbjpeg::queueJob(env, batch, "workbench_jpeg", execute);
}

napi_value decodeBatch(napi_env env, napi_callback_info info) { return queue(env, info, false); }
napi_value decodeFiles(napi_env env, napi_callback_info info) { return queue(env, info, true); }

napi_value shrinkFactor(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value args[4];
  napi_get_cb_info(env, info, &argc, args, nullptr, nullptr);
  int32_t v[4] = {0, 0, 1, 1};
  for (size_t i = 0; i < argc && i < 4; i++) napi_get_value_int32(env, args[i], &v[i]);
  if (v[2] < 1 || v[3] < 1) return fail(env, "target must be at least 1x1");
  napi_value result;
  napi_create_int32(env, wbjpeg::shrinkOnLoad(v[0], v[1], v[2], v[3]), &result);
  return result;
}

napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"decodeBatch", nullptr, decodeBatch, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"decodeFiles", nullptr, decodeFiles, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"shrinkFactor", nullptr, shrinkFactor, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"probeFiles", nullptr, probeFiles, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, 4, props);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
