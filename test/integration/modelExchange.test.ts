import { describe, expect, it } from 'vitest'
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs-core'
// The workbench no longer loads TensorFlow.js in this process: the cpu backend is this test's own.
import '@tensorflow/tfjs-backend-cpu'
import * as tfl from '@tensorflow/tfjs-layers'
import { createWorkbench } from '../../main/services/workbench'
import { createNodeWorkerLauncher } from '../../main/processes/workerLauncher'
import { TrainConfig } from '../../shared/api/schemas'

describe('model export and import', () => {
  it('exports a trained run loadable by plain TensorFlow.js, imports it back, and refuses a tampered copy', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'exchange-'))
    const workbench = await createWorkbench({ dataDir, launchWorker: createNodeWorkerLauncher(), mode: 'cli' })
    const config = TrainConfig.parse({ arch: 'lenet-relu', dataset: 'mnist', epochs: 1, batchSize: 64, learningRate: 0.05, limit: 600, backend: 'wasm' })
    const trained = await workbench.supervisor.waitFor((await workbench.supervisor.start(config)).runId)!
    expect(trained.status).toBe('completed')

    const folder = await workbench.grants.grant(await mkdtemp(join(tmpdir(), 'export-')), 'dialog')
    const { files } = await workbench.handlers['runs.export']({ runId: trained.runId, folder })
    expect(files.map((f) => f.slice(folder.length + 1)).sort()).toEqual(['model.json', 'reference-sample.json', 'weights.bin', 'workbench.json'])
    const manifest = JSON.parse(await readFile(join(folder, 'workbench.json'), 'utf8'))
    expect(manifest).toMatchObject({ format: 'cnn-workbench-model', classNames: trained.classNames, preprocessing: { inputShape: [28, 28, 1] } })

    // Plain tfjs can load the export on its own, and gives the reference output.
    await tf.setBackend('cpu')
    const modelJson = JSON.parse(await readFile(join(folder, 'model.json'), 'utf8'))
    const weights = await readFile(join(folder, 'weights.bin'))
    const model = await tfl.loadLayersModel(tf.io.fromMemory({ modelTopology: modelJson.modelTopology, weightSpecs: modelJson.weightsManifest[0].weights, weightData: new Uint8Array(weights).buffer }))
    const sample = JSON.parse(await readFile(join(folder, 'reference-sample.json'), 'utf8'))
    const output = tf.softmax(model.predict(tf.tensor4d(sample.input, [1, 28, 28, 1])) as tf.Tensor2D).dataSync()
    sample.probabilities.forEach((p: number, i: number) => expect(output[i]).toBeCloseTo(p, 4))

    const imported = await workbench.handlers['runs.import']({ folder })
    expect(imported).toMatchObject({ status: 'completed', config: { arch: 'lenet-relu' } })
    expect(imported.runId).not.toBe(trained.runId)
    expect((await workbench.handlers['runs.list']({})).map((r) => r.runId)).toContain(imported.runId)

    const flipped = new Uint8Array(weights)
    for (let i = 0; i < flipped.length; i += 97) flipped[i] ^= 0x40
    await writeFile(join(folder, 'weights.bin'), flipped)
    await expect(workbench.handlers['runs.import']({ folder })).rejects.toThrow(/reference image differs|does not load/)

    // A folder the user never chose is refused before anything is read.
    await expect(workbench.handlers['runs.import']({ folder: tmpdir() })).rejects.toThrow()
    workbench.close()
  }, 120_000)
})
