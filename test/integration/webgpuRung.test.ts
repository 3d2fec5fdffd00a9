import { describe, expect, it } from 'vitest'
import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { createWorkbench } from '../../main/services/workbench'
import { createNodeWorkerLauncher } from '../../main/processes/workerLauncher'
import { TrainConfig, type SystemReport } from '../../shared/api/schemas'
import { webgpuAdapterUnavailable } from '../helpers/webgpuAdapter'
import { RunStore } from '../../main/storage/runStore'
import { createLocalInference } from '../../main/predict/inferenceService'
import { selectInferenceBackend } from '../../main/predict/inferenceBackend'

/*
 * The webgpu rung end to end on whatever adapter Dawn finds; in CI that is lavapipe (a software
 * adapter, ~200 LeNet samples/s), so the data set is a tiny folder: 2 classes of 28x28 bars.
 */
const root = join(import.meta.dirname, '..', '..')
const unavailable = webgpuAdapterUnavailable()

function cli(args: string[], dataDir: string, env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'main/cli/cli.ts', '--data-dir', dataDir, ...args], { cwd: root, timeout: 400_000, env: { ...process.env, ...env } }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr })
    })
  })
}

/** Vertical bars against horizontal bars, at seeded positions with noise: learnable in a few batches. */
async function barsFolder(perClassTrain: number, perClassTest: number): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'webgpu-bars-'))
  let seed = 7
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31)
  for (const [split, count] of [['train', perClassTrain], ['test', perClassTest]] as const) {
    for (const name of ['horizontal', 'vertical']) {
      await mkdir(join(dir, split, name), { recursive: true })
      for (let i = 0; i < count; i++) {
        const pixels = Buffer.alloc(28 * 28)
        for (let p = 0; p < pixels.length; p++) pixels[p] = Math.floor(random() * 60)
        const at = 4 + Math.floor(random() * 20)
        for (let a = 3; a < 25; a++) for (let w = 0; w < 3; w++) pixels[name === 'vertical' ? a * 28 + at + w : (at + w) * 28 + a] = 255
        await writeFile(join(dir, split, name, `${i}.png`), await sharp(pixels, { raw: { width: 28, height: 28, channels: 1 } }).png().toBuffer())
      }
    }
  }
  return dir
}

async function epochLosses(dataDir: string, runId: string): Promise<number[]> {
  const lines = (await readFile(join(dataDir, 'runs', runId, 'metrics.jsonl'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line))
  return lines.filter((line) => line.kind === 'epoch').map((line) => line.metrics.trainLoss as number)
}

describe.skipIf(process.platform !== 'linux')('webgpu rung without an adapter', () => {
  it('a run forced onto webgpu where Vulkan has no driver fails at once, saying there is no adapter', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'webgpu-none-'))
    // The Vulkan loader pointed at a driver file that does not exist: Dawn finds no adapter, as on a machine without a GPU driver.
    const run = await cli(['train', '--arch', 'lenet-relu', '--backend', 'webgpu', '--limit', '64', '--epochs', '1'], dataDir, { VK_DRIVER_FILES: join(dataDir, 'no-driver.json') })
    expect(run.code).toBe(1)
    expect(run.stderr).not.toMatch(/\n\s+at /)
    expect(run.stderr).toMatch(/webgpu: no WebGPU adapter found: no GPU with a Vulkan, D3D12 or Metal driver that Dawn accepts/)
  }, 120_000)
})

