import { formatChartNumber } from '../../logic/format'

/**
 * How a chart axis is scaled and labelled, from the values it shows: a logarithmic axis where they span
 * several decades (a diverged loss from 2.3 to 2e36, runs of 4,000 and 600,000 samples side by side), and
 * tick labels that always differ from one another.
 */

export type AxisType = 'linear' | 'logarithmic'

/** Decades between the smallest and the largest positive finite value (0 with fewer than two). */
export function decadesSpanned(values: Iterable<number>): number {
  let min = Infinity
  let max = -Infinity
  for (const value of values) {
    if (!(value > 0) || !Number.isFinite(value)) continue
    if (value < min) min = value
    if (value > max) max = value
  }
  return max > min ? Math.log10(max / min) : 0
}

/** Where the values span `decades` or more, and none is zero or below (a log axis cannot show those). */
export function axisTypeFor(values: readonly number[], decades = 3): AxisType {
  const finite = values.filter(Number.isFinite)
  if (finite.length < 2 || finite.some((value) => value <= 0)) return 'linear'
  return decadesSpanned(finite) >= decades ? 'logarithmic' : 'linear'
}

/**
 * Ticks of a logarithmic axis from `min` to `max`: powers of ten (with 2 and 5 between them over two and a
 * half decades or less), every k-th decade when there are many, at most about `maxCount` in all.
 */
export function logTicks(min: number, max: number, maxCount = 8): number[] {
  if (!(min > 0) || !(max >= min) || !Number.isFinite(max)) return []
  const first = Math.floor(Math.log10(min))
  const last = Math.ceil(Math.log10(max))
  const decades = last - first
  const step = Math.max(1, Math.ceil(decades / Math.max(1, maxCount - 1)))
  const mantissas = Math.log10(max / min) <= 2.5 ? [1, 2, 5] : [1]
  const ticks: number[] = []
  // Exponents at multiples of the step: 1, 1e6, 1e12 rather than 0.1, 1e5, 1e11.
  for (let exponent = Math.ceil(first / step) * step; exponent <= last; exponent += step) {
    for (const mantissa of mantissas) {
      const value = Number(`${mantissa}e${exponent}`)
      if (value >= min * (1 - 1e-9) && value <= max * (1 + 1e-9)) ticks.push(value)
    }
  }
  return ticks
}

/** A value at `digits` significant digits: plain in 0.001-99,999, else as `2.5e36`. */
export function formatTickAt(value: number, digits: number): string {
  if (value === 0) return '0'
  const abs = Math.abs(value)
  if (abs >= 1e5 || abs < 1e-3) {
    const [mantissa, exponent] = value.toExponential(Math.max(0, digits - 1)).split('e')
    return `${String(Number(mantissa))}e${Number(exponent)}`
  }
  return String(Number(value.toPrecision(digits)))
}

/** Labels for one axis's ticks: the fewest significant digits (1 to 15) at which no two read the same. */
export function formatTicks(values: readonly number[]): string[] {
  let labels: string[] = []
  for (let digits = 1; digits <= 15; digits++) {
    labels = values.map((value) => formatTickAt(value, digits))
    if (new Set(labels).size === new Set(values).size) return labels
  }
  return labels
}

/** Labels for a samples or seconds axis: 12k, 1.5M as before, with more digits where two would read the same. */
export function formatCountTicks(values: readonly number[]): string[] {
  const short = values.map(formatChartNumber)
  return new Set(short).size === new Set(values).size ? short : formatTicks(values)
}
