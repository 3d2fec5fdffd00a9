import type { Dirent } from 'node:fs'
import { readdir, realpath, stat } from 'node:fs/promises'
import type { SkippedFile } from '../../../shared/api/schemas'
import { DatasetError } from '../pipeline/dataset'
import { createRandom, shuffledIndices } from '../pipeline/seededRandom'
import { describeNotImage, MAX_FILE_BYTES, sniffFormat } from './imageFiles'
import { probeFiles } from './jpegFastPath'
import { FileTooLargeError, NotRegularFileError, openRegularFile, specialFileKind } from '../../storage/regularFile'

/** One image file of a folder data set. Paths are bytes: names that are not valid UTF-8 still open. */
export interface FolderEntry {
  path: Buffer
  /** The path relative to the data set's folder, for messages (invalid UTF-8 shown as U+FFFD). */
  display: string
  label: number
  bytes: number
}

export interface FolderScan {
  root: string
  layout: 'train-test' | 'split'
  classNames: string[]
  train: FolderEntry[]
  test: FolderEntry[]
  skipped: SkippedFile[]
  warnings: SkippedFile[]
}

/** Of a folder without train/ and test/: the share of each class held out as the test split (seeded). */
export const FOLDER_TEST_FRACTION = 0.2
/**
 * Bounds of one scan, so that the wrong folder chosen (a home folder, `/`, a symlink farm) ends soon with
 * a clear message: directory entries looked at, and folder levels below a class folder.
 */
export const MAX_SCAN_ENTRIES = 1_000_000
export const MAX_SCAN_DEPTH = 32
/** How often (entries looked at) a scan reports its progress. */
const PROGRESS_EVERY = 2_000

export interface ScanProgress {
  entries: number
  files: number
}

export interface ScanOptions {
  /** Aborted: the scan stops at its next folder or file, throwing the abort reason. */
  signal?: AbortSignal
  onProgress?: (progress: ScanProgress) => void
  maxEntries?: number
  maxDepth?: number
}

/** Process, kernel and device state, not folders of images: a scan of them never ends (/proc/<pid>/task/...). */
const PSEUDO_FILE_SYSTEMS = ['/proc', '/sys', '/dev']
let pseudoDevices: Promise<Set<number>> | undefined
function pseudoFileSystemDevices(): Promise<Set<number>> {
  pseudoDevices ??= Promise.all(PSEUDO_FILE_SYSTEMS.map((path) => stat(path).then((info) => info.dev, () => -1))).then((devs) => new Set(devs.filter((dev) => dev >= 0)))
  return pseudoDevices
}

function underPseudoFileSystem(path: string): string | undefined {
  return PSEUDO_FILE_SYSTEMS.find((root) => path === root || path.startsWith(`${root}/`))
}
const SNIFF_BYTES = 16
const CONCURRENCY = 32

function decodeName(name: Buffer): { text: string; valid: boolean } {
  const text = name.toString('utf8')
  return { text, valid: Buffer.from(text, 'utf8').equals(name) }
}

function joinBytes(dir: Buffer, name: Buffer): Buffer {
  return Buffer.concat([dir, Buffer.from('/'), name])
}

function errorReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code
  if (code === 'EACCES' || code === 'EPERM') return 'cannot be read (permission denied)'
  if (code === 'ELOOP') return 'symbolic link loop; not followed'
  if (code === 'ENOENT') return 'is a broken symbolic link'
  if (error instanceof NotRegularFileError) return `${error.kind}, not a regular file; skipped without reading it`
  if (error instanceof FileTooLargeError) return `${(error.bytes / 2 ** 20).toFixed(0)} MiB, more than the ${MAX_FILE_BYTES / 2 ** 20} MiB limit`
  return `cannot be read (${(error as Error).message})`
}

interface Context {
  root: string
  skipped: SkippedFile[]
  warnings: SkippedFile[]
  files: number
  entries: number
  options: ScanOptions
  pseudoDevices: Set<number>
}

