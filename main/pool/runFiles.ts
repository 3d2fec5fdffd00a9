import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import { dirname, join, relative, resolve, sep } from 'node:path'
import type { Redis } from 'ioredis'
import { readCheckpointInfo, CHECKPOINT_POINTER } from '../storage/checkpointInfo'
import { writeFileAtomic } from '../storage/atomicFile'
import { FENCE_FIELD, RUN_KEYS_TTL_SECONDS, isDeclaredRunFile } from './poolProtocol'
import { LostRunError, fencedReplaceHash } from './runFence'

/** A worker's uploads carry its attempt's fencing token and are refused once another attempt holds the run. */
export interface Fenced {
  runId: string
  fence: string
}

async function listFiles(root: string, folder = root): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true })
  const files: string[] = []
  for (const entry of entries) {
    const path = join(folder, entry.name)
    if (entry.isDirectory()) files.push(...(await listFiles(root, path)))
    else if (entry.isFile()) files.push(relative(root, path).split(sep).join('/'))
  }
  return files
}

/** Replaces a hash with the files `paths` under `runDir` (paths relative to it), in one transaction. */
export async function uploadFiles(redis: Redis, key: string, runDir: string, paths: string[], fenced?: Fenced): Promise<void> {
  const fields: Record<string, Buffer> = {}
  for (const path of paths) fields[path] = await readFile(join(runDir, path))
  if (!fenced) {
    await redis.multi().del(key).hset(key, fields).expire(key, RUN_KEYS_TTL_SECONDS).exec()
    return
  }
  if (!(await fencedReplaceHash(redis, fenced.runId, key, fenced.fence, fields))) throw new LostRunError(fenced.runId)
}

export async function folderFiles(runDir: string, folder: string): Promise<string[]> {
  return (await listFiles(runDir, join(runDir, folder))).sort()
}

/**
 * The newest checkpoint (pointer and folder) to Redis. The trainer may already have written the next
 * one and removed this folder (tiny epochs): then the newer one is sent. Returns the epoch sent.
 */
export async function uploadCheckpoint(redis: Redis, key: string, runDir: string, fenced?: Fenced): Promise<number | undefined> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const info = await readCheckpointInfo(runDir)
    if (!info) return undefined
    try {
      await uploadFiles(redis, key, runDir, [CHECKPOINT_POINTER, ...(await folderFiles(runDir, info.folder))], fenced)
      return info.epoch
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    }
  }
  throw new Error(`the checkpoint in ${runDir} kept changing while it was being sent`)
}

/**
 * Writes a hash's files under `runDir`. Paths come from Redis: only the names a run folder declares are
 * written (anything else is left out), each inside the folder; with `fence`, nothing unless the hash was
 * written by that attempt. The checkpoint pointer is written last, so a reader never sees it name a
 * folder not yet complete. Returns how many files were written.
 */
export async function downloadFiles(redis: Redis, key: string, runDir: string, fence?: string): Promise<number> {
  const fields = await redis.hgetallBuffer(key)
  if (fence !== undefined && fields[FENCE_FIELD]?.toString() !== fence) return 0
  const paths = Object.keys(fields)
    .filter(isDeclaredRunFile)
    .sort((a, b) => Number(a === CHECKPOINT_POINTER) - Number(b === CHECKPOINT_POINTER))
  const root = resolve(runDir)
  for (const path of paths) {
    const target = resolve(root, path)
    if (!target.startsWith(root + sep)) throw new Error(`refusing to write ${path}: it points outside the run folder`)
    await mkdir(dirname(target), { recursive: true })
    if (path === CHECKPOINT_POINTER) await writeFileAtomic(target, fields[path])
    else await writeFile(target, fields[path])
  }
  return paths.length
}
