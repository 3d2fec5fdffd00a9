import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-cpu'
import { BACKEND_NAMES, type BackendChoice, type BackendName, type BackendReport } from '../../shared/api/schemas'
import { selfTestBackend } from './backendSelfTest'
import { loadNativeKernels } from './native/nativeKernels'
import { setWasmBlasKernels } from './native/wasmBlasKernels'
import { initWasmBackend } from './wasm/initWasmBackend'

export interface LoadedRung {
  tfName: string
  detail?: string
}

/** Loads a rung and returns the tfjs backend name it registered (and what it runs on). Throws with a reason when it cannot. */
export type RungLoader = () => Promise<string | LoadedRung>

async function importNative(packageName: string): Promise<string> {
  try {
    // A variable specifier keeps bundlers from resolving these optional packages at build time.
    await import(/* @vite-ignore */ packageName)
  } catch (error) {
    const message = (error as Error).message.split('\n')[0]
    if (/Cannot find (module|package)/.test(message) && message.includes(packageName)) {
      throw new Error(
        `${packageName} is not installed (its libtensorflow download needs internet at install time; see README "Native backends")`,
      )
    }
    throw new Error(`${packageName} failed to load: ${message}`)
  }
  return 'tensorflow'
}

export const defaultRungLoaders: Record<BackendName, RungLoader> = {
  'tensorflow-gpu': () => importNative('@tensorflow/tfjs-node-gpu'),
  tensorflow: () => importNative('@tensorflow/tfjs-node'),
  'wasm-blas': async () => {
    const native = loadNativeKernels()
    await initWasmBackend()
    setWasmBlasKernels(native)
    return {
      tfName: 'wasm',
      detail: `convolutions, matrix products, batch norm and pooling gradients on native kernels over ${native.blasConfig} (${native.blasPath}), ${native.threads} threads`,
    }
  },
  wasm: async () => {
    await initWasmBackend()
    // The same tfjs backend as wasm-blas: make sure a higher rung's native kernels are off.
    setWasmBlasKernels(null)
    return 'wasm'
  },
  cpu: async () => 'cpu',
}

export class NoBackendError extends Error {
  constructor(readonly skipped: BackendReport['skipped']) {
    super(`no TensorFlow.js backend could be used: ${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')}`)
    this.name = 'NoBackendError'
  }
}

/**
 * Walks the ladder from the best rung down (or tries only the forced one) and keeps every reason a
 * higher rung was passed over: silent fallback to a slow CPU backend is what users of tfjs-node-gpu dread.
 */
export async function selectBackend(
  choice: BackendChoice,
  loaders: Record<BackendName, RungLoader> = defaultRungLoaders,
): Promise<BackendReport> {
  // PROD silences tfjs's console banners and debug checks; our own reporting says which backend runs.
  tf.env().set('PROD', true)
  const skipped: BackendReport['skipped'] = []
  for (const name of BACKEND_NAMES) {
    if (choice !== 'auto' && choice !== name) {
      if (BACKEND_NAMES.indexOf(name) < BACKEND_NAMES.indexOf(choice)) {
        skipped.push({ name, reason: `not tried: backend forced to ${choice}` })
      }
      continue
    }
    try {
      const loaded = await loaders[name]()
      const { tfName, detail } = typeof loaded === 'string' ? { tfName: loaded, detail: undefined } : loaded
      const test = await selfTestBackend(tfName)
      if (!test.ok) throw new Error(`failed its self-test against cpu (max relative error ${test.maxError.toExponential(2)})`)
      await tf.setBackend(tfName)
      await tf.ready()
      return { name, skipped, selfTestMs: test.ms, ...(detail ? { detail } : {}) }
    } catch (error) {
      skipped.push({ name, reason: (error as Error).message })
      if (choice !== 'auto') break
    }
  }
  throw new NoBackendError(skipped)
}