/** Counts entries looked at: reports progress, honours the entry budget and a cancel. */
function countEntries(ctx: Context, count: number): void {
  ctx.options.signal?.throwIfAborted()
  const before = ctx.entries
  ctx.entries += count
  const limit = ctx.options.maxEntries ?? MAX_SCAN_ENTRIES
  if (ctx.entries > limit) throw new DatasetError(`${ctx.root}: more than ${limit.toLocaleString('en-US')} files and folders; choose a smaller folder`)
  if (Math.floor(before / PROGRESS_EVERY) !== Math.floor(ctx.entries / PROGRESS_EVERY)) ctx.options.onProgress?.({ entries: ctx.entries, files: ctx.files })
}

/**
 * Every candidate image under a class folder, recursively, following symbolic links but never into a
 * folder it has already visited (a link loop is reported and not followed).
 */
async function collectFiles(dir: Buffer, display: string, label: number, ctx: Context, visited: Set<string>, out: FolderEntry[], depth = 0): Promise<void> {
  let entries: { name: Buffer; type: Dirent<Buffer> }[]
  try {
    entries = (await readdir(dir, { withFileTypes: true, encoding: 'buffer' })).map((entry) => ({ name: entry.name as unknown as Buffer, type: entry as unknown as Dirent<Buffer> }))
  } catch (error) {
    ctx.skipped.push({ file: `${display}/`, reason: errorReason(error) })
    return
  }
  countEntries(ctx, entries.length)
  entries.sort((a, b) => Buffer.compare(a.name, b.name))
  const files: { path: Buffer; display: string }[] = []
  for (const entry of entries) {
    const name = decodeName(entry.name)
    if (name.text.startsWith('.')) continue // .DS_Store, .git, editors' files
    const path = joinBytes(dir, entry.name)
    const shown = `${display}/${name.text}`
    if (!name.valid) ctx.warnings.push({ file: shown, reason: 'name is not valid UTF-8 (shown with U+FFFD); the file is used' })
    let isDir = entry.type.isDirectory()
    let key: string | undefined
    // The directory entry's type, or the target's for a link (or where the file system gives no type):
    // FIFOs, sockets and devices are left out here, never opened.
    let kind = entry.type.isSymbolicLink() ? undefined : specialFileKind(entry.type)
    if (entry.type.isSymbolicLink() || isDir || kind === 'a special file') {
      try {
        const info = await stat(path)
        isDir = info.isDirectory()
        kind = specialFileKind(info)
        key = `${info.dev}:${info.ino}`
        if (isDir && ctx.pseudoDevices.has(info.dev)) {
          ctx.skipped.push({ file: `${shown}/`, reason: 'on a pseudo-file system (/proc, /sys, /dev); not read' })
          continue
        }
      } catch (error) {
        ctx.skipped.push({ file: shown, reason: errorReason(error) })
        continue
      }
    }
    if (!isDir && kind) {
      ctx.skipped.push({ file: shown, reason: `${kind}, not a regular file; skipped without reading it` })
      continue
    }
    if (isDir) {
      if (visited.has(key!)) {
        ctx.skipped.push({ file: `${shown}/`, reason: 'symbolic link loop (leads to a folder already read); not followed' })
        continue
      }
      const maxDepth = ctx.options.maxDepth ?? MAX_SCAN_DEPTH
      if (depth + 1 > maxDepth) {
        ctx.skipped.push({ file: `${shown}/`, reason: `more than ${maxDepth} folder levels below its class folder; not read` })
        continue
      }
      visited.add(key!)
      await collectFiles(path, shown, label, ctx, visited, out, depth + 1)
      visited.delete(key!)
      continue
    }
    ctx.files++
    files.push({ path, display: shown })
  }
  const checked = await checkFiles(files)
  checked.forEach((result, i) => {
    if ('skip' in result) ctx.skipped.push({ file: files[i].display, reason: result.skip! })
    else out.push({ path: files[i].path, display: files[i].display, label, bytes: result.bytes! })
  })
}