describe.skipIf(unavailable)('webgpu rung', () => {
  /** The run trained by the first test, inspected by the second. */
  let trained: { dataDir: string; runId: string; folder: string } | undefined

  it('trains lenet-relu forced onto webgpu through the CLI: finite, falling loss, the backend recorded', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'webgpu-cli-'))
    const folder = await barsFolder(48, 8)
    const run = await cli(
      ['train', '--arch', 'lenet-relu', '--dataset', `folder:${folder}`, '--backend', 'webgpu', '--limit', '96', '--epochs', '3', '--batch-size', '16', '--lr', '0.05', '--optimizer', 'momentum', '--json'],
      dataDir,
    )
    expect(run.stderr).not.toMatch(/\n\s+at /)
    expect(run.code).toBe(0)
    const summary = JSON.parse(run.stdout.trim().split('\n').at(-1)!)
    expect(summary.backend).toBe('webgpu')
    expect(summary.backendSkipped).toEqual([{ name: 'tensorflow-gpu', reason: 'not tried: backend forced to webgpu' }])
    const losses = await epochLosses(dataDir, summary.runId)
    expect(losses).toHaveLength(3)
    for (const loss of losses) expect(Number.isFinite(loss)).toBe(true)
    expect(losses[2]).toBeLessThan(losses[0])
    // Every batch was reported (read back a few batches behind, but none lost), in order.
    const points = (await readFile(join(dataDir, 'runs', summary.runId, 'metrics.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l)).filter((l) => l.kind === 'point')
    expect(points.at(-1).point.samples).toBe(3 * 96)
    for (let i = 1; i < points.length; i++) expect(points[i].point.samples).toBeGreaterThan(points[i - 1].point.samples)
    const run2 = JSON.parse((await readFile(join(dataDir, 'runs', summary.runId, 'run.json'), 'utf8')))
    expect(run2.backend.webgpu.adapter.description.length).toBeGreaterThan(0)
    expect(run2.backend.webgpu.verdict).toMatch(/^chosen: /)
    trained = { dataDir, runId: summary.runId, folder }
  }, 420_000)

  it('the inference worker\'s ladder takes the adapter, and predictions and inspections read back asynchronously', async () => {
    expect(trained).toBeDefined()
    const { dataDir, runId, folder } = trained!
    process.env.WORKBENCH_WEBGPU_ALLOW_SOFTWARE = '1'
    try {
      let chosen: string | undefined
      const inference = createLocalInference(new RunStore(dataDir), async () => (chosen = (await selectInferenceBackend())?.name))
      const image = await readFile(join(folder, 'test', 'vertical', '0.png'))
      const prediction = await inference.predict(runId, '0.png', image, 2)
      expect(chosen).toBe('webgpu')
      expect(prediction.top).toHaveLength(2)
      expect(prediction.top[0].probability + prediction.top[1].probability).toBeCloseTo(1, 4)
      // Feature maps, filters, an occlusion map and Grad-CAM: every read a synchronous one would break here.
      const inspection = await inference.inspect(runId, '0.png', image, { maxChannels: 2, occlusion: true })
      expect(inspection.layers.some((layer) => layer.maps.length > 0)).toBe(true)
      expect(inspection.filters?.images.length).toBeGreaterThan(0)
      expect(inspection.occlusion?.values.every(Number.isFinite)).toBe(true)
      expect(inspection.gradCam?.values.every(Number.isFinite)).toBe(true)
    } finally {
      delete process.env.WORKBENCH_WEBGPU_ALLOW_SOFTWARE
    }
  }, 240_000)

  it('auto skips the rung when its self-test fails, and says so; with a sound kernel the same adapter is chosen', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'webgpu-doctor-'))
    // WORKBENCH_WEBGPU_ALLOW_SOFTWARE lets auto take lavapipe, so that the self-test decides.
    const sound = await cli(['doctor', '--json'], dataDir, { WORKBENCH_WEBGPU_ALLOW_SOFTWARE: '1' })
    expect(sound.code).toBe(0)
    const good = JSON.parse(sound.stdout.trim().split('\n').at(-1)!) as SystemReport
    expect(good.backend?.name).toBe('webgpu')
    expect(good.backend?.webgpu?.verdict).toMatch(/^chosen: .*passed the self-test/)

    const broken = await cli(['doctor', '--json'], dataDir, { WORKBENCH_WEBGPU_ALLOW_SOFTWARE: '1', WORKBENCH_WEBGPU_FAULT: 'selftest' })
    expect(broken.code).toBe(0)
    const report = JSON.parse(broken.stdout.trim().split('\n').at(-1)!) as SystemReport
    expect(report.backend?.name).not.toBe('webgpu')
    const skip = report.backend?.skipped.find((s) => s.name === 'webgpu')
    expect(skip?.reason).toMatch(/failed its self-test against cpu \(max relative error/)
    expect(report.backend?.webgpu?.verdict).toMatch(/^not chosen: failed its self-test/)
    expect(report.backend?.webgpu?.adapter?.features.length).toBeGreaterThan(0)

    // One of our own WGSL kernels broken (the filter gradient drops its last reduction terms): the
    // self-test, which differentiates a convolution, catches it as well.
    const brokenKernel = await cli(['doctor', '--json'], dataDir, { WORKBENCH_WEBGPU_ALLOW_SOFTWARE: '1', WORKBENCH_WEBGPU_KERNEL_FAULT: 'Conv2DBackpropFilter' })
    const kernelReport = JSON.parse(brokenKernel.stdout.trim().split('\n').at(-1)!) as SystemReport
    expect(kernelReport.backend?.name).not.toBe('webgpu')
    expect(kernelReport.backend?.skipped.find((s) => s.name === 'webgpu')?.reason).toMatch(/failed its self-test against cpu/)

    // So does a broken batch-norm gradient: the self-test runs a training-mode batch norm on the rung's fused kernels.
    const brokenNorm = await cli(['doctor', '--json'], dataDir, { WORKBENCH_WEBGPU_ALLOW_SOFTWARE: '1', WORKBENCH_WEBGPU_KERNEL_FAULT: 'WorkbenchBatchNormTrainGrad' })
    const normReport = JSON.parse(brokenNorm.stdout.trim().split('\n').at(-1)!) as SystemReport
    expect(normReport.backend?.skipped.find((s) => s.name === 'webgpu')?.reason).toMatch(/failed its self-test against cpu/)
  }, 300_000)

  it('a device lost mid-run stops the run with a clear message and its checkpoint intact; it resumes on wasm', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'webgpu-lost-'))
    const folder = await barsFolder(32, 4)
    const workbench = await createWorkbench({ dataDir, launchWorker: createNodeWorkerLauncher(), mode: 'web' })
    // 64 images at batch 16: 4 batches an epoch; the device is destroyed after the 6th, in epoch 2.
    process.env.WORKBENCH_WEBGPU_FAULT = 'lose-after:6'
    try {
      const config = TrainConfig.parse({ arch: 'lenet-relu', dataset: `folder:${folder}`, epochs: 3, batchSize: 16, learningRate: 0.05, optimizer: 'momentum', backend: 'webgpu', seed: 3 })
      const run = await workbench.supervisor.start(config)
      const failed = await workbench.supervisor.waitFor(run.runId)!
      expect(failed.status).toBe('failed')
      expect(failed.error).toMatch(/^the GPU was lost mid-run \(WebGPU device lost: destroyed.*\); the run stopped and its last checkpoint is intact: resume it, on another backend .* \(last checkpoint: epoch 1\)$/)
      expect(failed.checkpointEpoch).toBe(1)
      delete process.env.WORKBENCH_WEBGPU_FAULT

      await workbench.handlers['training.resume']({ runId: run.runId, backend: 'wasm' })
      const resumed = await workbench.supervisor.waitFor(run.runId)!
      expect(resumed.status).toBe('completed')
      expect(resumed.backend?.name).toBe('wasm')
      const detail = await workbench.store.detail(run.runId)
      expect(detail.epochs.map((e) => e.epoch)).toEqual([1, 2, 3])
      for (const epoch of detail.epochs) expect(Number.isFinite(epoch.trainLoss)).toBe(true)
    } finally {
      delete process.env.WORKBENCH_WEBGPU_FAULT
      workbench.close()
    }
  }, 420_000)
})
