import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import * as ort from 'onnxruntime-node'
import type { RunSummary } from '../../shared/api/schemas'
import { analyzeModel } from '../../shared/arch/layerMath'
import { getArchitecture, type ArchitectureId, type ArchKnobs } from '../../shared/arch/specs'
import { toChannelsFirst } from '../../shared/exchange/referenceInput'
import type { ReferenceSample } from '../../shared/exchange/referenceSample'
import { checkModelImport } from '../../main/predict/modelImport'
import { exportRun } from '../../main/services/modelExchange'
import { RunStore } from '../../main/storage/runStore'
import { storeUntrainedRun } from '../helpers/exportFixtures'
import { findPython } from '../helpers/python'

const run = promisify(execFile)
const onnxPython = findPython(['onnx'])
const torchPython = findPython(['torch', 'numpy'])
for (const found of [onnxPython, torchPython]) if ('missing' in found) console.warn(`skipping a part of the export checks: ${found.missing}`)
const STOCK_LOADER = fileURLToPath(new URL('../helpers/stockTfjsLoad.mjs', import.meta.url))

/** The networks at their CPU presets, then knob settings that take other code paths. */
const CASES: [string, ArchitectureId, Partial<ArchKnobs>, { size: number; channels: 1 | 3 }?][] = [
  ['LeNet-5', 'lenet5', {}],
  ['lenet-relu', 'lenet-relu', {}],
  ['bn-lenet', 'bn-lenet', {}],
  ['AlexNet with LRN', 'alexnet', { lrn: true }],
  ['VGG-11', 'vgg11', {}],
  ['GoogLeNet', 'googlenet', {}],
  ['ResNet-18', 'resnet18', {}],
  // Negative activations make zero-padded max pooling differ from PyTorch's; batch norm after dense layers.
  ['GoogLeNet, tanh', 'googlenet', { activation: 'tanh' }],
  ['LeNet, leaky ReLU, max pooling, batch norm, dropout, half width', 'lenet5', { activation: 'leakyRelu', pooling: 'max', batchNorm: true, dropout: 0.3, width: 0.5 }],
  ['ResNet-50 without shortcuts, leaky ReLU', 'resnet50', { residual: false, activation: 'leakyRelu' }],
  ['VGG-11, average pooling, batch norm', 'vgg11', { pooling: 'avg', batchNorm: true }],
  ['ResNet-18 on 32x32 RGB images (CIFAR-10\u2019s shape)', 'resnet18', {}, { size: 32, channels: 3 }],
]

const maxDrift = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length)
  return Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i])))
}

let root: string
let store: RunStore
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'export-formats-'))
  store = new RunStore(root)
})
afterAll(() => rm(root, { recursive: true, force: true }))

