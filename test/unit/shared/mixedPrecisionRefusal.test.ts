/**
 * `--precision mixed` where it cannot run: a backend other than webgpu (forced, or what auto chose, with
 * why webgpu was passed over) and a WebGPU adapter without shader-f16. The run fails at once, before its
 * data is opened, with the reason and the way out.
 */
import { describe, expect, it } from 'vitest'
import { mkdtemp, readdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { BackendReport, WebGpuAdapterReport } from '../../../shared/api/schemas'
import { TrainConfig } from '../../../shared/api/schemas'
import { mixedPrecisionProblem } from '../../../shared/mixedPrecision'
import { runTrainingJob } from '../../../main/training/trainingJob'
import { RunControl } from '../../../main/training/runControl'
import type { FromWorker } from '../../../main/training/workerProtocol'

const adapter = (features: string[]): WebGpuAdapterReport => ({
  vendor: 'intel',
  architecture: 'gen-12lp',
  device: '',
  description: 'Intel(R) UHD Graphics 620',
  backendApi: 'Vulkan',
  software: false,
  features,
  limits: {},
  subgroupMatrixConfigs: [],
})
const onWebGpu = (features: string[]): BackendReport => ({ name: 'webgpu', skipped: [{ name: 'tensorflow-gpu', reason: 'no CUDA' }], webgpu: { adapter: adapter(features), verdict: 'chosen: a hardware adapter' } })

describe('mixed precision: where it is refused', () => {
  it('on a backend other than webgpu, naming it', () => {
    const report: BackendReport = { name: 'wasm-blas', skipped: [{ name: 'tensorflow-gpu', reason: 'not tried: backend forced to wasm-blas' }] }
    expect(mixedPrecisionProblem('wasm-blas', report)).toMatch(/^mixed precision runs on the webgpu backend; this run is on wasm-blas\. Train in fp32 \(--precision fp32, the default\), or choose the webgpu backend$/)
  })

  it('with auto, saying why auto did not take webgpu', () => {
    const report: BackendReport = { name: 'wasm-blas', skipped: [{ name: 'webgpu', reason: 'only a software adapter was found (llvmpipe)' }] }
    expect(mixedPrecisionProblem('auto', report)).toContain('this run is on wasm-blas (auto did not take webgpu: only a software adapter was found (llvmpipe))')
    // Native TensorFlow on CUDA sits above webgpu: auto stops there without trying webgpu.
    expect(mixedPrecisionProblem('auto', { name: 'tensorflow-gpu', skipped: [] })).toContain('this run is on tensorflow-gpu, a rung auto takes before webgpu. Train in fp32 (--precision fp32, the default), or choose the webgpu backend')
  })

  it('on a WebGPU adapter without shader-f16, naming the adapter', () => {
    expect(mixedPrecisionProblem('webgpu', onWebGpu(['subgroups', 'timestamp-query']))).toBe(
      'mixed precision needs f16 arithmetic in shaders (the shader-f16 feature), which this WebGPU adapter does not offer: Intel(R) UHD Graphics 620 (intel, gen-12lp; Vulkan). Train in fp32 (--precision fp32, the default)',
    )
    // The device is what counts where the report has no adapter (a rung loaded some other way).
    expect(mixedPrecisionProblem('webgpu', { name: 'webgpu', skipped: [] }, false)).toMatch(/does not offer\. Train in fp32/)
  })

  it('not on webgpu with shader-f16, forced or chosen by auto', () => {
    expect(mixedPrecisionProblem('webgpu', onWebGpu(['shader-f16']), true)).toBeUndefined()
    expect(mixedPrecisionProblem('auto', onWebGpu(['shader-f16', 'subgroups']), true)).toBeUndefined()
  })

  it('a run asking for it on the cpu backend fails before opening its data, and says so', async () => {
    const runDir = await mkdtemp(join(tmpdir(), 'mixed-refused-'))
    const config = TrainConfig.parse({ arch: 'lenet-relu', dataset: 'mnist', epochs: 1, batchSize: 8, learningRate: 0.01, backend: 'cpu', precision: 'mixed' })
    const sent: FromWorker[] = []
    await expect(runTrainingJob({ config, runDir, resume: false }, (m) => sent.push(m), new RunControl())).rejects.toThrow(
      'mixed precision runs on the webgpu backend; this run is on cpu. Train in fp32 (--precision fp32, the default), or choose the webgpu backend',
    )
    expect(sent).toEqual([])
    expect(await readdir(runDir)).toEqual([])
  })
})
