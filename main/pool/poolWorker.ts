import { existsSync } from 'node:fs'
import { mkdir, readdir, rm } from 'node:fs/promises'
import { availableParallelism, cpus, freemem, hostname } from 'node:os'
import { join } from 'node:path'
import { UnrecoverableError, WaitingError, Worker, type Job, type JobJson } from 'bullmq'
import type { Redis } from 'ioredis'
import { describeValidationError } from '../../shared/api/contract'
import { FOLDER_DATASET_PREFIX, RunId, type PoolWorkerInfo } from '../../shared/api/schemas'
import { readCheckpointInfo } from '../storage/checkpointInfo'
import { REFERENCE_SAMPLE_FILE } from '../../shared/exchange/referenceSample'
import { FromWorker, type FromPool } from '../training/workerProtocol'
import type { WorkerHandle, WorkerLauncher } from '../processes/workerLauncher'
import { runOneShotJob } from '../training/oneShotJob'
import { HEARTBEAT_MS, POOL_QUEUE_NAME, PoolJob, RUN_KEYS_TTL_SECONDS, RunControlCommand, WORKER_TTL_SECONDS, poolKeys } from './poolProtocol'
import { createRedis } from './redisConnection'
import { downloadFiles, folderFiles, uploadCheckpoint, uploadFiles } from './runFiles'
import { LostRunError, fencedPost, holdsRun, takeRun } from './runFence'

export interface PoolWorkerOptions {
  queueUrl: string
  /** Runs trained side by side, each in its own training process. */
  concurrency: number
  /** Native kernel threads per run; absent: the cores shared between the concurrent runs. */
  threads?: number
  /** Scratch folder: runs train under <dataDir>/work/<pid>/<runId>, data sets are cached here. */
  dataDir: string
  launchWorker: WorkerLauncher
  /** Shown to users; default host name and process id. */
  name?: string
  /** How long a job stays locked without renewal before another worker takes it over (BullMQ's lockDuration). */
  lockMs?: number
  /** Send a run's reference image back with its model when it comes from a folder on this worker's disk. */
  shareReferenceSamples?: boolean
}

interface ActiveRun {
  runId: string
  job: Job
  /** This attempt's fencing token: every write for the run carries it, and is refused once it is not current. */
  fence: string
  child: WorkerHandle
  /** Set when this worker leaves (Ctrl-C): the run goes back to the queue instead of ending. */
  handingBack?: string
  /** Set once the run is back in the queue. */
  handedBack?: boolean
  cancelled?: boolean
  /** Another attempt holds the run now (lock expired and taken over, cancelled, resubmitted): it trains here no more. */
  lost?: boolean
}

/** Also how soon a worker notices it lost a run (a batch takes longer than this): then it stops training it. */
const CONTROL_POLL_MS = 100
/** How long leaving may take to hand runs back before the worker gives up on Redis and goes anyway. */
const LEAVE_DEADLINE_MS = 7_000

/** Whether a process with this id is alive (ours or not: EPERM means it exists). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * BullMQ parses a job's data before our processor sees it; data that is not JSON would throw there, leave
 * the job active, and have it stall and retry again and again. Here it becomes data that fails validation
 * in `process`: the job fails once, saying why.
 */
class JsonTolerantWorker extends Worker {
  protected override createJob(data: JobJson, jobId: string): Job {
    try {
      return super.createJob(data, jobId)
    } catch (error) {
      return super.createJob({ ...data, data: JSON.stringify({ unparsable: (error as Error).message }) }, jobId)
    }
  }
}

/**
 * A headless pool worker: takes runs from the BullMQ queue, trains each in the same training worker
 * process the local supervisor uses, relays that process's messages to the run's Redis stream and sends
 * checkpoints and the final model back through Redis. A run it cannot finish (killed worker) is taken
 * over by another worker once BullMQ sees the job stalled, from the last checkpoint in Redis.
 */
export class PoolWorker {
  readonly id: string
  private readonly redis: Redis
  private worker?: Worker
  /** BullMQ leaves a connection it was given open on close: ours to end. */
  private workerConnection?: Redis
  private readonly active = new Map<string, ActiveRun>()
  private heartbeat?: NodeJS.Timeout
  private controlPoll?: NodeJS.Timeout
  private backend = 'probing'
  private readonly startedAt = new Date().toISOString()
  private closing = false

  constructor(private readonly options: PoolWorkerOptions) {
    this.id = options.name ?? `${hostname()}-${process.pid}`
    this.redis = createRedis(options.queueUrl)
  }

  /** This process's scratch: workers sharing a data folder (one machine) each train in their own. */
  private get workDir(): string {
    return join(this.options.dataDir, 'work', String(process.pid))
  }

  /** Runs a dead worker (kill -9, power cut) left half-trained in its scratch folder are of no use to anyone. */
  private async sweepDeadScratch(): Promise<void> {
    const root = join(this.options.dataDir, 'work')
    for (const name of await readdir(root).catch(() => [] as string[])) {
      const pid = Number(name)
      if (Number.isInteger(pid) && (pid === process.pid || !processAlive(pid))) await rm(join(root, name), { recursive: true, force: true })
    }
  }

