// What the decoder's promise-returning calls share: the job a call queues (its promise, its async work and
// the JS arrays it keeps alive until done), argument views and errors, and the threads a job runs on.
#pragma once
#include <node_api.h>
#include <string>
#include <thread>
#include <vector>

namespace wbjpeg {

struct AsyncJob {
  napi_async_work work = nullptr;
  napi_deferred deferred = nullptr;
  std::vector<napi_ref> keep;  // the arrays the threads read and write stay alive until the job is done
};

inline napi_value fail(napi_env env, const std::string& message) {
  napi_throw_error(env, "ERR_WORKBENCH_JPEG", message.c_str());
  return nullptr;
}

// The data of a typed array of type `want`; false for anything else.
template <typename T>
bool typedView(napi_env env, napi_value value, napi_typedarray_type want, T** data, size_t* length) {
  bool typed = false;
  napi_is_typedarray(env, value, &typed);
  if (!typed) return false;
  napi_typedarray_type type;
  void* raw = nullptr;
  napi_get_typedarray_info(env, value, &type, length, &raw, nullptr, nullptr);
  *data = static_cast<T*>(raw);
  return type == want;
}

inline void keepAlive(napi_env env, AsyncJob& job, napi_value value) {
  napi_ref ref;
  napi_create_reference(env, value, 1, &ref);
  job.keep.push_back(ref);
}

inline void releaseKept(napi_env env, AsyncJob& job) {
  for (napi_ref ref : job.keep) napi_delete_reference(env, ref);
  job.keep.clear();
}

// worker() on `threads` threads, the calling one (a libuv pool thread) included.
template <typename Worker>
void onThreads(size_t threads, Worker worker) {
  std::vector<std::thread> team;
  for (size_t t = 1; t < threads; t++) team.emplace_back(worker);
  worker();
  for (std::thread& member : team) member.join();
}

template <typename Job>
void completeJob(napi_env env, napi_status, void* hint) {
  Job* job = static_cast<Job*>(hint);
  napi_value undefined;
  napi_get_undefined(env, &undefined);
  napi_resolve_deferred(env, job->deferred, undefined);
  releaseKept(env, *job);
  napi_delete_async_work(env, job->work);
  delete job;
}

// Queues `job` (owned from here on): `execute` runs off the JS thread, the promise resolves when it is done.
template <typename Job>
napi_value queueJob(napi_env env, Job* job, const char* name, napi_async_execute_callback execute) {
  napi_value promise, resource;
  napi_create_promise(env, &job->deferred, &promise);
  napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &resource);
  napi_create_async_work(env, nullptr, resource, execute, completeJob<Job>, job, &job->work);
  napi_queue_async_work(env, job->work);
  return promise;
}

}  // namespace wbjpeg
