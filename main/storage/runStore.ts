import { appendFile, mkdir, readdir, rename, rm } from 'node:fs/promises'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { EpochMetrics, isActiveRunStatus, MetricPoint, RunId, RunSummary, type RunDetail } from '../../shared/api/schemas'
import { WorkbenchError } from '../../shared/api/contract'
import { writeFileAtomic } from './atomicFile'
import { readRegularFile } from './regularFile'
import { readCheckpointInfo } from './checkpointInfo'

/** A run.json is a few KiB; anything far larger (or not a regular file) is not one. */
const MAX_RUN_JSON_BYTES = 16 * 2 ** 20

export class RunNotFoundError extends WorkbenchError {
  constructor(runId: string) {
    super('not-found', `no run with id ${runId}`)
    this.name = 'RunNotFoundError'
  }
}

type MetricLine = { kind: 'point'; point: MetricPoint } | { kind: 'epoch'; metrics: EpochMetrics }

/**
 * One folder per run: run.json (summary, replaced atomically), metrics.jsonl (append-only, so a kill
 * loses at most the last lines) and model/ (the trained weights). Nothing is kept only in memory.
 */
export class RunStore {
  constructor(readonly root: string) {}

  runDir(runId: string): string {
    // Ids become paths: reject anything outside the narrow id alphabet before touching the disk.
    return join(this.root, 'runs', RunId.parse(runId))
  }

  newRunId(): string {
    return `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`
  }

  async save(summary: RunSummary): Promise<void> {
    await writeFileAtomic(join(this.runDir(summary.runId), 'run.json'), JSON.stringify(summary, null, 2))
  }

  async appendMetrics(runId: string, lines: MetricLine[]): Promise<void> {
    if (!lines.length) return
    await appendFile(join(this.runDir(runId), 'metrics.jsonl'), lines.map((line) => JSON.stringify(line) + '\n').join(''))
  }

  /** Cuts the history back to a checkpoint, so a resumed run's curves continue without overlap. */
  async truncateMetrics(runId: string, samplesSeen: number, epoch: number): Promise<void> {
    const { points, epochs } = await this.readMetrics(runId)
    const kept: MetricLine[] = [
      ...points.filter((point) => point.samples <= samplesSeen).map((point) => ({ kind: 'point' as const, point })),
      ...epochs.filter((metrics) => metrics.epoch <= epoch).map((metrics) => ({ kind: 'epoch' as const, metrics })),
    ]
    await writeFileAtomic(join(this.runDir(runId), 'metrics.jsonl'), kept.map((line) => JSON.stringify(line) + '\n').join(''))
  }

  async get(runId: string): Promise<RunSummary> {
    let text: string
    try {
      // Never a blocking read: a FIFO named run.json must not hold a threadpool worker (and runs.list) forever.
      text = (await readRegularFile(join(this.runDir(runId), 'run.json'), MAX_RUN_JSON_BYTES)).toString('utf8')
    } catch {
      throw new RunNotFoundError(runId)
    }
    return RunSummary.parse(upgradeLegacyStatus(JSON.parse(text)))
  }

  async detail(runId: string): Promise<RunDetail> {
    const summary = await this.get(runId)
    return { ...summary, ...(await this.readMetrics(runId)) }
  }

  private async readMetrics(runId: string): Promise<{ points: MetricPoint[]; epochs: EpochMetrics[] }> {
    const points: MetricPoint[] = []
    const epochs: EpochMetrics[] = []
    const text = await readRegularFile(join(this.runDir(runId), 'metrics.jsonl')).then((bytes) => bytes.toString('utf8'), () => '')
    for (const line of text.split('\n')) {
      if (!line) continue
      let parsed: MetricLine
      try {
        parsed = JSON.parse(line) as MetricLine
      } catch {
        continue // a line torn by a crash mid-append
      }
      if (parsed.kind === 'point' && MetricPoint.safeParse(parsed.point).success) points.push(parsed.point)
      if (parsed.kind === 'epoch' && EpochMetrics.safeParse(parsed.metrics).success) epochs.push(parsed.metrics)
    }
    return { points, epochs }
  }

  async list(): Promise<RunSummary[]> {
    const folder = join(this.root, 'runs')
    await mkdir(folder, { recursive: true })
    const names = await readdir(folder)
    const runs: RunSummary[] = []
    for (const name of names) {
      if (!RunId.safeParse(name).success) continue
      try {
        runs.push(await this.get(name))
      } catch {
        // An unreadable run.json is skipped rather than hiding every other run.
      }
    }
    return runs.sort((a, b) => b.createdAt.localeCompare(a.createdAt))
  }

  /**
   * Removes a run's folder. It is first renamed aside (atomic), so a crash mid-delete never leaves a
   * half-deleted run in the list: at worst an ignored `.deleted-*` folder that the next delete sweeps.
   */
  async delete(runId: string): Promise<void> {
    const dir = this.runDir(runId)
    await this.get(runId) // not-found for an id with no run
    const trash = join(this.root, 'runs', `.deleted-${RunId.parse(runId)}-${randomBytes(3).toString('hex')}`)
    try {
      await rename(dir, trash)
    } catch (error) {
      // Another delete of the same run got there first.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new RunNotFoundError(runId)
      throw error
    }
    await rm(trash, { recursive: true, force: true })
  }

  /** A run killed while writing a checkpoint leaves its folder beside the one checkpoint.json names: removed. */
  private async removeUnfinishedCheckpoints(runId: string): Promise<void> {
    const runDir = this.runDir(runId)
    const kept = (await readCheckpointInfo(runDir))?.folder
    for (const name of await readdir(join(runDir, 'checkpoints')).catch(() => [] as string[])) {
      if (`checkpoints/${name}` !== kept) await rm(join(runDir, 'checkpoints', name), { recursive: true, force: true })
    }
  }

  /**
   * Runs that were queued or running when the app last stopped can only have been interrupted, unless
   * `trainsElsewhere` says otherwise (pool runs): those are left as they are, to be followed again.
   */
  async markAbandonedRunsInterrupted(trainsElsewhere: (run: RunSummary) => boolean = () => false): Promise<RunSummary[]> {
    const changed: RunSummary[] = []
    for (const run of await this.list()) {
      if (isActiveRunStatus(run.status)) {
        if (trainsElsewhere(run)) continue
        const updated = { ...run, status: 'interrupted' as const, error: 'the app stopped while this run was in progress' }
        try {
          await this.removeUnfinishedCheckpoints(run.runId)
          await this.save(updated)
          changed.push(updated)
        } catch (error) {
          // A full disk must not keep the app from starting: the run is marked on a later start.
          console.error(`run ${run.runId}: could not mark it interrupted: ${(error as Error).message}`)
        }
      }
    }
    return changed
  }
}

/** Runs cancelled before `cancelled` existed were stored as `stopped` with this error: read them as what they are. */
function upgradeLegacyStatus(stored: unknown): unknown {
  const run = stored as { status?: unknown; error?: unknown } | null
  if (run?.status === 'stopped' && run.error === 'cancelled by the user') return { ...run, status: 'cancelled', error: undefined }
  return stored
}
