import * as tf from '@tensorflow/tfjs-core';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import path from 'node:path';
import { registerWasmGradientKernels } from './registerWasmGradientKernels';

/** Folder holding the tfjs-backend-wasm binaries, with a trailing separator. */
export function wasmBinaryDir(): string {
  const require = createRequire(import.meta.url);
  // Resolving a binary (not the package entry) gives the dist folder whether
  // the bundler picked the node (CJS) or the ESM build of the package.
  const simdBinary = require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm');
  return path.dirname(simdBinary) + path.sep;
}

/**
 * Makes 'wasm' the active tfjs backend with our gradient kernels installed.
 * Node gets the single-threaded SIMD binary: tfjs reports no wasm thread
 * support under Node, and SIMD support is feature-detected.
 */
export async function initWasmBackend(): Promise<void> {
  registerWasmGradientKernels();
  if (tf.getBackend() === 'wasm') return;
  let dir = '(unresolved)';
  try {
    dir = wasmBinaryDir();
    setWasmPaths(dir);
    const ok = await tf.setBackend('wasm');
    await tf.ready();
    if (!ok || tf.getBackend() !== 'wasm') throw new Error('tf.setBackend("wasm") returned false');
  } catch (err) {
    // The emscripten loader rejects with a plain {message} object, not an Error.
    const detail =
      err instanceof Error ? err.message : typeof err === 'object' && err !== null && 'message' in err ? String(err.message) : String(err);
    throw new Error(`Failed to initialise the tfjs wasm backend (binaries in ${dir}): ${detail}`);
  }
}
