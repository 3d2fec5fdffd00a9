import { randomBytes } from 'node:crypto'
import { mkdir, readFile, rename, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { WorkbenchError } from '../../shared/api/contract'
import { RUN_STATUS_INFO, type ExportFormat, type RunSummary } from '../../shared/api/schemas'
import { analyzeModel } from '../../shared/arch/layerMath'
import { getArchitecture } from '../../shared/arch/specs'
import { RESIZE_METHOD, resizeBilinear } from '../../shared/exchange/referenceInput'
import { EXPORTERS, type ExportSource } from '../exchange/exportFormats'
import { REFERENCE_SAMPLE_FILE, ReferenceSample } from '../../shared/exchange/referenceSample'
import type { InferenceService } from '../predict/inferenceService'
import { ExportManifest, ModelExchangeError } from '../predict/exportManifest'
import type { RunStore } from '../storage/runStore'

export { ExportManifest, ModelExchangeError } from '../predict/exportManifest'

/** The run's model and reference image at the network's own input size, and the manifest that describes them. */
async function exportSource(run: RunSummary, modelDir: string, format: ExportFormat): Promise<ExportSource> {
  const text = await readFile(join(modelDir, REFERENCE_SAMPLE_FILE), 'utf8').catch(() => {
    const why = run.place === 'pool' ? "it trained on a pool worker from a folder on that worker's disk, and such images stay there (start the worker with --share-reference-samples to send it)" : 'its test split was empty'
    throw new ModelExchangeError(`run ${run.runId} has no reference image to export with its model: ${why}`)
  })
  const stored = ReferenceSample.parse(JSON.parse(text))
  const [height, width, channels] = stored.shape
  const { config, classNames } = run
  const spec = getArchitecture(config.arch, { inputSize: config.inputSize, channels, classes: classNames.length, knobs: config.knobs })
  const info = analyzeModel(spec, spec.input)
  const network: [number, number, number] = [spec.input.height, spec.input.width, channels]
  const resized = network[0] !== height || network[1] !== width
  const sample: ReferenceSample = resized ? { ...stored, shape: network, input: Array.from(resizeBilinear(stored.input, stored.shape, network)) } : stored
  const normalized = run.data?.normalized ? { mean: run.data.mean, std: run.data.std } : {}
  const manifest: ExportManifest = {
    format: 'cnn-workbench-model',
    version: 1,
    exportFormat: format,
    config,
    classNames,
    preprocessing: { inputShape: network, pixelScale: '0..1', ...normalized, ...(resized ? { resizedFrom: stored.shape, resizeMethod: RESIZE_METHOD } : {}) },
    result: run.result,
    exportedAt: new Date().toISOString(),
  }
  return { modelDir, spec, info, sample, manifest }
}

/** Writes a run's trained model into `folder` in `format`; the files' paths and what their user must know. */
export async function exportRun(store: RunStore, runId: string, folder: string, format: ExportFormat = 'tfjs'): Promise<{ files: string[]; notes: string[] }> {
  const run = await store.get(runId)
  if (!RUN_STATUS_INFO[run.status].hasModel) throw new ModelExchangeError(`run ${runId} has no trained model to export (status: ${run.status})`)
  try {
    const source = await exportSource(run, join(store.runDir(runId), 'model'), format)
    await mkdir(folder, { recursive: true })
    const { files, notes } = await EXPORTERS[format](source, folder)
    return { files: files.map((file) => join(folder, file)), notes }
  } catch (error) {
    if (error instanceof WorkbenchError) throw error
    // A stored model that is damaged or does not match its run's architecture: said in one line.
    throw new ModelExchangeError(`run ${runId} cannot be exported as ${format}: ${(error as Error).message.split('\n')[0]}`)
  }
}

/**
 * Imports an exported model as a new completed run. The files are read and checked by the inference
 * worker (class names, architecture, sizes, the reference output), which writes what it checked into a
 * staging folder beside the runs; that folder becomes the new run's model. Nothing of the user's folder is
 * read here, and no tfjs work runs in this process.
 */
export async function importRun(store: RunStore, inference: Pick<InferenceService, 'checkImport'>, folder: string): Promise<RunSummary> {
  const staging = join(store.root, 'runs', `.import-${randomBytes(6).toString('hex')}`)
  try {
    const manifest = ExportManifest.parse(await inference.checkImport(folder, staging))
    const summary: RunSummary = {
      runId: store.newRunId(),
      config: manifest.config,
      status: 'completed',
      createdAt: new Date().toISOString(),
      classNames: manifest.classNames,
      result: manifest.result,
    }
    await mkdir(store.runDir(summary.runId), { recursive: true })
    await rename(staging, join(store.runDir(summary.runId), 'model'))
    await store.save(summary)
    return summary
  } finally {
    await rm(staging, { recursive: true, force: true })
  }
}