/**
 * Size and first bytes of each file, a few at a time: non-images are left out here, with the reason.
 * The native reader checks the plain ones in one call; the rest (and all without it) are looked at here.
 */
async function checkFiles(files: { path: Buffer; display: string }[]): Promise<({ skip: string } | { bytes: number })[]> {
  const probed = await probeFiles(files.map((file) => file.path), SNIFF_BYTES)
  return mapLimited(files, CONCURRENCY, async (file, i): Promise<{ skip: string } | { bytes: number }> => {
    const quick = probed[i]
    if (quick && quick.size > 0 && quick.size <= MAX_FILE_BYTES) {
      return sniffFormat(quick.head) ? { bytes: quick.size } : { skip: describeNotImage(file.display, quick.head) }
    }
    try {
      // Checked again on the open handle (never a blocking open): the file may have been replaced since.
      const { handle, size } = await openRegularFile(file.path, MAX_FILE_BYTES)
      try {
        if (size === 0) return { skip: 'empty file (0 bytes)' }
        const head = new Uint8Array(SNIFF_BYTES)
        const { bytesRead } = await handle.read(head, 0, SNIFF_BYTES, 0)
        const first = head.subarray(0, bytesRead)
        if (!sniffFormat(first)) return { skip: describeNotImage(file.display, first) }
        return { bytes: size }
      } finally {
        await handle.close()
      }
    } catch (error) {
      return { skip: errorReason(error) }
    }
  })
}

export async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length)
  let next = 0
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++
      results[i] = await fn(items[i], i)
    }
  })
  await Promise.all(workers)
  return results
}

async function subfolders(dir: Buffer, display: string, ctx: Context): Promise<{ name: Buffer; text: string; path: Buffer }[]> {
  const out: { name: Buffer; text: string; path: Buffer }[] = []
  const entries = await readdir(dir, { withFileTypes: true, encoding: 'buffer' })
  countEntries(ctx, entries.length)
  entries.sort((a, b) => Buffer.compare(a.name as unknown as Buffer, b.name as unknown as Buffer))
  for (const entry of entries) {
    const name = entry.name as unknown as Buffer
    const { text, valid } = decodeName(name)
    if (text.startsWith('.')) continue
    const path = joinBytes(dir, name)
    const shown = display ? `${display}/${text}` : text
    let isDir = entry.isDirectory()
    if (entry.isSymbolicLink()) {
      try {
        isDir = (await stat(path)).isDirectory()
      } catch (error) {
        ctx.skipped.push({ file: shown, reason: errorReason(error) })
        continue
      }
    }
    if (!isDir) {
      ctx.skipped.push({ file: shown, reason: 'not inside a class folder (put each class in its own subfolder)' })
      continue
    }
    if (!valid) ctx.warnings.push({ file: `${shown}/`, reason: 'class folder name is not valid UTF-8 (shown with U+FFFD)' })
    out.push({ name, text, path })
  }
  return out
}

async function readClasses(dir: Buffer, display: string, ctx: Context, rootKey: string): Promise<Map<string, FolderEntry[]>> {
  const classes = new Map<string, FolderEntry[]>()
  const rootInfo = await stat(dir)
  for (const folder of await subfolders(dir, display, ctx)) {
    const entries: FolderEntry[] = []
    const info = await stat(folder.path)
    if (ctx.pseudoDevices.has(info.dev)) {
      ctx.skipped.push({ file: `${folder.text}/`, reason: 'on a pseudo-file system (/proc, /sys, /dev); not read' })
      continue
    }
    await collectFiles(folder.path, display ? `${display}/${folder.text}` : folder.text, -1, ctx, new Set([rootKey, `${rootInfo.dev}:${rootInfo.ino}`, `${info.dev}:${info.ino}`]), entries)
    classes.set(folder.text, entries)
  }
  return classes
}

