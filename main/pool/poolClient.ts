import { readdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { Queue } from 'bullmq'
import type { Redis } from 'ioredis'
import { PoolWorkerInfo } from '../../shared/api/schemas'
import { readCheckpointInfo } from '../storage/checkpointInfo'
import { ToWorker } from '../training/workerProtocol'
import type { WorkerHandle } from '../processes/workerLauncher'
import { POOL_QUEUE_NAME, parseEntry, type PoolMessage, type StreamEntry, RUN_KEYS_TTL_SECONDS, poolKeys, type PoolJob, type RunControlCommand } from './poolProtocol'
import { checkRedis, createRedis, describeRedisError, insecureRedisWarning, redactRedisUrl, whenReady } from './redisConnection'
import { downloadFiles, uploadCheckpoint } from './runFiles'
import { expectJob, revokeRun, runHolder } from './runFence'

/** A run trained by the pool, seen from the workbench: a worker handle whose process is somewhere else. */
export interface RemoteRunHandle extends WorkerHandle {
  /** Stops following the run and leaves it training (the workbench closes; it picks the run up on reopen). */
  detach(): void
  /** Takes the run out of the queue if no worker has it yet; false when one has. */
  withdraw(): Promise<boolean>
  /** True only when Redis answers and the run's job is gone from the queue (Redis restarted without persistence). */
  jobVanished(): Promise<boolean>
}

/**
 * The workbench's side of the pool: queues runs as BullMQ jobs, follows each run's Redis stream (from
 * its first entry, so a reopened workbench backfills what it missed), and copies checkpoints and the
 * final model into the local run folder as they arrive.
 */
export class PoolClient {
  private readonly redis: Redis
  private readonly queue: Queue
  /** BullMQ leaves a connection it was given open on close: ours to end. */
  private readonly queueConnection: Redis
  private readonly handles = new Set<RemoteRunHandle>()

  private constructor(readonly url: string) {
    this.redis = createRedis(url)
    this.queueConnection = createRedis(url)
    this.queue = new Queue(POOL_QUEUE_NAME, { connection: this.queueConnection })
    this.queue.on('error', () => {})
  }

  /** Checks the URL and the password first: a wrong one is one clear line, not a reconnect loop. */
  static async connect(url: string): Promise<PoolClient> {
    await checkRedis(url)
    const warning = insecureRedisWarning(url)
    if (warning) console.warn(warning)
    return new PoolClient(url)
  }

  get displayUrl(): string {
    return redactRedisUrl(this.url)
  }

  /** A handle for a new (or resumed) run: the `start` message sent to it queues the job. */
  launch(): RemoteRunHandle {
    return this.track(new StreamFollower(this, false))
  }

  /** A handle for a run queued or training in the pool before the workbench (re)opened: nothing is queued. */
  attach(): RemoteRunHandle {
    return this.track(new StreamFollower(this, true))
  }

  private track(handle: RemoteRunHandle): RemoteRunHandle {
    this.handles.add(handle)
    handle.onExit(() => this.handles.delete(handle))
    return handle
  }

  /** @internal */
  async queueRun(job: PoolJob, runDir: string): Promise<string> {
    const { runId } = job
    // A resumed run restarts from the checkpoint the workbench holds; a fresh one from nothing.
    if (job.resume) await uploadCheckpoint(this.redis, poolKeys.checkpoint(runId), runDir)
    else await this.redis.del(poolKeys.checkpoint(runId))
    await this.redis.del(poolKeys.events(runId), poolKeys.model(runId), poolKeys.control(runId))
    const jobId = `${runId}-${Date.now().toString(36)}`
    // Before the job exists: whichever attempt held the run (a cancelled one still stopping) may write no more.
    await expectJob(this.redis, runId, jobId)
    await this.queue.add('train', job, { jobId, removeOnComplete: true, removeOnFail: 1000 })
    return jobId
  }

  /** @internal Removes a job that waits; one a worker holds stays (BullMQ refuses to remove a locked job). */
  async withdraw(runId: string): Promise<boolean> {
    const waiting = await this.queue.getJobs(['waiting', 'delayed', 'prioritized'])
    const job = waiting.find((candidate) => (candidate.data as { runId?: string } | undefined)?.runId === runId)
    if (!job) return false
    try {
      await job.remove()
      await revokeRun(this.redis, runId)
      await this.redis.del(poolKeys.events(runId), poolKeys.checkpoint(runId), poolKeys.control(runId))
      return true
    } catch {
      return false
    }
  }

  /** @internal */
  async control(runId: string, command: RunControlCommand): Promise<void> {
    await this.redis.set(poolKeys.control(runId), command, 'EX', RUN_KEYS_TTL_SECONDS)
  }

  /** @internal Cancel: the attempt training the run loses it (its next write or poll fails) and stops mid-batch. */
  async revoke(runId: string): Promise<void> {
    await revokeRun(this.redis, runId)
  }

  /**
   * @internal Whether a run's job is gone: its job key (set when it was queued, kept until the run is
   * copied back) is missing, or, while no worker has reported taking it, BullMQ holds no such job and
   * the run's stream is empty. False whenever Redis cannot say.
   */
  async jobVanished(runId: string, placed: boolean): Promise<boolean> {
    if (!(await whenReady(this.redis, 5_000))) return false
    try {
      const jobId = await this.redis.get(poolKeys.job(runId))
      if (jobId === null) return true
      if (placed || (await this.queue.getJob(jobId))) return false
      return (await this.redis.xlen(poolKeys.events(runId))) === 0
    } catch {
      return false
    }
  }

  /** @internal */
  duplicateConnection(): Redis {
    return createRedis(this.url)
  }

  /** @internal */
  commands(): Redis {
    return this.redis
  }

  /** The workers whose heartbeat is fresh; the announcements of those gone are dropped from the set. */
  async workers(): Promise<PoolWorkerInfo[]> {
    const ids = await this.redis.smembers(poolKeys.workers)
    if (!ids.length) return []
    const values = await this.redis.mget(ids.map((id) => poolKeys.worker(id)))
    const workers: PoolWorkerInfo[] = []
    for (const [index, value] of values.entries()) {
      if (value === null) {
        await this.redis.srem(poolKeys.workers, ids[index])
        continue
      }
      const parsed = PoolWorkerInfo.safeParse(JSON.parse(value))
      if (parsed.success) workers.push(parsed.data)
    }
    return workers.sort((a, b) => a.id.localeCompare(b.id))
  }

  async status(): Promise<{ queue: string; connected: boolean; error?: string; workers: PoolWorkerInfo[] }> {
    try {
      // Without a connection ioredis would queue the command until Redis is back: answer now instead.
      if (this.redis.status !== 'ready') return { queue: this.displayUrl, connected: false, error: `reconnecting to Redis at ${this.displayUrl}`, workers: [] }
      return { queue: this.displayUrl, connected: true, workers: await this.workers() }
    } catch (error) {
      return { queue: this.displayUrl, connected: false, error: describeRedisError(error, this.url), workers: [] }
    }
  }

  close(): void {
    for (const handle of this.handles) handle.detach()
    void this.queue
      .close()
      .catch(() => {})
      .finally(() => this.queueConnection.disconnect())
    this.redis.disconnect()
  }
}

const READ_BLOCK_MS = 2_000


/** Follows one run's stream and turns it into the messages a local training worker would have sent. */
class StreamFollower implements RemoteRunHandle {
  readonly pid = undefined
  private readonly messageListeners: ((message: unknown) => void)[] = []
  private readonly exitListeners: ((code: number | null, signal: string | null) => void)[] = []
  private reader?: Redis
  private runId?: string
  private runDir?: string
  private following = false
  private exited = false
  /** Whether a worker has taken the run (a `placed` entry was read). */
  private placed = false
  /** The fencing token of the attempt whose entries are taken; entries of any other are refused. */
  private fence?: string
  private refused = 0
  private queued: Promise<unknown> = Promise.resolve()

  constructor(
    private readonly pool: PoolClient,
    private readonly attached: boolean,
  ) {}

  send(raw: unknown): void {
    const parsed = ToWorker.safeParse(raw)
    if (!parsed.success) return
    const message = parsed.data
    if (message.type === 'start') {
      this.runId = message.runId
      this.runDir = message.runDir
      this.following = true
      const queued = this.attached ? Promise.resolve() : this.pool.queueRun({ runId: message.runId, config: message.config, resume: message.resume }, message.runDir)
      this.queued = queued.catch(() => undefined)
      void queued.then(
        () => this.follow(),
        (error: Error) => this.end({ type: 'failed', error: `could not queue the run on the pool at ${this.pool.displayUrl}: ${error.message}` }),
      )
    } else if (this.runId && (message.type === 'stop' || message.type === 'pause' || message.type === 'resume')) {
      void this.pool.control(this.runId, message.type).catch(() => {})
    }
  }

  onMessage(listener: (message: unknown) => void): void {
    this.messageListeners.push(listener)
  }

  onExit(listener: (code: number | null, signal: string | null) => void): void {
    this.exitListeners.push(listener)
  }

  /** Cancel: the worker training the run kills it; here the run ends at once, keeping its last checkpoint. */
  kill(): void {
    if (this.runId) void this.pool.revoke(this.runId).catch(() => {})
    this.stopFollowing()
    this.exit(null, 'SIGKILL')
  }

  detach(): void {
    this.stopFollowing()
  }

  async withdraw(): Promise<boolean> {
    if (!this.runId || this.placed) return false
    await this.queued
    return this.pool.withdraw(this.runId)
  }

  async jobVanished(): Promise<boolean> {
    if (!this.runId || this.exited) return false
    // Not before the job is queued: its key is written then.
    await this.queued
    return this.pool.jobVanished(this.runId, this.placed)
  }

  private stopFollowing(): void {
    this.following = false
    this.reader?.disconnect()
  }

  private exit(code: number | null, signal: string | null): void {
    if (this.exited) return
    this.exited = true
    for (const listener of this.exitListeners) listener(code, signal)
  }

  private emit(message: unknown): void {
    for (const listener of this.messageListeners) listener(message)
  }

  private end(message: PoolMessage): void {
    this.emit(message)
    this.stopFollowing()
    this.exit(0, null)
  }

  private async follow(): Promise<void> {
    const runId = this.runId!
    const key = poolKeys.events(runId)
    this.reader = this.pool.duplicateConnection()
    let lastId = '0'
    while (this.following) {
      let entries: [string, string[]][] = []
      try {
        const reply = await this.reader.xread('COUNT', 200, 'BLOCK', READ_BLOCK_MS, 'STREAMS', key, lastId)
        entries = reply?.[0]?.[1] ?? []
      } catch {
        // Redis went away (restart, network): ioredis reconnects; read on from the same entry.
        if (this.following) await new Promise((resolve) => setTimeout(resolve, 500))
        continue
      }
      for (const [id, fields] of entries) {
        if (!this.following) return
        lastId = id
        const entry = parseEntry(fields)
        if (entry && (await this.fromHolder(runId, entry))) await this.handle(runId, entry.message)
      }
    }
  }

  /**
   * Whether an entry was written by the attempt that holds the run now. A new token is taken only when
   * Redis names it the holder: a worker that lost the run, or an entry without one (forged), counts for nothing.
   */
  private async fromHolder(runId: string, entry: StreamEntry): Promise<boolean> {
    if (entry.fence !== undefined && entry.fence === this.fence) return true
    if (entry.fence !== undefined && (await runHolder(this.pool.commands(), runId)) === entry.fence) {
      this.fence = entry.fence
      return true
    }
    if (this.refused++ === 0) console.warn(`run ${runId}: refused a "${entry.message.type}" message on the pool from an attempt that does not hold the run (a worker that lost it, or a forgery)`)
    return false
  }

  private async handle(runId: string, message: PoolMessage): Promise<void> {
    const redis = this.pool.commands()
    const runDir = this.runDir!
    try {
      if (message.type === 'checkpoint' && (await downloadFiles(redis, poolKeys.checkpoint(runId), runDir, this.fence)) > 0) await removeStaleCheckpoints(runDir)
      if (message.type === 'completed') await downloadFiles(redis, poolKeys.model(runId), runDir, this.fence)
    } catch (error) {
      return this.end({ type: 'failed', error: `the run finished on the pool but its files could not be copied here: ${(error as Error).message}` })
    }
    if (message.type === 'placed') this.placed = true
    if (message.type === 'completed' || message.type === 'failed') {
      this.end(message)
      // Copied into the run store: Redis no longer needs to hold the run.
      await redis.del(poolKeys.model(runId), poolKeys.checkpoint(runId), poolKeys.events(runId), poolKeys.control(runId), poolKeys.holder(runId), poolKeys.job(runId), poolKeys.attempts(runId)).catch(() => {})
      return
    }
    this.emit(message)
  }
}


/** Only the checkpoint the pointer names is kept, as locally (writeCheckpoint removes the older ones). */
async function removeStaleCheckpoints(runDir: string): Promise<void> {
  const info = await readCheckpointInfo(runDir)
  if (!info) return
  for (const name of await readdir(join(runDir, 'checkpoints')).catch(() => [] as string[])) {
    if (`checkpoints/${name}` !== info.folder) await rm(join(runDir, 'checkpoints', name), { recursive: true, force: true })
  }
}
