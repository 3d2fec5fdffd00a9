/** The tables `npm run bench` prints: throughput as ratios, achieved GFLOP/s against the FMA peak, peak memory. */
import type { BenchCase } from './benchCases'
import type { AnchorResult } from './benchProcesses'
import type { FmaPeak } from './fmaPeak'
import type { OursModelResult } from './oursModelProcess'

export interface CaseOutcome {
  testCase: BenchCase
  ours: OursModelResult | string
  /** The same network with the AVX2 build (WORKBENCH_NATIVE_ISA=avx2), on an AVX-512 machine. */
  oursAvx2?: OursModelResult | string
  theirs: AnchorResult | string
}

export const label = (testCase: BenchCase) => (testCase.parallelism && testCase.parallelism > 1 ? `${testCase.name}, ${testCase.parallelism} replicas` : testCase.name)
export const fmt = (n: number | null | undefined) => (n === undefined || n === null || !Number.isFinite(n) ? '-' : Math.round(n).toLocaleString('en-US'))
const ratio = (ours: number | null | undefined, theirs: number | undefined) => (ours && theirs ? `${(ours / theirs).toFixed(2)}x` : '-')
const measured = <T extends object>(value: T | string | undefined): T | undefined => (typeof value === 'object' ? value : undefined)

/** Ours beside PyTorch, training and inference, for `pick` (ours or ours on AVX2). */
export function throughputTable(outcomes: CaseOutcome[], pick: (o: CaseOutcome) => OursModelResult | string | undefined): string[] {
  const lines = ['| model | input, batch | ours train samples/s | PyTorch | ratio | ours inference images/s | PyTorch | ratio |', '| --- | --- | --- | --- | --- | --- | --- | --- |']
  for (const outcome of outcomes) {
    const ours = measured(pick(outcome))
    const theirs = measured(outcome.theirs)
    const t = theirs?.train[outcome.testCase.name]
    const i = theirs?.inference[outcome.testCase.name]
    const { testCase } = outcome
    lines.push(
      `| ${label(testCase)} | ${testCase.imageShape.join('x')}, ${testCase.batchSize} | ${fmt(ours?.train)} | ${fmt(t)} | ${ratio(ours?.train, t)} | ${fmt(ours?.inference)} | ${fmt(i)} | ${ratio(ours?.inference, i)} |`,
    )
  }
  return lines
}

/** Why a row has dashes: the failures, one line each. */
export function failures(outcomes: CaseOutcome[]): string[] {
  return outcomes.flatMap(({ testCase, ours, oursAvx2, theirs }) =>
    [ours, oursAvx2, theirs].filter((v): v is string => typeof v === 'string').map((reason) => `  ${label(testCase)}: ${reason}`),
  )
}

/**
 * GFLOP/s each network reached, training (3 x the forward multiply-adds x 2 flops per sample: forward, input
 * gradient, filter gradient) and inference (1 x), and the share of the machine's FMA peak: AVX-512's for
 * ours and PyTorch, AVX2's for ours on the AVX2 build.
 */
export function peakTable(outcomes: CaseOutcome[], peak: FmaPeak): string[] {
  const best = peak.avx512 ?? peak.avx2
  const gflops = (rate: number | null | undefined, macs: number, passes: number) => (rate ? (rate * macs * 2 * passes) / 1e9 : undefined)
  const cell = (value: number | undefined, of: number | null) => (value === undefined ? '- | -' : `${value.toFixed(1)} | ${of ? `${((100 * value) / of).toFixed(1)}%` : '-'}`)
  const avx2 = outcomes.some((o) => o.oursAvx2 !== undefined)
  const lines = [
    `| model | forward MFLOP/sample | ours train GFLOP/s | of peak | PyTorch | of peak | ours inference GFLOP/s | of peak | PyTorch | of peak |${avx2 ? ' ours AVX2 train | of AVX2 peak |' : ''}`,
    `| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |${avx2 ? ' --- | --- |' : ''}`,
  ]
  for (const outcome of outcomes) {
    const { testCase } = outcome
    const ours = measured(outcome.ours)
    const theirs = measured(outcome.theirs)
    const row = [
      label(testCase),
      ((testCase.macs * 2) / 1e6).toFixed(1),
      cell(gflops(ours?.train, testCase.macs, 3), best),
      cell(gflops(theirs?.train[testCase.name], testCase.macs, 3), best),
      cell(gflops(ours?.inference, testCase.macs, 1), best),
      cell(gflops(theirs?.inference[testCase.name], testCase.macs, 1), best),
    ]
    if (avx2) row.push(cell(gflops(measured(outcome.oursAvx2)?.train, testCase.macs, 3), peak.avx2))
    lines.push(`| ${row.join(' | ')} |`)
  }
  return lines
}

/** Peak resident memory of the process that trained and ran each network, ours beside PyTorch's. */
export function memoryTable(outcomes: CaseOutcome[]): string[] {
  const lines = ['| model | ours peak RSS MiB | PyTorch | ratio |', '| --- | --- | --- | --- |']
  for (const outcome of outcomes) {
    const ours = measured(outcome.ours)?.peakRssMiB
    const theirs = measured(outcome.theirs)?.peakRssMiB
    lines.push(`| ${label(outcome.testCase)} | ${fmt(ours)} | ${fmt(theirs)} | ${ratio(ours, theirs)} |`)
  }
  return lines
}
