import { analyzeModel } from '../arch/layerMath'
import { getArchitecture, type ArchitectureId } from '../arch/specs'
import type { Lesson, LessonId, LessonRunOutcome, LessonVerdict } from './lessonTypes'
import { learnedAboveChance } from '../runOutcome'
import { percent, points, seconds } from './verdictText'

/** A lesson whose runs all completed on the lesson's settings: the claim is tested on their metrics. */
export interface ClaimContext {
  lesson: Lesson
  /** In the lesson's order: `runs[0]` the baseline, the last one the improvement. */
  runs: LessonRunOutcome[]
  ensemble?: { testAccuracy: number }
}

/**
 * How far apart two accuracies on the same test images may be by chance: one over the square root of the
 * test images, kept between 1 and 3 points (1 point at 10,000 images, 2 at 2,500, 3 at 1,100 and fewer;
 * 2 points when the size is unknown). About two standard errors of the difference of two such accuracies.
 */
export function noiseMargin(runs: LessonRunOutcome[]): number {
  const sizes = runs.map((run) => run.testImages).filter((size): size is number => !!size)
  if (!sizes.length) return 0.02
  return Math.min(0.03, Math.max(0.01, 1 / Math.sqrt(Math.min(...sizes))))
}

/** A run learned when its test accuracy is above chance, 1/classes, by the one test every view uses (learnedAboveChance). */
export function learned(run: LessonRunOutcome): { learned: boolean; chance: number } {
  const chance = 1 / (run.classes ?? 10)
  return { learned: learnedAboveChance(final(run), chance, run.testImages), chance }
}

const final = (run: LessonRunOutcome): number => run.testAccuracy ?? run.epochs.at(-1)!.testAccuracy
const afterFirst = (run: LessonRunOutcome): number => (run.epochs.find((epoch) => epoch.epoch === 1) ?? run.epochs[0]).testAccuracy
const gap = (run: LessonRunOutcome): number => run.epochs.at(-1)!.trainAccuracy - run.epochs.at(-1)!.testAccuracy
const noise = (margin: number, runs: LessonRunOutcome[]): string => `the ${points(margin)} that ${runs[0].testImages ? `${runs[0].testImages.toLocaleString('en-US')} test images` : 'a test split'} can differ by chance`

/** Said when train figures are training-mode ones (dropout and augmentation active: a gap read from them is understated). */
function trainFigureNote(runs: LessonRunOutcome[]): string {
  const estimated = runs.filter((run) => run.trainMeasured === 'training').map((run) => run.label)
  return estimated.length ? ` (Train accuracy of ${estimated.join(', ')} is the running average while training, not measured in evaluation mode: read train figures and gaps with care.)` : ''
}

/** How far below the network without them the one with 1x1 reductions may end and still count as comparable. */
const COMPARABLE = 0.05

const verdict = (reason: LessonVerdict['reason'], text: string): LessonVerdict => ({ holds: reason === 'holds', reason, text })

/** The improvement is ahead after epoch 1 by more than noise; with `endsAsHigh`, it also ends no lower. */
function learnsFaster({ runs }: ClaimContext, why: string, endsAsHigh: boolean): LessonVerdict {
  const [base, better] = [runs[0], runs.at(-1)!]
  const margin = noiseMargin(runs)
  const lead = afterFirst(better) - afterFirst(base)
  const early = `${better.label}: ${percent(afterFirst(better))} after epoch 1, ${base.label} ${percent(afterFirst(base))}`
  const end = `; after epoch ${better.epochs.length}: ${better.label} ${percent(final(better))}, ${base.label} ${percent(final(base))}`
  if (lead < -margin) return verdict('opposite', `${early}${end}: ${base.label} was ahead after epoch 1, the opposite of the lesson.`)
  if (lead <= margin) return verdict('noise', `${early}${end}: ${points(lead)} apart after epoch 1, within ${noise(margin, runs)}; the lesson did not show this time.`)
  if (endsAsHigh && final(better) < final(base) - margin) return verdict('opposite', `${early}${end}: ${better.label} started faster but ended ${points(final(base) - final(better))} lower, so the lesson's "ends at least as high" did not show.`)
  const stuck = learned(base).learned ? '' : ` (${base.label} is still at chance level, ${percent(learned(base).chance)}, after ${base.epochs.length} epoch${base.epochs.length > 1 ? 's' : ''}: it has not started learning yet)`
  return verdict('holds', `${early}${end}${stuck}: ${why}`)
}

/** Every run learned (well above chance); the text says how far apart they ended. */
function allLearn(runs: LessonRunOutcome[], why: string): LessonVerdict {
  const stuck = runs.filter((run) => !learned(run).learned)
  const finals = runs.map((run) => `${run.label} ${percent(final(run))}`).join(', ')
  if (stuck.length) return verdict('opposite', `${finals}: ${stuck.map((run) => `${run.label} stayed near chance (${percent(learned(run).chance)})`).join(', ')}, so not every run learned.`)
  const [base, other] = [runs[0], runs.at(-1)!]
  const margin = noiseMargin(runs)
  const difference = final(other) - final(base)
  const apart = Math.abs(difference) <= margin ? `${points(difference)} apart, within ${noise(margin, runs)}` : `${difference > 0 ? other.label : base.label} ${points(difference)} ahead`
  return verdict('holds', `${finals}: both learn; ${apart}. ${why}`)
}

