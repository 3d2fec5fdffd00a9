import type { RunStatus } from '../../../shared/api/schemas'
import { formatCount, formatDuration } from './format'
import { isActive, progressPercent, type RunProgress } from './metrics'

/** What "samples/s" means wherever a run's speed shows: the progress line and the result's throughput. */
export const SAMPLES_PER_SECOND_MEANING = 'Training images per second of training time: batches only; the evaluations after each epoch and paused time are not counted'

export interface ProgressLine {
  /** Whole percent the bar shows: for an ended run, of what it kept. */
  percent: number
  text: string
  /** Whether the text shows a speed (then SAMPLES_PER_SECOND_MEANING is its tooltip). */
  speed: boolean
}

export interface ProgressRun {
  status: RunStatus
  epochs: number
  /** The last epoch saved to disk, when the run has one. */
  checkpointEpoch?: number
}

const percentOf = (epochs: number, of: number) => (of > 0 ? Math.floor((Math.min(epochs, of) / of) * 100) : 0)

/** An ended run's line: how it ended and what it kept, never the speed or the epoch of a batch that is gone. */
function endedLine(progress: RunProgress | undefined, run: ProgressRun, total: number): ProgressLine {
  const kept = run.checkpointEpoch ?? 0
  const current = Math.min(progress?.epoch ?? kept + 1, total)
  switch (run.status) {
    case 'completed':
      return { percent: 100, text: `100% · epoch ${total}/${total}`, speed: false }
    case 'stopped': {
      const percent = progressPercent(progress, run.status) || percentOf(kept, total)
      return { percent, text: `${percent}% · stopped in epoch ${current}/${total}; the model as it was then is saved`, speed: false }
    }
    case 'cancelled':
    case 'interrupted': {
      const how = run.status === 'cancelled' ? 'cancelled' : 'interrupted'
      const percent = percentOf(kept, total)
      const text = kept > 0 ? `${percent}% · ${how}: ${kept} of ${total} epochs kept, epoch ${kept + 1} discarded` : `0% · ${how} in its first epoch: nothing kept`
      return { percent, text, speed: false }
    }
    default: {
      // failed
      const percent = progress ? progressPercent(progress, run.status) : percentOf(kept, total)
      const where = progress ? `failed in epoch ${current}/${total}` : kept > 0 ? `failed after epoch ${kept}/${total}` : 'failed before its first epoch ended'
      return { percent, text: `${percent}% · ${where}`, speed: false }
    }
  }
}

/**
 * The progress line under a run: percent, epoch, speed and ETA while it trains; "paused" without speed or
 * ETA while paused; how it ended and what was kept once it has.
 */
export function progressLine(progress: RunProgress | undefined, run: ProgressRun): ProgressLine {
  const total = progress?.epochs ?? run.epochs
  if (!isActive(run.status)) return endedLine(progress, run, total)
  const percent = progressPercent(progress, run.status)
  const epoch = `epoch ${Math.min(progress?.epoch ?? 1, total)}/${total}`
  if (run.status === 'paused') return { percent, text: `${percent}% · ${epoch} · paused`, speed: false }
  const parts = [`${percent}%`, epoch]
  if (progress) parts.push(`${formatCount(progress.samplesPerSecond)} samples/s`)
  parts.push(`ETA ${progress ? formatDuration(progress.etaSeconds) : '--:--'}`)
  return { percent, text: parts.join(' · '), speed: progress !== undefined }
}
