import { randomBytes } from 'node:crypto'
import { copyFile, mkdir, readFile, rename, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { RUN_STATUS_INFO, type RunSummary } from '../../shared/api/schemas'
import { writeFileAtomic } from '../storage/atomicFile'
import { REFERENCE_SAMPLE_FILE, ReferenceSample } from '../engine/referenceSample'
import type { InferenceService } from '../predict/inferenceService'
import { EXPORT_MANIFEST_FILE, ExportManifest, ModelExchangeError } from '../predict/exportManifest'
import type { RunStore } from '../storage/runStore'

export { ExportManifest, ModelExchangeError } from '../predict/exportManifest'

const MANIFEST = EXPORT_MANIFEST_FILE
const MODEL_FILES = ['model.json', 'weights.bin', REFERENCE_SAMPLE_FILE]

export async function exportRun(store: RunStore, runId: string, folder: string): Promise<string[]> {
  const run = await store.get(runId)
  if (!RUN_STATUS_INFO[run.status].hasModel) throw new ModelExchangeError(`run ${runId} has no trained model to export (status: ${run.status})`)
  const source = join(store.runDir(runId), 'model')
  const text = await readFile(join(source, REFERENCE_SAMPLE_FILE), 'utf8').catch(() => {
    const why = run.place === 'pool' ? "it trained on a pool worker from a folder on that worker's disk, and such images stay there (start the worker with --share-reference-samples to send it)" : 'its test split was empty'
    throw new ModelExchangeError(`run ${runId} has no reference image to export with its model: ${why}`)
  })
  const sample = ReferenceSample.parse(JSON.parse(text))
  await mkdir(folder, { recursive: true })
  for (const file of MODEL_FILES) await copyFile(join(source, file), join(folder, file))
  const manifest: ExportManifest = {
    format: 'cnn-workbench-model',
    version: 1,
    config: run.config,
    classNames: run.classNames,
    preprocessing: { inputShape: sample.shape, pixelScale: '0..1' },
    result: run.result,
    exportedAt: new Date().toISOString(),
  }
  await writeFileAtomic(join(folder, MANIFEST), JSON.stringify(manifest, null, 2))
  return [...MODEL_FILES, MANIFEST].map((file) => join(folder, file))
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
