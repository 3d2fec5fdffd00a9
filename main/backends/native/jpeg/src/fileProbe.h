// A folder scan's per-file check (size and first bytes) for many files at once.
#pragma once
#include <node_api.h>

napi_value probeFiles(napi_env env, napi_callback_info info);
