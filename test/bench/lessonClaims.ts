/**
 * Each lesson's claim as the bench measures it, from the runs' raw numbers alone (not the app's verdict
 * code, lessonVerdicts.ts): the bench and the verdicts are two independent readings of the same claim.
 * The margins are what "clearly" means in the lesson's words; a claim within them does not hold.
 */
import type { LessonId } from '../../shared/lessons/lessonTypes'

export interface BenchEpoch {
  epoch: number
  testAccuracy: number
  /** Evaluation mode on the training split (every lesson turns `evaluateTrainSplit` on). */
  trainAccuracy: number
  seconds: number
}

export interface BenchRun {
  label: string
  epochs: BenchEpoch[]
  testAccuracy: number
  params: number
  /** Multiply-adds of one forward pass, from shared/arch/layerMath (what the Models view shows). */
  macs: number
  /** Optimizer steps per epoch: ceil(training images / batch size). */
  stepsPerEpoch: number
  seconds: number
}

export interface ClaimCheck {
  holds: boolean
  /** The numbers the check read, for the bench's line. */
  detail: string
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`
const first = (run: BenchRun) => run.epochs[0]?.testAccuracy ?? 0
const last = (run: BenchRun) => run.epochs.at(-1)!
/** Training accuracy (evaluation mode) minus test accuracy after the last epoch. */
const gap = (run: BenchRun) => last(run).trainAccuracy - last(run).testAccuracy

/** Ahead after epoch 1 by `lead` and not behind at the end: the "learns faster" claims. */
function learnsFaster(before: BenchRun, after: BenchRun, lead: number): ClaimCheck {
  const holds = first(after) >= first(before) + lead && after.testAccuracy >= before.testAccuracy
  return {
    holds,
    detail: `epoch 1: ${before.label} ${pct(first(before))}, ${after.label} ${pct(first(after))} (lead >= ${pct(lead)}); end: ${pct(before.testAccuracy)} vs ${pct(after.testAccuracy)}`,
  }
}

/** A smaller train-test gap by `margin`: the regularisers' claim. */
function smallerGap(without: BenchRun, withIt: BenchRun, margin: number): ClaimCheck {
  const holds = gap(withIt) <= gap(without) - margin
  return {
    holds,
    detail: `gap (train ${pct(last(without).trainAccuracy)} - test ${pct(last(without).testAccuracy)}) ${pct(gap(without))} vs ${withIt.label} ${pct(gap(withIt))} (train ${pct(last(withIt).trainAccuracy)}, test ${pct(last(withIt).testAccuracy)}), smaller by >= ${pct(margin)}`,
  }
}

/** Well above chance (10 classes): what "learns" means. */
export const LEARNS = 0.6

export function checkClaim(id: LessonId, runs: BenchRun[], ensembleAccuracy?: number): ClaimCheck {
  const [a, b] = runs
  switch (id) {
    case 'sigmoid-vs-relu':
      return learnsFaster(a, b, 0.1)
    case 'batch-norm':
      return learnsFaster(a, b, 0.1)
    case 'normalization':
      return learnsFaster(a, b, 0.03)
    case 'avg-vs-max-pooling':
    case 'batch-size': {
      const steps = id === 'batch-size' ? `; steps/epoch ${a.stepsPerEpoch} vs ${b.stepsPerEpoch}, s/epoch ${(a.seconds / a.epochs.length).toFixed(1)} vs ${(b.seconds / b.epochs.length).toFixed(1)}` : ''
      // The large batch takes 16 times fewer steps in as many epochs: "learns" is a lower bar for it.
      const bar = id === 'batch-size' ? 0.5 : LEARNS
      const holds = a.testAccuracy >= bar && b.testAccuracy >= bar && (id !== 'batch-size' || a.stepsPerEpoch > b.stepsPerEpoch)
      return { holds, detail: `${a.label} ${pct(a.testAccuracy)}, ${b.label} ${pct(b.testAccuracy)} (both >= ${pct(bar)})${steps}` }
    }
    case 'resnet-shortcuts': {
      const holds = last(b).trainAccuracy >= last(a).trainAccuracy + 0.05 && b.testAccuracy >= a.testAccuracy
      return { holds, detail: `training accuracy ${a.label} ${pct(last(a).trainAccuracy)}, ${b.label} ${pct(last(b).trainAccuracy)} (ahead by >= 5.0%); test ${pct(a.testAccuracy)} vs ${pct(b.testAccuracy)}` }
    }
    case 'dropout':
    case 'augmentation':
      return smallerGap(a, b, 0.02)
    case 'shuffle': {
      const holds = b.testAccuracy >= LEARNS && b.testAccuracy >= a.testAccuracy + 0.2
      return { holds, detail: `${a.label} ${pct(a.testAccuracy)}, ${b.label} ${pct(b.testAccuracy)} (shuffled >= ${pct(LEARNS)} and ahead by >= 20%)` }
    }
    case 'one-by-one-conv': {
      const paramRatio = a.params / b.params
      const macRatio = a.macs / b.macs
      const holds = paramRatio >= 2 && macRatio >= 2 && b.testAccuracy >= 0.5 && b.testAccuracy >= a.testAccuracy - 0.05
      return { holds, detail: `params ${a.params} -> ${b.params} (/${paramRatio.toFixed(2)}), MACs /${macRatio.toFixed(2)} (both >= 2); test ${pct(a.testAccuracy)} vs ${pct(b.testAccuracy)} (>= 50% and at most 5% behind)` }
    }
    case 'ensemble': {
      const best = Math.max(...runs.map((run) => run.testAccuracy))
      const holds = ensembleAccuracy !== undefined && ensembleAccuracy >= best
      return { holds, detail: `members ${runs.map((run) => pct(run.testAccuracy)).join(', ')}; ensemble ${ensembleAccuracy === undefined ? '?' : pct(ensembleAccuracy)} (>= best ${pct(best)})` }
    }
  }
}
