import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-cpu'
import { BACKEND_NAMES, type BackendChoice, type BackendName, type BackendReport } from '../../shared/api/schemas'
import { selfTestBackend } from './backendSelfTest'
import { loadNativeKernels } from './native/nativeKernels'
import { setWasmBlasKernels } from './native/wasmBlasKernels'
import { initWasmBackend } from './wasm/initWasmBackend'
import { loadWebGpuRung, webgpuReport } from './webgpu/webgpuRung'

export interface LoadedRung {
  tfName: string
  detail?: string
}

export interface RungContext {
  /** The user asked for this rung by name: it is used even where `auto` would pass it over (a software GPU). */
  forced: boolean
}

/** Loads a rung and returns the tfjs backend name it registered (and what it runs on). Throws with a reason when it cannot. */
export type RungLoader = (context: RungContext) => Promise<string | LoadedRung>

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
    // Installed without its install script having run (npm --ignore-scripts, or a download that never
    // happened): the package is there, its native binding and libtensorflow are not.
    if (/native addon module \(tfjs_binding\.node\) can not be found/.test(message)) {
      throw new Error(
        `${packageName} is installed but its native part is missing (its install script, which downloads libtensorflow and needs internet, did not run): run \`npm rebuild ${packageName} --foreground-scripts\``,
      )
    }
    throw new Error(`${packageName} failed to load: ${message}`)
  }
  return 'tensorflow'
}

/** The instruction set the native kernels use, and why when it is less than the CPU's. */
function isaText(native: { isa: string; cpuIsa: string }): string {
  return native.isa === native.cpuIsa ? native.isa : `${native.isa}, capped by WORKBENCH_NATIVE_ISA on a CPU with ${native.cpuIsa}`
}

export const defaultRungLoaders: Record<BackendName, RungLoader> = {
  'tensorflow-gpu': () => importNative('@tensorflow/tfjs-node-gpu'),
  webgpu: (context) => loadWebGpuRung(context),
  tensorflow: () => importNative('@tensorflow/tfjs-node'),
  'wasm-blas': async () => {
    const native = loadNativeKernels()
    await initWasmBackend()
    setWasmBlasKernels(native)
    return {
      tfName: 'wasm',
      detail: `convolutions, matrix products, batch norm and pooling gradients on native kernels (${isaText(native)}) over ${native.blasConfig} (${native.blasPath}), ${native.threads} threads`,
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
  constructor(
    readonly skipped: BackendReport['skipped'],
    readonly webgpu?: BackendReport['webgpu'],
  ) {
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
  let webgpuTried = false
  // doctor and the System view show the adapter and why the rung was or was not taken.
  const withWebGpu = (report: BackendReport, selfTestError?: number): BackendReport => {
    if (!webgpuTried || loaders.webgpu !== defaultRungLoaders.webgpu) return report
    const skip = report.skipped.find((s) => s.name === 'webgpu')
    const passed = `passed the self-test against cpu (max relative error ${selfTestError?.toExponential(2)})`
    return { ...report, webgpu: webgpuReport((software) => (skip ? `not chosen: ${skip.reason}` : `chosen: ${software ? `a software adapter, ${choice === 'webgpu' ? 'forced by the user' : 'allowed by WORKBENCH_WEBGPU_ALLOW_SOFTWARE'}` : 'a hardware adapter'}; ${passed}`)) }
  }
  for (const name of BACKEND_NAMES) {
    if (choice !== 'auto' && choice !== name) {
      if (BACKEND_NAMES.indexOf(name) < BACKEND_NAMES.indexOf(choice)) {
        skipped.push({ name, reason: `not tried: backend forced to ${choice}` })
      }
      continue
    }
    if (name === 'webgpu') webgpuTried = true
    try {
      const loaded = await loaders[name]({ forced: choice === name })
      const { tfName, detail } = typeof loaded === 'string' ? { tfName: loaded, detail: undefined } : loaded
      const test = await selfTestBackend(tfName)
      if (!test.ok) throw new Error(`failed its self-test against cpu (max relative error ${test.maxError.toExponential(2)})`)
      await tf.setBackend(tfName)
      await tf.ready()
      return withWebGpu({ name, skipped, selfTestMs: test.ms, ...(detail ? { detail } : {}) }, test.maxError)
    } catch (error) {
      skipped.push({ name, reason: (error as Error).message })
      if (choice !== 'auto') break
    }
  }
  throw new NoBackendError(skipped, withWebGpu({ name: 'cpu', skipped }).webgpu)
}
