// probeFiles(paths, heads, sizes, ok): for a folder scan, each path's size and
// first bytes, read on a few threads off the JS thread, for regular files only
// (opened non-blocking, checked on the handle). ok[i] = 0 leaves the file to
// the caller's own checks, which word the reason (a FIFO, an unreadable file).
#include "fileProbe.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <algorithm>
#include <atomic>
#include <string>
#include <thread>
#include <vector>
#include "asyncJob.h"

namespace {

using wbjpeg::fail;
using wbjpeg::typedView;

struct Probe : wbjpeg::AsyncJob {
  std::vector<std::string> paths;
  uint8_t* heads = nullptr;
  size_t headBytes = 0;
  double* sizes = nullptr;
  uint8_t* ok = nullptr;
};

bool probeOne(const std::string& path, uint8_t* head, size_t headBytes, double* size) {
  const int fd = open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return false;
  struct stat info;
  bool ok = fstat(fd, &info) == 0 && S_ISREG(info.st_mode);
  if (ok) {
    *size = static_cast<double>(info.st_size);
    const size_t want = std::min(headBytes, static_cast<size_t>(info.st_size));
    ok = want == 0 || pread(fd, head, want, 0) == static_cast<ssize_t>(want);
  }
  close(fd);
  return ok;
}

void execute(napi_env, void* hint) {
  Probe& p = *static_cast<Probe*>(hint);
  std::atomic<size_t> next{0};
  auto worker = [&]() {
    for (size_t i = next++; i < p.paths.size(); i = next++) {
      p.ok[i] = probeOne(p.paths[i], p.heads + i * p.headBytes, p.headBytes, &p.sizes[i]) ? 1 : 0;
    }
  };
  // I/O-bound: more threads than cores keep the disk busy.
  wbjpeg::onThreads(std::min<size_t>(p.paths.size(), 8), worker);
}

}  // namespace

napi_value probeFiles(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value args[4];
  napi_get_cb_info(env, info, &argc, args, nullptr, nullptr);
  if (argc < 4) return fail(env, "probeFiles(paths, heads, sizes, ok) takes 4 arguments");
  bool isArray = false;
  napi_is_array(env, args[0], &isArray);
  if (!isArray) return fail(env, "paths must be an array of Uint8Arrays");
  uint32_t count = 0;
  napi_get_array_length(env, args[0], &count);
  Probe probe;
  size_t headsLength = 0, sizesLength = 0, okLength = 0;
  if (!typedView(env, args[1], napi_uint8_array, &probe.heads, &headsLength) || (count && headsLength % count)) {
    return fail(env, "heads must be a Uint8Array of the same bytes per path");
  }
  if (!typedView(env, args[2], napi_float64_array, &probe.sizes, &sizesLength) || sizesLength != count) return fail(env, "sizes must be a Float64Array, one per path");
  if (!typedView(env, args[3], napi_uint8_array, &probe.ok, &okLength) || okLength != count) return fail(env, "ok must be a Uint8Array, one per path");
  probe.headBytes = count ? headsLength / count : 0;
  for (uint32_t i = 0; i < count; i++) {
    napi_value item;
    napi_get_element(env, args[0], i, &item);
    uint8_t* data = nullptr;
    size_t length = 0;
    if (!typedView(env, item, napi_uint8_array, &data, &length)) return fail(env, "path " + std::to_string(i) + " is not a Uint8Array");
    probe.paths.emplace_back(reinterpret_cast<char*>(data), length);
    if (probe.paths.back().find('\0') != std::string::npos) return fail(env, "path " + std::to_string(i) + " contains a NUL byte");
  }
  Probe* p = new Probe(std::move(probe));
  for (int a = 1; a < 4; a++) wbjpeg::keepAlive(env, *p, args[a]);
  return wbjpeg::queueJob(env, p, "workbench_probe", execute);
}
