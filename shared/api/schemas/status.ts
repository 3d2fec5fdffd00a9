/** A run's status and what each one means. */
import { z } from 'zod'

/**
 * How far a run got. `stopped`: the user's Stop ended training after a batch, and the model as it was
 * then was evaluated and saved. `cancelled`: the user's Cancel killed it mid-batch; the unfinished epoch
 * was discarded and there is no model (it resumes from its last checkpoint).
 */
export const RunStatus = z.enum(['queued', 'running', 'paused', 'completed', 'stopped', 'cancelled', 'failed', 'interrupted'])
export type RunStatus = z.infer<typeof RunStatus>

/** What each status means for the user and the services; a Record, so a new status must be described here. */
export const RUN_STATUS_INFO: Record<RunStatus, { meaning: string; active: boolean; hasModel: boolean; resumable: boolean }> = {
  queued: { meaning: 'waiting for a free training slot', active: true, hasModel: false, resumable: false },
  running: { meaning: 'training', active: true, hasModel: false, resumable: false },
  paused: { meaning: 'paused between batches; Resume continues it', active: true, hasModel: false, resumable: true },
  completed: { meaning: 'trained every epoch; the model was evaluated and saved', active: false, hasModel: true, resumable: false },
  stopped: { meaning: 'stopped early by the user; the model as it was then was evaluated and saved', active: false, hasModel: true, resumable: true },
  cancelled: { meaning: 'cancelled by the user; the unfinished epoch was discarded (no model), its last checkpoint kept', active: false, hasModel: false, resumable: true },
  failed: { meaning: 'ended with an error', active: false, hasModel: false, resumable: true },
  interrupted: { meaning: 'the training process ended without finishing (crash, or the app closed)', active: false, hasModel: false, resumable: true },
}

/** The statuses of a run that has not ended: it holds a place in the queue or a worker (pausing keeps it). */
export const ACTIVE_RUN_STATUSES: readonly RunStatus[] = RunStatus.options.filter((status) => RUN_STATUS_INFO[status].active)

export function isActiveRunStatus(status: RunStatus | undefined): boolean {
  return status !== undefined && RUN_STATUS_INFO[status].active
}
