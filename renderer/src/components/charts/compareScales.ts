import type { XY } from '../../logic/downsample'
import { axisTypeFor, type AxisType } from './axisScale'

/** How much longer the longest compared run may be than the shortest before the x axis turns logarithmic. */
export const LENGTH_RATIO_FOR_LOG = 5

/** The end of a run's curves on the x axis (0 when it has none). */
function lengthOf(entry: { data: readonly XY[]; epochs?: readonly XY[] }): number {
  let end = 0
  for (const point of entry.data) if (point.x > end) end = point.x
  for (const point of entry.epochs ?? []) if (point.x > end) end = point.x
  return end
}

/**
 * The Compare charts' axis types for the runs shown. x: logarithmic when the longest run is
 * LENGTH_RATIO_FOR_LOG times the shortest or more (on a linear axis a run of 4,000 samples beside one of
 * 60,000 is squeezed into a few percent of the width); y: logarithmic when the losses span three decades
 * (a diverged run). Accuracy stays linear.
 */
export function compareAxisTypes(series: readonly { data: readonly XY[]; epochs?: readonly XY[] }[], percent: boolean): { x: AxisType; y: AxisType } {
  const lengths = series.map(lengthOf).filter((length) => length > 0)
  const longest = Math.max(0, ...lengths)
  const shortest = Math.min(Infinity, ...lengths)
  const x: AxisType = lengths.length >= 2 && longest / shortest >= LENGTH_RATIO_FOR_LOG ? 'logarithmic' : 'linear'
  if (percent) return { x, y: 'linear' }
  const values: number[] = []
  for (const entry of series) {
    for (const point of entry.data) values.push(point.y)
    for (const point of entry.epochs ?? []) values.push(point.y)
  }
  return { x, y: axisTypeFor(values) }
}