/** The technique's run ends with a train-test gap smaller by more than noise (train accuracy in evaluation mode). */
function smallerGap({ runs }: ClaimContext, why: string): LessonVerdict {
  const [base, better] = [runs[0], runs.at(-1)!]
  const margin = noiseMargin(runs)
  const describe = (run: LessonRunOutcome) => `${run.label}: train ${percent(run.epochs.at(-1)!.trainAccuracy)}, test ${percent(final(run))}, a gap of ${points(gap(run))}`
  const text = `${describe(better)}; ${describe(base)}`
  const narrowing = gap(base) - gap(better)
  if (narrowing < -margin) return verdict('opposite', `${text}: the gap is wider with ${better.label}, the opposite of the lesson.${trainFigureNote(runs)}`)
  if (narrowing <= margin) return verdict('noise', `${text}: the gaps differ by ${points(narrowing)}, within ${noise(margin, runs)}.${trainFigureNote(runs)}`)
  return verdict('holds', `${text}: ${why}${trainFigureNote(runs)}`)
}

/** The improvement ends ahead by at least `by` (and more than noise). */
function endsHigher({ runs }: ClaimContext, by: number, why: string): LessonVerdict {
  const [base, better] = [runs[0], runs.at(-1)!]
  const margin = noiseMargin(runs)
  const needed = Math.max(by, margin)
  const lead = final(better) - final(base)
  const text = `after ${better.epochs.length} epochs ${better.label} reaches ${percent(final(better))} on the test images (train ${percent(better.trainAccuracy ?? 0)}), ${base.label} ${percent(final(base))} (train ${percent(base.trainAccuracy ?? 0)})`
  const capitalized = text[0].toUpperCase() + text.slice(1)
  const note = trainFigureNote(runs)
  if (lead < -margin) return verdict('opposite', `${capitalized}: ${base.label} ended ahead, the opposite of the lesson.${note}`)
  if (lead < needed) return verdict('noise', `${capitalized}: only ${points(lead)} apart, ${lead <= margin ? `within ${noise(margin, runs)}` : `less than the ${points(needed)} the lesson expects`}; it did not show this time.${note}`)
  return verdict('holds', `${capitalized}: ${why}${note}`)
}

/**
 * Degradation (He et al. 2016) is a training effect: the deeper plain stack fits its own training images
 * worse. The residual stack must be ahead on the training images (evaluation mode) by more than noise, and
 * not behind on the test images by more than noise.
 */
function trainsBetter({ runs }: ClaimContext, why: string): LessonVerdict {
  const [plain, residual] = [runs[0], runs.at(-1)!]
  const margin = noiseMargin(runs)
  const trained = (run: LessonRunOutcome) => run.epochs.at(-1)!.trainAccuracy
  const lead = trained(residual) - trained(plain)
  const testLead = final(residual) - final(plain)
  const describe = (run: LessonRunOutcome) => `${run.label}: train ${percent(trained(run))}, test ${percent(final(run))}`
  const text = `After ${residual.epochs.length} epochs ${describe(residual)}; ${describe(plain)}`
  const note = trainFigureNote(runs)
  if (lead < -margin) return verdict('opposite', `${text}: the ${plain.label} stack fits its training images better, the opposite of the lesson.${note}`)
  if (lead <= margin) return verdict('noise', `${text}: the training accuracies are ${points(lead)} apart, within ${noise(margin, runs)}; no degradation showed this time.${note}`)
  if (testLead < -margin) return verdict('opposite', `${text}: ${residual.label} fits the training images better but is ${points(testLead)} behind on the test images.${note}`)
  return verdict('holds', `${text}: ${why}${note}`)
}

function batchSizes({ runs }: ClaimContext): LessonVerdict {
  const learnedAll = allLearn(runs, '')
  const describe = (run: LessonRunOutcome) => {
    const images = run.trainImages ?? run.config.limit
    const iterations = images ? `${Math.ceil(images / run.config.batchSize).toLocaleString('en-US')} iterations per epoch` : 'iterations per epoch unknown'
    const times = run.epochs.map((epoch) => epoch.seconds ?? 0)
    const perEpoch = times.length ? `${seconds(times.reduce((a, b) => a + b, 0) / times.length)} per epoch` : ''
    const name = run.label.includes(String(run.config.batchSize)) ? run.label : `${run.label} (batch ${run.config.batchSize})`
    return `${name}: ${iterations}, ${perEpoch}, test accuracy per epoch ${run.epochs.map((epoch) => percent(epoch.testAccuracy)).join(' → ')}`
  }
  const text = runs.map(describe).join('; ')
  if (!learnedAll.holds) return verdict(learnedAll.reason, `${text}. ${learnedAll.text}`)
  return verdict('holds', `${text}. A smaller batch takes more, noisier steps per epoch (each one a gradient estimate from fewer images); per epoch it often gains more, per second it may not.`)
}