  async start(): Promise<void> {
    await this.sweepDeadScratch()
    await this.announce()
    this.heartbeat = setInterval(() => void this.announce().catch(() => {}), HEARTBEAT_MS)
    this.controlPoll = setInterval(() => void this.pollControls().catch(() => {}), CONTROL_POLL_MS)
    void runOneShotJob(this.options.launchWorker, { type: 'probe', backend: 'auto' }, 'probe')
      .then((reply) => (this.backend = reply.report.name))
      .catch((error: Error) => (this.backend = `unknown (${error.message})`))
    const lockDuration = this.options.lockMs ?? 30_000
    this.worker = new JsonTolerantWorker(POOL_QUEUE_NAME, (job, token) => this.process(job, token), {
      connection: (this.workerConnection = createRedis(this.options.queueUrl)),
      concurrency: this.options.concurrency,
      lockDuration,
      stalledInterval: lockDuration,
      // A run whose workers keep dying is taken over again and again rather than dropped: it resumes each time.
      maxStalledCount: 20,
      autorun: true,
    })
    this.worker.on('error', () => {}) // connection drops: BullMQ reconnects on its own
  }

  /**
   * Ctrl-C: every run this worker trains goes back to the queue (to resume from its checkpoint elsewhere).
   * With Redis out of reach that cannot happen: after LEAVE_DEADLINE_MS the worker goes anyway, and
   * returns the runs it could not hand back (another worker takes each over once its lock expires).
   */
  async close(): Promise<string[]> {
    if (this.closing) return []
    this.closing = true
    clearInterval(this.controlPoll)
    const runs = [...this.active.values()]
    for (const run of runs) {
      run.handingBack = `worker ${this.id} left (Ctrl-C)`
      run.child.kill()
    }
    const leave = async () => {
      await this.worker?.close()
      await this.redis.multi().del(poolKeys.worker(this.id)).srem(poolKeys.workers, this.id).exec()
    }
    const left = await Promise.race([leave().then(() => true, () => false), new Promise<false>((resolve) => setTimeout(() => resolve(false), LEAVE_DEADLINE_MS).unref())])
    if (!left) void this.worker?.close(true).catch(() => {})
    clearInterval(this.heartbeat)
    this.workerConnection?.disconnect()
    this.redis.disconnect()
    await rm(this.workDir, { recursive: true, force: true }).catch(() => {})
    return runs.filter((run) => !run.handedBack).map((run) => run.runId)
  }

  private kernelThreads(): number {
    return this.options.threads ?? Math.max(1, Math.floor(availableParallelism() / this.options.concurrency))
  }

  private info(): PoolWorkerInfo {
    return {
      id: this.id,
      host: hostname(),
      pid: process.pid,
      backend: this.backend,
      cpu: cpus()[0]?.model ?? 'unknown CPU',
      cores: availableParallelism(),
      freeMemoryBytes: freemem(),
      concurrency: this.options.concurrency,
      threads: this.options.threads,
      runs: [...this.active.keys()],
      startedAt: this.startedAt,
      seenAt: new Date().toISOString(),
    }
  }

  private async announce(): Promise<void> {
    await this.redis
      .multi()
      .set(poolKeys.worker(this.id), JSON.stringify(this.info()), 'EX', WORKER_TTL_SECONDS)
      .sadd(poolKeys.workers, this.id)
      // The set outlives every announcement in it by a little; each heartbeat renews it.
      .expire(poolKeys.workers, WORKER_TTL_SECONDS * 4)
      .exec()
  }

  private async pollControls(): Promise<void> {
    for (const run of this.active.values()) {
      if (!run.lost && !(await holdsRun(this.redis, run.runId, run.fence))) this.lose(run)
      if (run.lost) continue
      const raw = await this.redis.getdel(poolKeys.control(run.runId))
      const command = RunControlCommand.safeParse(raw)
      if (!command.success) continue
      if (command.data === 'cancel') {
        run.cancelled = true
        run.child.kill()
      } else run.child.send({ type: command.data })
    }
  }

  /** Stops training a run this worker no longer holds, at once (mid-batch): its writes would be refused anyway. */
  private lose(run: ActiveRun): void {
    if (run.lost) return
    run.lost = true
    console.log(`pool worker ${this.id}: lost run ${run.runId} (cancelled, resubmitted, or taken over by another worker after this one's lock expired); stopped training it`)
    run.child.kill()
  }

  /**
   * The model files sent back. The reference sample is one test image verbatim: from a folder on this
   * worker's disk it stays here unless the worker was started with --share-reference-samples.
   */
  private async modelFiles(runDir: string, dataset: string): Promise<string[]> {
    const files = await folderFiles(runDir, 'model')
    if (this.options.shareReferenceSamples || !dataset.startsWith(FOLDER_DATASET_PREFIX)) return files
    return files.filter((file) => file !== `model/${REFERENCE_SAMPLE_FILE}`)
  }

