/** How verdicts write numbers: accuracies as percentages with one decimal, differences in points. */

export function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(1)}%`
}

export function points(fraction: number): string {
  const value = Math.abs(fraction * 100)
  return `${value.toFixed(1)} point${value.toFixed(1) === '1.0' ? '' : 's'}`
}

export function formatConfigValue(value: unknown): string {
  return value === undefined ? 'unset' : typeof value === 'string' ? value : JSON.stringify(value)
}

export function seconds(value: number): string {
  return value < 10 ? `${value.toFixed(1)} s` : `${Math.round(value)} s`
}