describe.each(CASES)('%s', (_, arch, knobs, data) => {
  let summary: RunSummary
  const folder = (format: string) => join(root, 'exports', summary.runId, format)
  const sampleOf = async (format: string) => JSON.parse(await readFile(join(folder(format), 'reference-sample.json'), 'utf8')) as ReferenceSample
  beforeAll(async () => {
    summary = await storeUntrainedRun(store, arch, knobs, data)
  })

  it('ONNX: ONNX Runtime reproduces the reference probabilities within 1e-4, and onnx.checker accepts the file', async () => {
    await exportRun(store, summary.runId, folder('onnx'), 'onnx')
    const sample = await sampleOf('onnx')
    const [h, w, c] = sample.shape
    const session = await ort.InferenceSession.create(join(folder('onnx'), 'model.onnx'))
    const output = await session.run({ input: new ort.Tensor('float32', toChannelsFirst(sample.input, sample.shape), [1, c, h, w]) })
    expect(maxDrift(output.probabilities.data as Float32Array, sample.probabilities)).toBeLessThan(1e-4)
    if ('missing' in onnxPython) return
    const check = `import onnx, sys; m = onnx.load(sys.argv[1]); onnx.checker.check_model(m, full_check=True); print(dict((p.key, p.value) for p in m.metadata_props)['layout'])`
    const { stdout } = await run(onnxPython.python, ['-c', check, join(folder('onnx'), 'model.onnx')])
    expect(stdout.trim()).toBe('NCHW')
  })

  it.skipIf('missing' in torchPython)('PyTorch: model.py prints the architecture\u2019s parameter count and the reference probabilities within 1e-4', async () => {
    await exportRun(store, summary.runId, folder('pytorch'), 'pytorch')
    const python = (torchPython as { python: string }).python
    const { stdout } = await run(python, [join(folder('pytorch'), 'model.py')], { env: { ...process.env, OMP_NUM_THREADS: '1' }, timeout: 120_000 })
    const printed = JSON.parse(stdout.trim()) as { parameters: number; probabilities: number[] }
    const spec = getArchitecture(arch, { inputSize: summary.config.inputSize, channels: data?.channels ?? 1, classes: 10, knobs: summary.config.knobs })
    expect(printed.parameters).toBe(analyzeModel(spec, spec.input).totalParams)
    expect(maxDrift(printed.probabilities, (await sampleOf('pytorch')).probabilities)).toBeLessThan(1e-4)
  })

  it('TensorFlow.js: stock tfjs-layers, in a process without our layers, loads it and reproduces the reference within 1e-4', async () => {
    const { notes } = await exportRun(store, summary.runId, folder('tfjs'), 'tfjs')
    const { stdout } = await run(process.execPath, [STOCK_LOADER, folder('tfjs')], { timeout: 120_000 })
    const loaded = JSON.parse(stdout.trim().split('\n').at(-1)!) as { classes: string[]; probabilities: number[] }
    expect(maxDrift(loaded.probabilities, (await sampleOf('tfjs')).probabilities)).toBeLessThan(1e-4)
    expect(loaded.classes).not.toContain('InputConv2D')
    expect(loaded.classes).toContain('Conv2D')
    expect(notes.some((note) => note.includes('LocalResponseNorm'))).toBe(loaded.classes.includes('LocalResponseNorm'))
    // The workbench imports its own export back, reference image and all.
    await expect(checkModelImport(folder('tfjs'), join(root, 'staging', summary.runId))).resolves.toMatchObject({ exportFormat: 'tfjs' })
  })
})

describe('export from the command line', () => {
  const cli = (args: string[]) =>
    run(process.execPath, ['--import', 'tsx', 'main/cli/cli.ts', '--data-dir', root, ...args], { cwd: fileURLToPath(new URL('../..', import.meta.url)), timeout: 120_000 })

  it('writes the chosen format, refuses an unknown one in one line, and import says which format it reads', async () => {
    const summary = await storeUntrainedRun(store, 'lenet-relu')
    const target = join(root, 'cli-export')
    const { stdout } = await cli(['export', summary.runId, target, '--format', 'onnx'])
    expect(stdout.trim().split('\n')).toEqual(['model.onnx', 'reference-sample.json', 'workbench.json'].map((file) => join(target, file)))

    const refused = await cli(['export', summary.runId, target, '--format', 'keras']).catch((error: { code: number; stderr: string }) => error)
    expect(refused).toMatchObject({ code: 1 })
    // One line says what is wrong (the CLI's usage follows it, as for every bad option); no stack trace.
    const lines = (refused as { stderr: string }).stderr.trim().split('\n')
    expect(lines[0]).toMatch(/^error: .*'keras' is invalid\. Allowed choices are tfjs, onnx, pytorch\.$/)
    expect(lines.filter((line) => /^\s+at /.test(line))).toEqual([])

    // A damaged stored model is said in one line, whatever the format.
    const weights = join(store.runDir(summary.runId), 'model', 'weights.bin')
    await writeFile(weights, (await readFile(weights)).subarray(0, 1000))
    await expect(exportRun(store, summary.runId, join(root, 'damaged'), 'pytorch')).rejects.toThrow(
      /^run \S+ cannot be exported as pytorch: \S+weights\.bin ends before the weight conv2\/kernel$/,
    )

    const imported = await cli(['import', target]).catch((error: { code: number; stderr: string }) => error)
    expect((imported as { stderr: string }).stderr.trim()).toMatch(/holds an export in the onnx format; import reads the TensorFlow\.js one \(export --format tfjs\)$/)
  }, 120_000)
})