function oneByOne({ runs }: ClaimContext): LessonVerdict {
  const [without, withReductions] = [runs[0], runs.at(-1)!]
  const cost = (run: LessonRunOutcome) => {
    const spec = getArchitecture(run.config.arch as ArchitectureId, { inputSize: run.config.inputSize, channels: (run.channels ?? 1) as 1 | 3, classes: run.classes, knobs: run.config.knobs })
    const info = analyzeModel(spec, spec.input)
    return { params: info.totalParams, macs: info.totalMacs }
  }
  const [a, b] = [cost(without), cost(withReductions)]
  const paramRatio = a.params / b.params
  const macRatio = a.macs / b.macs
  const margin = Math.max(COMPARABLE, noiseMargin(runs))
  const text = `${withReductions.label}: ${b.params.toLocaleString('en-US')} parameters, ${(b.macs / 1e6).toFixed(1)} M multiply-adds, test ${percent(final(withReductions))}; ${without.label}: ${a.params.toLocaleString('en-US')} parameters, ${(a.macs / 1e6).toFixed(1)} M multiply-adds, test ${percent(final(without))}`
  if (paramRatio <= 1 || macRatio <= 1) return verdict('opposite', `${text}: the 1x1 reductions did not make the network smaller with these settings.`)
  const factors = `${paramRatio.toFixed(1)}x fewer parameters and ${macRatio.toFixed(1)}x fewer multiply-adds`
  if (final(withReductions) < final(without) - margin) return verdict('opposite', `${text}: ${factors}, but ${points(final(without) - final(withReductions))} less accurate, more than the ${points(margin)} that counts as comparable.`)
  const accuracy = final(withReductions) > final(without) + margin ? `and ${points(final(withReductions) - final(without))} more accurate` : `accuracy within ${points(margin)}`
  return verdict('holds', `${text}: ${factors}, ${accuracy}. A 1x1 convolution mixes channels at each pixel, so reducing to fewer channels before a 3x3 or 5x5 one cuts its cost by that channel ratio.`)
}

function ensembleBeatsSingles({ runs, ensemble }: ClaimContext): LessonVerdict {
  const singles = runs.map((run) => `${run.label} ${percent(final(run))}`).join(', ')
  if (!ensemble) return verdict('pending', `Single models: ${singles}; the averaged probabilities of the ${runs.length} models are being evaluated on the test images.`)
  const best = runs.reduce((a, b) => (final(b) > final(a) ? b : a))
  const margin = noiseMargin(runs)
  const lead = ensemble.testAccuracy - final(best)
  const text = `Ensemble of ${runs.length} (averaged probabilities): ${percent(ensemble.testAccuracy)}; single models: ${singles}`
  if (lead >= 0) return verdict('holds', `${text}: the ensemble is ${lead > 0 ? `${points(lead)} above` : 'level with'} the best single model (${best.label}). Models trained from other seeds make different mistakes, and averaging cancels some of them.`)
  if (lead >= -margin) return verdict('noise', `${text}: the ensemble is ${points(lead)} below the best single model (${best.label}), within ${noise(margin, runs)}.`)
  return verdict('opposite', `${text}: the ensemble is ${points(lead)} below the best single model (${best.label}).`)
}

/** One claim test per lesson (issue #19's table), run once every run has completed on the lesson's settings. */
export const LESSON_CLAIMS: Record<LessonId, (context: ClaimContext) => LessonVerdict> = {
  'sigmoid-vs-relu': (c) => learnsFaster(c, "the sigmoid's gradient is at most 0.25 and vanishes when it saturates, so its early layers barely move; ReLU passes the gradient through unchanged where it is active, as the notes say.", true),
  'avg-vs-max-pooling': (c) => allLearn(c.runs, 'Max pooling keeps the strongest response in each window, average pooling blurs it with its neighbours: compare their feature maps in Inspect.'),
  'batch-norm': (c) => learnsFaster(c, 'with every layer fed inputs of steady mean and spread, the same learning rate makes faster progress.', false),
  'resnet-shortcuts': (c) => trainsBetter(c, 'the plain stack trains worse as it gets deeper (degradation); with shortcuts each block only has to learn a change to its input, so depth no longer hurts.'),
  dropout: (c) => smallerGap(c, 'dropping units at random keeps the network from relying on any one of them, so it fits the training images less closely and the gap shrinks. It also slows learning: in these few epochs its test accuracy need not end higher (compare both curves); what it changes is how far training runs ahead of test.'),
  augmentation: (c) => smallerGap(c, 'with altered copies of the training images the network cannot memorize them, so what it learns carries over to the test images.'),
  shuffle: (c) => endsHigher(c, 0.1, 'read in class order, each stretch of batches holds one class and the network keeps forgetting the others; shuffled batches mix the classes, so every step improves on all of them.'),
  normalization: (c) => learnsFaster(c, 'inputs centred at zero with unit spread keep the first layer in a range where one learning rate suits every weight.', false),
  'batch-size': batchSizes,
  'one-by-one-conv': oneByOne,
  ensemble: ensembleBeatsSingles,
}
