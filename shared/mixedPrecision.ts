import type { BackendChoice, BackendReport } from './api/schemas'
import { webgpuAdapterTitle } from './webgpuAdapter'

/** The backends whose runs may ask for mixed precision; the Train form offers the choice with these only. */
export const MIXED_PRECISION_CHOICES: readonly BackendChoice[] = ['webgpu', 'auto']

/** What mixed precision is, in the words the CLI flag and the Train form use. */
export const MIXED_PRECISION_SUMMARY = 'mixed: f16 operands with f32 accumulation and dynamic loss scaling, on the webgpu backend where the adapter offers shader-f16'

/**
 * Why a run asking for mixed precision cannot have it on the backend the ladder chose, or undefined when
 * it can: it runs on our webgpu kernels only, and they need the adapter's shader-f16 feature (the rung
 * requests it whenever the adapter offers it).
 */
export function mixedPrecisionProblem(choice: BackendChoice, report: BackendReport, deviceOffersF16?: boolean): string | undefined {
  if (report.name !== 'webgpu') {
    const webgpuSkip = report.skipped.find((s) => s.name === 'webgpu')
    // auto climbs down from the top: it either passed webgpu over (saying why) or stopped above it.
    const why = choice !== 'auto' ? '' : webgpuSkip ? ` (auto did not take webgpu: ${webgpuSkip.reason})` : ', a rung auto takes before webgpu'
    return `mixed precision runs on the webgpu backend; this run is on ${report.name}${why}. Train in fp32 (--precision fp32, the default), or choose the webgpu backend`
  }
  const adapter = report.webgpu?.adapter
  if ((adapter && !adapter.features.includes('shader-f16')) || deviceOffersF16 === false) {
    const which = adapter ? `: ${webgpuAdapterTitle(adapter)}` : ''
    return `mixed precision needs f16 arithmetic in shaders (the shader-f16 feature), which this WebGPU adapter does not offer${which}. Train in fp32 (--precision fp32, the default)`
  }
  return undefined
}
