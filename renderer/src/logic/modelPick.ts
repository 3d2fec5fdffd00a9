import type { RunSummary } from '../../../shared/api/schemas'
import { runLearned } from '../../../shared/runOutcome'

/** What a dropped image is, as far as choosing a model goes: its size and whether its colours are grey. */
export interface ImageProfile {
  width: number
  height: number
  /** Grey or nearly (a photo of ink on paper): a 1-channel model's kind of image. */
  gray: boolean
}

type PickableRun = Pick<RunSummary, 'runId' | 'status' | 'result' | 'classNames' | 'data'>

/** A share of pixels this colourful or more makes an image a colour one (a warm light on paper stays below). */
const COLOURFUL_CHROMA = 48
const COLOURFUL_SHARE = 0.08

/** Whether RGBA pixels (a canvas's) are grey: few pixels far from grey (max - min channel). */
export function isGrayPixels(rgba: ArrayLike<number>): boolean {
  let colourful = 0
  const count = Math.floor(rgba.length / 4)
  for (let i = 0; i < count; i++) {
    const r = rgba[i * 4]!
    const g = rgba[i * 4 + 1]!
    const b = rgba[i * 4 + 2]!
    if (Math.max(r, g, b) - Math.min(r, g, b) >= COLOURFUL_CHROMA) colourful++
  }
  return colourful < COLOURFUL_SHARE * Math.max(1, count)
}

/** A run's input as [height, width, channels], when its data summary says. */
export function runInput(run: Pick<RunSummary, 'data'>): { height: number; width: number; channels: number } | undefined {
  const shape = run.data?.imageShape
  return shape ? { height: shape[0], width: shape[1], channels: shape[2] } : undefined
}

/** A trained run that learned (its test accuracy is above chance level): the only kind ever picked for the user. */
export function learnedRun(run: PickableRun): boolean {
  return runLearned(run)
}

/**
 * How well a run's input fits the dropped images: 0 when its channels differ from most images' (grey
 * images to a 1-channel model, colour ones to a 3-channel one), 1 when they match, 2 when every image
 * also has exactly the run's input size. Unknown input (no data summary) counts as 0.
 */
export function inputFit(run: Pick<RunSummary, 'data'>, profiles: readonly ImageProfile[]): number {
  const input = runInput(run)
  if (!input || !profiles.length) return profiles.length ? 0 : 1
  const gray = profiles.filter((profile) => profile.gray).length * 2 >= profiles.length
  if ((input.channels === 1) !== gray) return 0
  return profiles.every((profile) => profile.width === input.width && profile.height === input.height) ? 2 : 1
}

/**
 * The run to pre-select: among runs that learned, the best fit for the dropped images (none dropped:
 * any), then the highest test accuracy, then the newest (the list's order). A did-not-learn run never.
 */
export function bestRun<T extends PickableRun>(runs: readonly T[], profiles: readonly ImageProfile[] = []): T | undefined {
  const learned = runs.filter(learnedRun)
  const ranked = learned.map((run, order) => ({ run, order, fit: inputFit(run, profiles), accuracy: run.result!.testAccuracy }))
  ranked.sort((a, b) => b.fit - a.fit || b.accuracy - a.accuracy || a.order - b.order)
  return ranked[0]?.run
}

/**
 * The selection to show: a hand-made one as it is (less runs that are gone); otherwise, or when none of
 * it is left, the best run for the images.
 */
export function keepOrPick(current: readonly string[], byHand: boolean, runs: readonly PickableRun[], profiles: readonly ImageProfile[] = []): string[] {
  const kept = current.filter((id) => runs.some((run) => run.runId === id))
  if (byHand && kept.length) return kept
  const best = bestRun(runs, profiles)
  return best ? [best.runId] : []
}

/** A short description of a run's input: `28×28 grey`, `32×32 colour`. */
export function inputText(run: Pick<RunSummary, 'data'>): string | undefined {
  const input = runInput(run)
  return input ? `${input.width}×${input.height} ${input.channels === 1 ? 'grey' : 'colour'}` : undefined
}