/**
 * Reads a folder data set's layout without decoding any image: one subfolder per class (images may sit
 * deeper inside it), or train/ and test/ each holding the class subfolders. Without train/ and test/,
 * FOLDER_TEST_FRACTION of each class (seeded) becomes the test split. Throws only when nothing usable is
 * there at all; every file left out is listed with its reason.
 */
export async function scanFolder(root: string, seed = 1, options: ScanOptions = {}): Promise<FolderScan> {
  let info
  let real
  try {
    info = await stat(root)
    real = await realpath(root)
  } catch (error) {
    throw new DatasetError(`${root}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such folder' : errorReason(error)}`)
  }
  if (!info.isDirectory()) throw new DatasetError(`${root}: is a file, not a folder of class subfolders`)
  const pseudo = underPseudoFileSystem(real)
  const devices = await pseudoFileSystemDevices()
  if (pseudo || devices.has(info.dev)) throw new DatasetError(`${root}: is on a pseudo-file system (${pseudo ?? 'process, kernel or device state'}), not a folder of images`)
  const ctx: Context = { root, skipped: [], warnings: [], files: 0, entries: 0, options, pseudoDevices: devices }
  const rootBytes = Buffer.from(root)
  const rootKey = `${info.dev}:${info.ino}`
  const top = await subfolders(rootBytes, '', { ...ctx, skipped: [], warnings: [] })
  const trainDir = top.find((entry) => entry.text.toLowerCase() === 'train')
  const testDir = top.find((entry) => entry.text.toLowerCase() === 'test')

  let trainClasses: Map<string, FolderEntry[]>
  let testClasses = new Map<string, FolderEntry[]>()
  let layout: FolderScan['layout'] = 'split'
  if (trainDir && testDir) {
    layout = 'train-test'
    trainClasses = await readClasses(trainDir.path, trainDir.text, ctx, rootKey)
    testClasses = await readClasses(testDir.path, testDir.text, ctx, rootKey)
  } else {
    trainClasses = await readClasses(rootBytes, '', ctx, rootKey)
  }
  if (trainClasses.size === 0) {
    throw new DatasetError(`${root}: has no class subfolders; put each class's images in a subfolder named after the class (cat/, dog/, ...)`)
  }
  const classNames: string[] = []
  for (const [name, entries] of trainClasses) {
    if (entries.length === 0) ctx.skipped.push({ file: `${layout === 'train-test' ? `${trainDir!.text}/` : ''}${name}/`, reason: 'class folder has no usable images; the class is left out' })
    else classNames.push(name)
  }
  for (const [name, entries] of testClasses) {
    if (!trainClasses.get(name)?.length && entries.length) ctx.skipped.push({ file: `${testDir!.text}/${name}/`, reason: `class has no training images; its ${entries.length} test images are left out` })
  }
  if (classNames.length === 0) throw new DatasetError(`${root}: none of its ${trainClasses.size} class folders holds an image that can be used`)

  const train: FolderEntry[] = []
  const test: FolderEntry[] = []
  classNames.forEach((name, label) => {
    const entries = trainClasses.get(name)!.map((entry) => ({ ...entry, label }))
    if (layout === 'train-test') {
      train.push(...entries)
      test.push(...(testClasses.get(name) ?? []).map((entry) => ({ ...entry, label })))
      return
    }
    const order = shuffledIndices(entries.length, createRandom((seed * 7919 + label) >>> 0))
    const held = entries.length >= 2 ? Math.max(1, Math.floor(entries.length * FOLDER_TEST_FRACTION)) : 0
    order.forEach((index, position) => (position < held ? test : train).push(entries[index]))
  })
  return { root, layout, classNames, train, test, skipped: ctx.skipped, warnings: ctx.warnings }
}
