import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFileSync } from 'node:child_process'
import { constants } from 'node:fs'
import { cp, mkdtemp, open, readFile, readdir, rm, truncate, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-cpu'
import { getArchitecture } from '../../shared/arch/specs'
import { TrainConfig } from '../../shared/api/schemas'
import { createModel } from '../../main/engine/model/modelFactory'
import { saveModel } from '../../main/engine/model/modelFiles'
import { createWorkbench, type Workbench } from '../../main/services/workbench'
import { createNodeWorkerLauncher, type WorkerLauncher } from '../../main/processes/workerLauncher'
import { isPlainWeightsPath } from '../../main/predict/modelImport'

/** An export as `runs.export` writes it, of an untrained LeNet (10 outputs): no training needed. */
async function lenetExport(): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'import-src-'))
  await tf.setBackend('cpu')
  const spec = getArchitecture('lenet-relu', { channels: 1, classes: 10 })
  const model = createModel(spec, spec.input, 3)
  await saveModel(model, folder)
  const input = Array.from({ length: 28 * 28 }, (_, i) => ((i * 37) % 255) / 255)
  const probabilities = tf.tidy(() => Array.from(tf.softmax(model.predict(tf.tensor4d(input, [1, 28, 28, 1])) as tf.Tensor2D).dataSync()))
  model.dispose()
  await writeFile(join(folder, 'reference-sample.json'), JSON.stringify({ shape: [28, 28, 1], input, label: 3, probabilities }))
  const config = TrainConfig.parse({ arch: 'lenet-relu', dataset: 'mnist', epochs: 1, batchSize: 32, learningRate: 0.05 })
  const manifest = { format: 'cnn-workbench-model', version: 1, config, classNames: Array.from({ length: 10 }, (_, i) => String(i)), preprocessing: { inputShape: [28, 28, 1], pixelScale: '0..1' }, exportedAt: new Date().toISOString() }
  await writeFile(join(folder, 'workbench.json'), JSON.stringify(manifest))
  return folder
}

async function variant(source: string, change: (folder: string) => Promise<void>): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'import-bad-'))
  await cp(source, folder, { recursive: true })
  await change(folder)
  return folder
}

async function editJson(path: string, change: (value: Record<string, unknown>) => void): Promise<void> {
  const value = JSON.parse(await readFile(path, 'utf8'))
  change(value)
  await writeFile(path, JSON.stringify(value))
}

