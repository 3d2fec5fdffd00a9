import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/**
 * The arguments tfjs hands to every kernel. `backend` is typed `{}` by tfjs
 * because the registry is backend-agnostic; kernels registered for 'wasm'
 * always receive a BackendWasm, hence the narrowing in `asWasmBackend`.
 */
export interface KernelArgs {
  inputs: tf.NamedTensorInfoMap;
  backend: object;
  attrs?: tf.NamedAttrMap;
}

export function asWasmBackend(backend: object): BackendWasm {
  // tfjs-core types the backend as `{}`; the registry only calls these kernels
  // with the wasm backend they were registered for.
  return backend as BackendWasm;
}

/** A tensor the wasm heap (4 GiB at most) had no room for; its message says what to do. */
export class WasmOutOfMemoryError extends Error {
  constructor() {
    super('the wasm backend ran out of memory (a wasm heap holds at most 4 GiB): lower the batch size or the input size');
    this.name = 'WasmOutOfMemoryError';
  }
}

/**
 * Float32 view of a tensor's storage inside the wasm heap (no copy).
 * Must be (re)created after every allocation: a heap growth detaches the
 * previous ArrayBuffer, so take all views only after `makeOutput` calls.
 */
export function heapF32(backend: BackendWasm, t: tf.TensorInfo): Float32Array {
  if (t.dtype !== 'float32') {
    throw new Error(`wasm gradient kernel: expected float32 tensor, got ${t.dtype}`);
  }
  const view = backend.typedArrayFromHeap(t) as Float32Array;
  // wasm's malloc answers a failed allocation with address 0; writing there would corrupt the heap.
  if (view.byteOffset === 0 && view.length > 0) {
    throw new WasmOutOfMemoryError();
  }
  return view;
}

/** Calls another registered wasm kernel directly (bypassing the engine/tape). */
export function callWasmKernel(
  kernelName: string,
  backend: BackendWasm,
  inputs: tf.NamedTensorInfoMap,
  attrs: tf.NamedAttrMap = {},
): tf.TensorInfo {
  const config = tf.getKernel(kernelName, 'wasm');
  if (config == null) {
    throw new Error(`wasm kernel ${kernelName} is not registered`);
  }
  const out = config.kernelFunc({ inputs, backend, attrs });
  if (Array.isArray(out)) {
    throw new Error(`wasm kernel ${kernelName} returned several outputs`);
  }
  return out;
}

export function disposeIntermediate(backend: BackendWasm, t: tf.TensorInfo): void {
  backend.disposeData(t.dataId);
}

/**
 * Upstream wasm kernels we replaced but still delegate to for cases our
 * version does not cover. Filled by registerWasmGradientKernels.
 */
const upstreamKernels = new Map<string, tf.KernelConfig>();

export function rememberUpstreamKernel(config: tf.KernelConfig): void {
  upstreamKernels.set(config.kernelName, config);
}

export function getUpstreamKernel(kernelName: string): tf.KernelConfig | undefined {
  return upstreamKernels.get(kernelName);
}

export function callUpstreamKernel(kernelName: string, args: KernelArgs): tf.TensorInfo {
  const config = upstreamKernels.get(kernelName);
  if (config == null) {
    throw new Error(`no upstream wasm kernel ${kernelName} to fall back to`);
  }
  const out = config.kernelFunc(args);
  if (Array.isArray(out)) {
    throw new Error(`wasm kernel ${kernelName} returned several outputs`);
  }
  return out;
}

/** A required kernel input (tfjs types every input of a kernel as optional). */
export function kernelInput(args: KernelArgs, name: string): tf.TensorInfo {
  const t = args.inputs[name];
  if (t == null) throw new Error(`wasm kernel: missing input '${name}'`);
  return t;
}

/** The wasm heap's float index of a tensor's buffer, or undefined where a native pass cannot use it (`written`: it would change it in place). */
export function heapOffset(tensor: tf.Tensor, written: boolean): number | undefined {
  if (tensor.dtype !== 'float32' || tensor.isDisposed) return undefined;
  const backend = asWasmBackend(tf.engine().backend) as unknown as {
    dataIdMap: { get(id: object): { memoryOffset: number | null } | undefined };
    refCount(id: object): number;
  };
  const data = backend.dataIdMap.get(tensor.dataId);
  if (!data || data.memoryOffset == null || data.memoryOffset % 4 !== 0) return undefined;
  // A buffer another tensor shares (a clone, a variable made from a tensor still alive, the loss scaler's
  // copy kept to undo a step) must not change under it: tfjs's path gives the variable a new buffer instead.
  if (written && backend.refCount(tensor.dataId) !== 1) return undefined;
  return data.memoryOffset / 4;
}