  /** A message for the run's stream, written only while this attempt holds the run. */
  private async post(run: Pick<ActiveRun, 'runId' | 'fence'>, message: FromWorker | FromPool): Promise<void> {
    if (!(await fencedPost(this.redis, run.runId, run.fence, message))) throw new LostRunError(run.runId)
  }

  private async process(job: Job, token: string | undefined): Promise<string> {
    const parsed = PoolJob.safeParse(job.data)
    if (!parsed.success) {
      const runId = RunId.safeParse((job.data as { runId?: unknown } | undefined)?.runId)
      const unparsable = (job.data as { unparsable?: unknown } | undefined)?.unparsable
      const error = `worker ${this.id} refused the job: ${typeof unparsable === 'string' ? `its data is not JSON (${unparsable.slice(0, 200)})` : describeValidationError(parsed.error)}`
      if (runId.success) {
        // Unfenced (no attempt holds a refused job): the workbench never takes it for a result.
        await this.redis.multi().xadd(poolKeys.events(runId.data), '*', 'm', JSON.stringify({ type: 'failed', error })).expire(poolKeys.events(runId.data), RUN_KEYS_TTL_SECONDS).exec()
      }
      throw new UnrecoverableError(error)
    }
    const { runId } = parsed.data
    const fence = await takeRun(this.redis, runId, job.id!)
    if (!fence) {
      console.log(`pool worker ${this.id}: skipped job ${job.id}: run ${runId} was cancelled or queued again since`)
      return 'superseded'
    }
    try {
      return await this.train(parsed.data, job, token, fence)
    } catch (error) {
      if (error instanceof LostRunError) return 'lost'
      throw error
    }
  }

  private async train({ runId, config }: PoolJob, job: Job, token: string | undefined, fence: string): Promise<string> {
    const runDir = join(this.workDir, runId)
    await rm(runDir, { recursive: true, force: true })
    await mkdir(runDir, { recursive: true })
    const attempt = { runId, fence }

    if (config.dataset.startsWith(FOLDER_DATASET_PREFIX)) {
      const folder = config.dataset.slice(FOLDER_DATASET_PREFIX.length)
      if (!existsSync(folder)) {
        await this.post(attempt, { type: 'failed', error: `the data set folder ${folder} does not exist on worker ${this.id}` })
        return 'failed'
      }
    }
    // Whatever the job says, a checkpoint in Redis means an earlier attempt got that far: continue from it.
    const resume = (await downloadFiles(this.redis, poolKeys.checkpoint(runId), runDir)) > 0
    const checkpoint = resume ? await readCheckpointInfo(runDir) : undefined
    await this.post(attempt, { type: 'placed', worker: this.id, epoch: checkpoint?.epoch ?? 0, samplesSeen: checkpoint?.samplesSeen ?? 0 })

    const child = this.options.launchWorker()
    const run: ActiveRun = { runId, job, fence, child }
    this.active.set(runId, run)
    void this.announce().catch(() => {})
    let relay = Promise.resolve()
    let ended: 'completed' | 'failed' | undefined
    const relayMessage = async (message: FromWorker) => {
      if (message.type === 'checkpoint') await uploadCheckpoint(this.redis, poolKeys.checkpoint(runId), runDir, attempt)
      if (message.type === 'completed') await uploadFiles(this.redis, poolKeys.model(runId), runDir, await this.modelFiles(runDir, config.dataset), attempt)
      if (message.type === 'failed') message = { ...message, error: `on worker ${this.id}: ${message.error}` }
      await this.post(attempt, message)
    }
    child.onMessage((raw) => {
      const message = FromWorker.safeParse(raw)
      if (!message.success || run.handingBack || run.lost) return
      if (message.data.type === 'completed' || message.data.type === 'failed') ended = message.data.type
      relay = relay.then(() => relayMessage(message.data)).catch((error: Error) => {
        if (error instanceof LostRunError) return this.lose(run)
        ended = 'failed'
        return this.post(attempt, { type: 'failed', error: `on worker ${this.id}: could not send the run back: ${error.message}` }).catch(() => {})
      })
    })
    const exit = new Promise<string | null>((resolve) => child.onExit((_code, signal) => resolve(signal)))
    child.send({ type: 'start', runId, config, runDir, resume, kernelThreads: this.kernelThreads() })

    const signal = await exit
    await relay
    this.active.delete(runId)
    void this.announce().catch(() => {})
    await rm(runDir, { recursive: true, force: true })
    if (run.lost) return 'lost'
    if (run.handingBack) {
      await this.post(attempt, { type: 'handed-back', worker: this.id, reason: run.handingBack })
      await job.moveToWait(token)
      run.handedBack = true
      throw new WaitingError()
    }
    if (run.cancelled) return 'cancelled'
    if (!ended) {
      await this.post(attempt, { type: 'failed', error: `on worker ${this.id}: the training process was killed (${signal ?? 'exit'}) before finishing` })
      return 'failed'
    }
    return ended
  }
}
