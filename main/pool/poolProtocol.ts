import { z } from 'zod'
import { RunId, TrainConfig } from '../../shared/api/schemas'
import { FromPool, FromWorker } from '../training/workerProtocol'

/** The BullMQ queue every workbench and worker of one pool share. */
export const POOL_QUEUE_NAME = 'cnn-workbench-runs'
/** Every key of ours lives under this prefix, apart from BullMQ's own (`bull:<queue>:...`). */
const PREFIX = 'cnnwb'

export const poolKeys = {
  /** Stream of PoolMessages for one run, oldest first: a reconnecting workbench backfills from it. */
  events: (runId: string) => `${PREFIX}:run:${runId}:events`,
  /** Hash path -> bytes of the run's newest checkpoint (checkpoint.json and its folder). */
  checkpoint: (runId: string) => `${PREFIX}:run:${runId}:checkpoint`,
  /** Hash path -> bytes of the finished run's model folder; deleted once the workbench has copied it. */
  model: (runId: string) => `${PREFIX}:run:${runId}:model`,
  /** The id of the job the workbench queued last for the run: a worker takes no other (an older job was cancelled or resubmitted). */
  job: (runId: string) => `${PREFIX}:run:${runId}:job`,
  /** How many attempts have taken the run: INCR on every take, the fencing counter. */
  attempts: (runId: string) => `${PREFIX}:run:${runId}:attempts`,
  /** The fencing token of the attempt that holds the run now (`<jobId>#<attempt>`); absent when none may write. */
  holder: (runId: string) => `${PREFIX}:run:${runId}:holder`,
  /** stop / pause / resume / cancel, polled by the worker that trains the run (survives reconnects, unlike pub/sub). */
  control: (runId: string) => `${PREFIX}:run:${runId}:control`,
  /** A worker's announcement, with a short expiry its heartbeat renews. */
  worker: (workerId: string) => `${PREFIX}:worker:${workerId}`,
  workers: `${PREFIX}:workers`,
} as const

/** How long an announcement lives without a heartbeat, and how often a worker renews it. */
export const WORKER_TTL_SECONDS = 15
export const HEARTBEAT_MS = 5_000
/** Streams and leftovers of runs no workbench came back for are dropped after a week. */
export const RUN_KEYS_TTL_SECONDS = 7 * 24 * 3600

/** A job as a workbench queues it; a worker validates every job against this and runs nothing else. */
/** The field of a stream entry, and of a file hash, naming the attempt (fencing token) that wrote it. */
export const FENCE_FIELD = '.fence'

/**
 * The only files the pool may put into a run folder: the checkpoint pointer, a checkpoint's model and
 * optimizer state, and the final model (TensorFlow.js layers format, one weights file, the reference sample).
 */
const DECLARED_RUN_FILE = /^(checkpoint\.json|checkpoints\/epoch-\d{1,6}\/(model\.json|weights\.bin|optimizer\.bin|optimizer\.json)|model\/(model\.json|weights\.bin|reference-sample\.json))$/
export function isDeclaredRunFile(path: string): boolean {
  return DECLARED_RUN_FILE.test(path)
}

export const PoolJob = z
  .object({
    runId: RunId,
    config: TrainConfig,
    /** Continue from the checkpoint stored under poolKeys.checkpoint (the workbench uploads it). */
    resume: z.boolean(),
  })
  .strict()
export type PoolJob = z.infer<typeof PoolJob>

export const RunControlCommand = z.enum(['stop', 'pause', 'resume', 'cancel'])
export type RunControlCommand = z.infer<typeof RunControlCommand>

/** What a run's stream carries: the training worker's own messages, relayed unchanged, and the pool's. */
export const PoolMessage = z.union([FromWorker, FromPool])
export type PoolMessage = z.infer<typeof PoolMessage>

/** One entry of a run's stream: the message, and the fencing token of the attempt that wrote it. */
export interface StreamEntry {
  message: PoolMessage
  fence?: string
}

export function parseEntry(fields: string[]): StreamEntry | undefined {
  const field = (name: string) => {
    const index = fields.indexOf(name)
    return index >= 0 && index % 2 === 0 ? fields[index + 1] : undefined
  }
  const text = field('m')
  if (text === undefined) return undefined
  try {
    const parsed = PoolMessage.safeParse(JSON.parse(text))
    return parsed.success ? { message: parsed.data, fence: field(FENCE_FIELD) } : undefined
  } catch {
    return undefined
  }
}