describe('model import checks what it keeps (in the inference worker)', () => {
  let source: string
  let workbench: Workbench
  let dataDir: string
  const fifos: string[] = []
  beforeAll(async () => {
    source = await lenetExport()
    dataDir = await mkdtemp(join(tmpdir(), 'import-data-'))
    workbench = await createWorkbench({ dataDir, launchWorker: createNodeWorkerLauncher(), launchInference: createNodeWorkerLauncher('inferenceWorker'), mode: 'cli' })
  })
  afterAll(async () => {
    workbench?.close()
    for (const fifo of fifos) await (await open(fifo, constants.O_WRONLY | constants.O_NONBLOCK).catch(() => undefined))?.close()
  })
  const importing = async (folder: string) => workbench.handlers['runs.import']({ folder: await workbench.grants.grant(folder, 'command-line') })

  it('imports a good export and stores its one weights path normalised', async () => {
    const folder = await variant(source, (f) => editJson(join(f, 'model.json'), (json) => ((json.weightsManifest as { paths: string[] }[])[0].paths = ['weights.bin'])))
    const run = await importing(folder)
    expect(run).toMatchObject({ status: 'completed', config: { arch: 'lenet-relu' } })
    const stored = JSON.parse(await readFile(join(dataDir, 'runs', run.runId, 'model', 'model.json'), 'utf8'))
    expect(stored.weightsManifest[0].paths).toEqual(['./weights.bin'])
    // No staging folder is left behind.
    expect((await readdir(join(dataDir, 'runs'))).filter((name) => name.startsWith('.import'))).toEqual([])
  })

  it('never builds the topology it is given: a hostile layer in it is not what gets stored', async () => {
    const folder = await variant(source, (f) =>
      editJson(join(f, 'model.json'), (json) => {
        const config = (json.modelTopology as { config: { layers: unknown[] } }).config
        config.layers.splice(1, 0, { class_name: 'ZeroPadding2D', config: { name: 'huge', padding: [[100000, 100000], [100000, 100000]] }, name: 'huge', inbound_nodes: [] })
      }),
    )
    const run = await importing(folder)
    const stored = await readFile(join(dataDir, 'runs', run.runId, 'model', 'model.json'), 'utf8')
    expect(stored).not.toContain('huge')
    expect(JSON.parse(stored).generatedBy).toBe('cnn-workbench')
  })

  it('refuses 3 class names on a 10-output model', async () => {
    const folder = await variant(source, (f) => editJson(join(f, 'workbench.json'), (json) => (json.classNames = ['a', 'b', 'c'])))
    await expect(importing(folder)).rejects.toThrow(/3 class names, but the reference output has 10 classes/)
    // Even with a reference output cut to match, the model's 10 outputs decide.
    const both = await variant(folder, (f) => editJson(join(f, 'reference-sample.json'), (json) => (json.probabilities = (json.probabilities as number[]).slice(0, 3))))
    await expect(importing(both)).rejects.toThrow(/3 class names for a model with 10 outputs; each output needs its name/)
  })

  it('refuses a declared architecture that is not the layers (resnet50 on LeNet weights)', async () => {
    const folder = await variant(source, (f) => editJson(join(f, 'workbench.json'), (json) => ((json.config as { arch: string }).arch = 'resnet50')))
    await expect(importing(folder)).rejects.toThrow(/declares resnet50 .* but its layers hold/)
  })

  it('refuses a 1 GB sparse weights.bin by its size, without reading it', async () => {
    const folder = await variant(source, (f) => truncate(join(f, 'weights.bin'), 2 ** 30))
    await expect(importing(folder)).rejects.toThrow(/weights\.bin: 1024 MiB, more than the .* limit; not read/)
  })

  it('refuses weightsManifest paths that leave the folder', async () => {
    for (const path of ['../../etc/passwd', '/etc/passwd', 'sub/../../weights.bin', 'file:///etc/passwd', '..\\weights.bin']) {
      const folder = await variant(source, (f) => editJson(join(f, 'model.json'), (json) => ((json.weightsManifest as { paths: string[] }[])[0].paths = [path])))
      await expect(importing(folder), path).rejects.toThrow(/weightsManifest must name one file, weights\.bin/)
    }
    expect(isPlainWeightsPath('./weights.bin')).toBe(true)
    expect(isPlainWeightsPath('weights.bin')).toBe(true)
  })

  it('refuses a FIFO named weights.bin or model.json at once, never blocking on it', async () => {
    for (const name of ['weights.bin', 'model.json']) {
      const folder = await variant(source, async (f) => {
        await rm(join(f, name))
        execFileSync('mkfifo', [join(f, name)])
        fifos.push(join(f, name))
      })
      await expect(importing(folder), name).rejects.toThrow(/named pipe \(FIFO\), not a regular file/)
    }
  })

  it('does the checking in the inference worker, not in the process serving the window', async () => {
    let received!: (message: { method?: string }) => void
    const sent = new Promise<{ method?: string }>((resolve) => (received = resolve))
    const recording: WorkerLauncher = () => ({
      pid: 1,
      send: (message) => received(message as { method?: string }),
      onMessage: () => undefined,
      onExit: () => undefined,
      kill: () => undefined,
    })
    const other = await createWorkbench({ dataDir: await mkdtemp(join(tmpdir(), 'import-rec-')), launchWorker: createNodeWorkerLauncher(), launchInference: recording, mode: 'cli' })
    void other.handlers['runs.import']({ folder: await other.grants.grant(source, 'command-line') })
    expect((await sent).method).toBe('check-import')
    other.close()
  })
})
