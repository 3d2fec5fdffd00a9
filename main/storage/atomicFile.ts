import { open, rename, mkdir, unlink } from 'node:fs/promises'
import { dirname } from 'node:path'

/**
 * Write to a temporary file, flush it to disk, then rename over the target: a crash or a full disk at
 * any moment leaves either the old file or the new one, never a torn one.
 */
let writeCounter = 0

export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true })
  // Unique per write: two writes of the same file may be in flight at once.
  const temporary = `${path}.${process.pid}.${++writeCounter}.tmp`
  const handle = await open(temporary, 'w')
  try {
    await handle.writeFile(data)
    await handle.sync()
  } catch (error) {
    await handle.close()
    await unlink(temporary).catch(() => undefined)
    throw error
  }
  await handle.close()
  await rename(temporary, path)
}
