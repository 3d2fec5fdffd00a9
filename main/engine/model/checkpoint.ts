import * as tf from '@tensorflow/tfjs-core'
import type { NamedTensor } from '@tensorflow/tfjs-core/dist/tensor_types'
import type * as tfl from '@tensorflow/tfjs-layers'
import { readFile, readdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { writeFileAtomic } from '../../storage/atomicFile'
import { CHECKPOINT_POINTER, type CheckpointInfo } from '../../storage/checkpointInfo'
import { loadModel, saveModel } from './modelFiles'

/**
 * A checkpoint is a folder of its own (model + optimizer state); `checkpoint.json` is switched to it
 * atomically only once the folder is complete, so a crash mid-write leaves the previous one in force.
 */
export async function writeCheckpoint(
  runDir: string,
  model: tfl.LayersModel,
  optimizer: tf.Optimizer,
  state: Omit<CheckpointInfo, 'folder' | 'savedAt'>,
): Promise<CheckpointInfo> {
  const folder = `checkpoints/epoch-${state.epoch}`
  const path = join(runDir, folder)
  await saveModel(model, path)
  const encoded = await tf.io.encodeWeights(await optimizer.getWeights())
  await writeFileAtomic(join(path, 'optimizer.bin'), new Uint8Array(encoded.data))
  await writeFileAtomic(join(path, 'optimizer.json'), JSON.stringify(encoded.specs))
  const info: CheckpointInfo = { ...state, folder, savedAt: new Date().toISOString() }
  await writeFileAtomic(join(runDir, CHECKPOINT_POINTER), JSON.stringify(info))
  await removeOlderCheckpoints(runDir, folder)
  return info
}

async function removeOlderCheckpoints(runDir: string, keep: string): Promise<void> {
  const names = await readdir(join(runDir, 'checkpoints')).catch(() => [] as string[])
  for (const name of names) {
    if (`checkpoints/${name}` !== keep) await rm(join(runDir, 'checkpoints', name), { recursive: true, force: true })
  }
}

export async function loadCheckpoint(runDir: string, info: CheckpointInfo) {
  const path = join(runDir, info.folder)
  const model = await loadModel(path)
  const specs = JSON.parse(await readFile(join(path, 'optimizer.json'), 'utf8')) as tf.io.WeightsManifestEntry[]
  const bytes = await readFile(join(path, 'optimizer.bin'))
  const map = tf.io.decodeWeights(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer, specs)
  // Order matters: tfjs optimizers restore their slots by position, in the order getWeights() wrote them.
  const optimizerWeights: NamedTensor[] = specs.map((spec) => ({ name: spec.name, tensor: map[spec.name] }))
  return { model, optimizerWeights }
}
