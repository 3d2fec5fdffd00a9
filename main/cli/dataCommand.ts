import { Command, InvalidArgumentError } from 'commander'
import { isAbsolute, resolve } from 'node:path'
import type { EventOf } from '../../shared/api/contract'
import type { DatasetDescription } from '../../shared/api/schemas'
import { DATASET_IDS, FOLDER_DATASET_PREFIX } from '../../shared/api/schemas'
import { dispatchApiCall } from '../services/apiDispatcher'
import type { Workbench } from '../services/workbench'

/** `mnist`, `cifar10`, `folder:/abs/path`, or a bare path (made absolute): what `--dataset` and `data <id>` take. */
export function datasetIdFromArgument(value: string): string {
  if ((DATASET_IDS as readonly string[]).includes(value)) return value
  const path = value.startsWith(FOLDER_DATASET_PREFIX) ? value.slice(FOLDER_DATASET_PREFIX.length) : value
  if (!value.startsWith(FOLDER_DATASET_PREFIX) && !/[\\/.]/.test(value)) {
    throw new InvalidArgumentError(`"${value}" is not a data set: use ${DATASET_IDS.join(', ')} or folder:<path>`)
  }
  return `${FOLDER_DATASET_PREFIX}${isAbsolute(path) ? path : resolve(path)}`
}

const fmt = (values: number[]) => values.map((v) => v.toFixed(4)).join(', ')

export function formatDescription(d: DatasetDescription): string {
  const lines = [
    `${d.name} (${d.id})`,
    `  source    ${d.source}`,
    `  images    ${d.imageShape[1]}x${d.imageShape[0]}, ${d.imageShape[2]} channel${d.imageShape[2] > 1 ? 's' : ''} as fed to the network; stored ${d.storedSize}`,
    `  splits    train ${d.splits.train}, validation ${d.splits.validation}, test ${d.splits.test}`,
    `  mean/std  [${fmt(d.mean)}] / [${fmt(d.std)}] (training split, ${d.statsImages} images, pixels in 0..1)`,
    `  classes   ${d.classNames.length}`,
  ]
  const width = Math.max(5, ...d.classNames.map((name) => name.length))
  lines.push(`    ${'class'.padEnd(width)}  ${'train'.padStart(7)}  ${'test'.padStart(7)}`)
  d.classNames.forEach((name, i) => lines.push(`    ${name.padEnd(width)}  ${String(d.classCounts.train[i] ?? 0).padStart(7)}  ${String(d.classCounts.test[i] ?? 0).padStart(7)}`))
  lines.push(`  skipped   ${d.skipped.length} file${d.skipped.length === 1 ? '' : 's'}`)
  for (const skip of d.skipped.slice(0, 200)) lines.push(`    ${skip.file}: ${skip.reason}`)
  if (d.skipped.length > 200) lines.push(`    ... and ${d.skipped.length - 200} more (--json lists all)`)
  for (const warning of d.warnings) lines.push(`  note      ${warning.file}: ${warning.reason}`)
  return lines.join('\n')
}

/** `data <id>`: what a data set holds and what the pipeline makes of it, before training on it. */
export function registerDataCommand(program: Command, open: () => Promise<Workbench>, fail: (message: string) => never): void {
  program
    .command('data')
    .description('describe a data set: classes and counts, splits, image size, mean/std, skipped files')
    .argument('<id>', `${DATASET_IDS.join(', ')}, folder:<path> or a folder path`, datasetIdFromArgument)
    .option('--size <n>', 'folders: decode to n x n pixels (default: their most common size)', (v) => Number(v))
    .option('--gray', 'folders: decode to one channel')
    .option('--validation <fraction>', 'hold out this fraction of the training split', (v) => Number(v))
    .option('--download', 'download the data set first if it is not cached (cifar10; fashion-mnist official files)')
    .option('--json', 'print JSON')
    .action(async (id: string, flags: { size?: number; gray?: boolean; validation?: number; download?: boolean; json?: boolean }) => {
      const workbench = await open()
      const call = async <T>(method: string, request: unknown): Promise<T> => {
        const result = await dispatchApiCall(workbench.handlers, method, request)
        return result.ok ? (result.value as T) : fail(result.error.message)
      }
      const unsubscribe = workbench.events.subscribe((event, payload) => {
        if (event !== 'download.progress' || flags.json) return
        const p = payload as EventOf<'download.progress'>
        const total = p.totalBytes ? ` of ${(p.totalBytes / 2 ** 20).toFixed(1)} MiB` : ''
        const eta = p.etaSeconds !== undefined ? `, ETA ${Math.round(p.etaSeconds)} s` : ''
        process.stderr.write(`\r${p.phase} ${p.file}: ${(p.receivedBytes / 2 ** 20).toFixed(1)} MiB${total} at ${(p.bytesPerSecond / 2 ** 20).toFixed(1)} MiB/s${eta}   `)
        if (p.phase === 'done' || p.phase === 'failed') process.stderr.write('\n')
      })
      try {
        const needsDownload = id === 'cifar10' || (id === 'fashion-mnist' && flags.download)
        if (needsDownload) {
          const list = await call<{ id: string; available: boolean }[]>('data.list', {})
          if (flags.download || !list.find((entry) => entry.id === id)?.available) {
            if (!flags.download) fail(`${id} is not downloaded yet; run again with --download (it is verified and kept for offline use)`)
            await call('data.download', { dataset: id })
          }
        }
        const description = await call<DatasetDescription>('data.describe', {
          dataset: id,
          size: flags.size,
          channels: flags.gray ? 1 : undefined,
          validationFraction: flags.validation,
        })
        console.log(flags.json ? JSON.stringify(description) : formatDescription(description))
      } finally {
        unsubscribe()
      }
    })
}
