import { copyFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { ArchitectureSpec } from '../../shared/arch/specs'
import type { ModelInfo } from '../../shared/arch/layerMath'
import type { ExportFormat } from '../../shared/api/schemas'
import { buildOnnxModel } from '../../shared/exchange/onnxGraph'
import { PYTORCH_FILES, pytorchExportScript, pytorchNetwork } from '../../shared/exchange/pytorchCode'
import { toChannelsFirst } from '../../shared/exchange/referenceInput'
import { torchParameters, type SavedTensor } from '../../shared/exchange/torchWeights'
import { REFERENCE_SAMPLE_FILE, type ReferenceSample } from '../../shared/exchange/referenceSample'
import { EXPORT_MANIFEST_FILE, type ExportManifest } from '../predict/exportManifest'
import { writeFileAtomic } from '../storage/atomicFile'
import { encodeNpz, type NpyArray } from './npzFile'
import { encodeOnnxModel } from './onnxFile'
import { readSavedModel } from './savedWeights'
import { LRN_LOADER_FILE, LRN_LOADER_SOURCE, toStandardTopology } from './tfjsStandardLayers'

/** A run's trained model, ready to be written out: everything here is at the network's own input size. */
export interface ExportSource {
  /** The run's model folder (model.json + weights.bin). */
  modelDir: string
  spec: ArchitectureSpec
  info: ModelInfo
  sample: ReferenceSample
  manifest: ExportManifest
}

export interface ExportedFiles {
  /** File names written into the folder. */
  files: string[]
  notes: string[]
}

export const ONNX_FILE = 'model.onnx'

async function writeCommon(source: ExportSource, folder: string, files: string[]): Promise<void> {
  await writeFileAtomic(join(folder, REFERENCE_SAMPLE_FILE), JSON.stringify(source.sample))
  await writeFileAtomic(join(folder, EXPORT_MANIFEST_FILE), JSON.stringify(source.manifest, null, 2))
  files.push(REFERENCE_SAMPLE_FILE, EXPORT_MANIFEST_FILE)
}

/** The TensorFlow.js layers format in standard classes; LRN, which has none, with a file that registers it. */
async function exportTfjs(source: ExportSource, folder: string): Promise<ExportedFiles> {
  const { modelJson } = await readSavedModel(source.modelDir)
  const { topology, customClasses } = toStandardTopology(modelJson.modelTopology)
  await copyFile(join(source.modelDir, 'weights.bin'), join(folder, 'weights.bin'))
  await writeFileAtomic(join(folder, 'model.json'), JSON.stringify({ ...modelJson, modelTopology: topology }))
  const files = ['model.json', 'weights.bin']
  const notes: string[] = []
  if (customClasses.includes('LocalResponseNorm')) {
    await writeFileAtomic(join(folder, LRN_LOADER_FILE), LRN_LOADER_SOURCE)
    files.push(LRN_LOADER_FILE)
    notes.push(`LocalResponseNorm has no standard TensorFlow.js or Keras layer class: call registerLocalResponseNorm(tf) from ${LRN_LOADER_FILE} before tf.loadLayersModel`)
  }
  await writeCommon(source, folder, files)
  return { files, notes }
}

function onnxMetadata({ manifest, spec }: ExportSource): Record<string, string> {
  const { channels, height, width } = spec.input
  return {
    layout: 'NCHW',
    input: `input: float32 [batch, ${channels}, ${height}, ${width}] (channels first)`,
    outputs: `logits: float32 [batch, ${spec.classes}]; probabilities: softmax of logits`,
    preprocessing: JSON.stringify(manifest.preprocessing),
    class_names: JSON.stringify(manifest.classNames),
    architecture: JSON.stringify({ arch: manifest.config.arch, inputSize: height, knobs: spec.knobs }),
  }
}

async function exportOnnx(source: ExportSource, folder: string): Promise<ExportedFiles> {
  const { weights } = await readSavedModel(source.modelDir)
  const model = buildOnnxModel(source.info, torchParameters(source.info, weights), onnxMetadata(source))
  await writeFileAtomic(join(folder, ONNX_FILE), Buffer.from(encodeOnnxModel(model)))
  const files = [ONNX_FILE]
  await writeCommon(source, folder, files)
  return { files, notes: [] }
}

/** The state_dict of the generated network, tensor by tensor, under PyTorch's names. */
function stateDict(source: ExportSource, weights: ReadonlyMap<string, SavedTensor>): Map<string, NpyArray> {
  const { modulePaths } = pytorchNetwork(source.spec)
  const state = new Map<string, NpyArray>()
  for (const { node, tensors } of torchParameters(source.info, weights)) {
    const path = modulePaths.get(node.name)
    if (path === undefined) throw new Error(`the PyTorch code has no module for layer ${node.name}`)
    for (const tensor of tensors) state.set(`${path}.${tensor.name}`, tensor)
  }
  return state
}

async function exportPytorch(source: ExportSource, folder: string): Promise<ExportedFiles> {
  const { weights } = await readSavedModel(source.modelDir)
  const { sample } = source
  const [h, w, c] = sample.shape
  await writeFileAtomic(join(folder, PYTORCH_FILES.weights), Buffer.from(encodeNpz(stateDict(source, weights))))
  const reference = new Map<string, NpyArray>([
    ['input', { shape: [1, c, h, w], values: toChannelsFirst(sample.input, sample.shape) }],
    ['probabilities', { shape: [sample.probabilities.length], values: Float32Array.from(sample.probabilities) }],
  ])
  await writeFileAtomic(join(folder, PYTORCH_FILES.sample), Buffer.from(encodeNpz(reference)))
  await writeFileAtomic(join(folder, PYTORCH_FILES.script), pytorchExportScript(source.spec))
  const files: string[] = [PYTORCH_FILES.script, PYTORCH_FILES.weights, PYTORCH_FILES.sample]
  await writeCommon(source, folder, files)
  return { files, notes: [] }
}

export const EXPORTERS: Record<ExportFormat, (source: ExportSource, folder: string) => Promise<ExportedFiles>> = {
  tfjs: exportTfjs,
  onnx: exportOnnx,
  pytorch: exportPytorch,
}
