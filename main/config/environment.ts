/**
 * Every environment variable the app reads, each documented once here, and read only through
 * `environment()` (test/unit/config/environment.test.ts fails on a read elsewhere in main/ or
 * shared/, and on a variable the README's table leaves out).
 */
export const ENVIRONMENT_VARIABLES = {
  WORKBENCH_DATA_DIR: 'where runs, data sets and lessons are stored (default: the user data folder; `--data-dir` wins)',
  WORKBENCH_QUEUE: 'the Redis pool, `redis://[:password@]host:port` or `rediss://` (`--queue` wins)',
  WORKBENCH_QUEUE_FILE: 'a file whose first line is the pool URL, so the password stays off command lines',
  WORKBENCH_MAX_CONCURRENT_RUNS: 'how many runs train on this machine at once (default 1)',
  WORKBENCH_LESSON_CAP: 'caps every lesson run, e.g. `epochs:1,limit:200` (tests, a quick look; the verdict then says the settings changed)',
  WORKBENCH_BLAS: 'the BLAS library the native kernels load (a path), instead of the first one found',
  WORKBENCH_NATIVE_KERNELS: 'the compiled native kernels to load, instead of `main/backends/native/build/Release/workbench_kernels.node`',
  WORKBENCH_NATIVE_JPEG: "the compiled JPEG decoder to load, instead of `main/backends/native/jpeg/build/Release/workbench_jpeg.node`; `off`: every image through sharp",
  WORKBENCH_WINOGRAD: "`off`: the compiled inference plan runs its stride-1 3x3 convolutions with the direct kernel instead of Winograd F(2x2, 3x3) (to compare)",
  WORKBENCH_NATIVE_ISA: "caps the native kernels' instruction set: `avx2` (what AVX2-only CPUs run, on an AVX-512 one) or `generic` (im2col + BLAS, as on ARM and Apple); default the CPU's widest",
  WORKBENCH_DAWN_FLAGS: 'toggles for Dawn when the webgpu rung starts, separated by spaces',
  WORKBENCH_WEBGPU_ALLOW_SOFTWARE: '`1`: `auto` may take a software WebGPU adapter (lavapipe), which it skips otherwise',
  WORKBENCH_WEBGPU_DATA: '`cpu`: keep the CPU input pipeline on the webgpu rung',
  WORKBENCH_WEBGPU_DATA_FAULT: '`1`: break the GPU batch gather (tests of the fallback)',
  WORKBENCH_WEBGPU_FAULT: 'a simulated WebGPU device loss (tests; see `main/backends/webgpu/deviceHealth.ts`)',
  WORKBENCH_WEBGPU_KERNEL_FAULT: 'the name of a WGSL kernel to break on purpose (tests of the kernel suites)',
  ELECTRON_RENDERER_URL: "electron-vite's dev server, when `electron-vite dev` runs the app",
  ELECTRON_SKIP_BINARY_DOWNLOAD: "`1`: the postinstall does not try to download Electron's binary",
  OMP_WAIT_POLICY: "OpenMP's waiting between kernel calls: the inference worker sets `passive` unless it is set (its kernel threads then sleep between drops instead of spinning on a core that decoding needs)",
  UV_THREADPOOL_SIZE: "libuv's thread pool, where file reads and image decodes run; the app sets it to the cores (at least 4) for its worker processes",
  LD_LIBRARY_PATH: 'where the system doctor also looks for CUDA and cuDNN libraries',
  APPDATA: 'Windows: the data folder goes under it (`CNN Workbench`)',
  XDG_DATA_HOME: 'Linux: the data folder goes under it (`cnn-workbench`; default `~/.local/share`)',
  npm_config_node_gyp: "npm's own node-gyp, used to build the native kernels when set",
} as const
export type EnvironmentVariable = keyof typeof ENVIRONMENT_VARIABLES

/** One variable's value; `env` for tests that pass their own. */
export function environment(name: EnvironmentVariable, env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env[name]
}

/** Variables the app sets for the libraries it loads (OpenBLAS, OpenMP), before they start. */
export const LIBRARY_THREAD_VARIABLES = ['OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS'] as const

export function setLibraryThreads(threads: number): void {
  for (const name of LIBRARY_THREAD_VARIABLES) process.env[name] = String(threads)
}

/**
 * For a process that answers one request at a time (the inference worker): OpenMP's threads sleep when a
 * kernel ends instead of spinning for milliseconds (libgomp's default), which took the cores that the next
 * step (decoding, the JS preparing a digit) needed: one dropped digit p50 20-26 -> 64 ms and a ResNet drop
 * 20-24 -> 168 ms with another process busy. Must run before the native kernels load (libgomp reads it
 * then); a value the user set wins.
 */
export function preferPassiveLibraryWaiting(): void {
  if (!environment('OMP_WAIT_POLICY')) process.env.OMP_WAIT_POLICY = 'passive'
}
