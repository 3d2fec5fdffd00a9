/** A plotted point; x must be non-decreasing along a series. */
export interface XY {
  x: number
  y: number
}

/**
 * Min/max-per-bucket downsampling: the points with x in [from, to] are cut into `buckets` runs of
 * (nearly) equal length and each run keeps its minimum and its maximum point, in their original order.
 * So a spike or the best epoch always survives, however many points share a pixel column; the first
 * and last visible points are kept too, so the line reaches the window's edges. One neighbour on each
 * side of the window is kept so the line runs off the edge instead of stopping short. Series that
 * already fit (at most two points per bucket) come back as they are.
 */
export function downsampleMinMax(points: readonly XY[], buckets: number, from = -Infinity, to = Infinity): XY[] {
  let start = lowerBound(points, from)
  let end = upperBound(points, to) // exclusive
  if (start > 0) start--
  if (end < points.length) end++
  const count = end - start
  const n = Math.max(1, Math.floor(buckets))
  if (count <= 2 * n + 2) return points.slice(start, end)
  const out: XY[] = [points[start]!]
  for (let b = 0; b < n; b++) {
    const lo = start + 1 + Math.floor((b * (count - 2)) / n)
    const hi = start + 1 + Math.floor(((b + 1) * (count - 2)) / n)
    if (hi <= lo) continue
    let minIndex = lo
    let maxIndex = lo
    for (let i = lo + 1; i < hi; i++) {
      const y = points[i]!.y
      if (y < points[minIndex]!.y) minIndex = i
      if (y > points[maxIndex]!.y) maxIndex = i
    }
    if (minIndex === maxIndex) out.push(points[minIndex]!)
    else if (minIndex < maxIndex) out.push(points[minIndex]!, points[maxIndex]!)
    else out.push(points[maxIndex]!, points[minIndex]!)
  }
  out.push(points[end - 1]!)
  return out
}

/** First index with x >= value (points sorted by x). */
function lowerBound(points: readonly XY[], value: number): number {
  let lo = 0
  let hi = points.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (points[mid]!.x < value) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** First index with x > value. */
function upperBound(points: readonly XY[], value: number): number {
  let lo = 0
  let hi = points.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (points[mid]!.x <= value) lo = mid + 1
    else hi = mid
  }
  return lo
}

/**
 * Exponential moving average with TensorBoard's debiasing (the first points are not dragged towards 0).
 * `weight` 0 returns the values unchanged, 0.99 smooths heavily. Non-finite values are passed through.
 */
export function smoothEma(points: readonly XY[], weight: number): XY[] {
  if (weight <= 0) return points.slice()
  const w = Math.min(weight, 0.999)
  let last = 0
  let steps = 0
  return points.map((point) => {
    if (!Number.isFinite(point.y)) return point
    last = last * w + (1 - w) * point.y
    steps++
    return { x: point.x, y: last / (1 - w ** steps) }
  })
}

/** The raw points as CSV, one row per point, with a header; numbers at full precision. */
export function toCsv(header: readonly string[], rows: readonly (readonly (number | string | undefined)[])[]): string {
  const cell = (value: number | string | undefined) => {
    if (value === undefined) return ''
    const text = String(value)
    return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
  }
  return [header.map(cell).join(','), ...rows.map((row) => row.map(cell).join(','))].join('\n') + '\n'
}
