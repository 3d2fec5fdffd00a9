import type { ChartDataset } from 'chart.js'
import type { XY } from '../../logic/downsample'
import type { ChartTheme } from './chartTheme'

/** The Train chart's series, in legend order: Chart.js addresses them by this position. */
export const METRIC_SERIES = ['loss', 'trainAccuracy', 'testAccuracy', 'testLoss', 'validationAccuracy', 'validationLoss', 'lossRaw', 'accuracyRaw'] as const
export type MetricSeries = (typeof METRIC_SERIES)[number]
/** The arrays each series draws; kept by the component and refilled in place, so the chart sees new data. */
export type MetricSeriesData = Record<MetricSeries, XY[]>

/** The faint raw curves: left out of the legend and the tooltip. */
export const FAINT: ReadonlySet<MetricSeries> = new Set(['lossRaw', 'accuracyRaw'])
/** Validation markers exist only for runs with a validation split: no legend entry without data. */
export const OPTIONAL: ReadonlySet<MetricSeries> = new Set(['validationAccuracy', 'validationLoss'])

export function emptySeriesData(): MetricSeriesData {
  return Object.fromEntries(METRIC_SERIES.map((name) => [name, []])) as unknown as MetricSeriesData
}

interface MarkerLook {
  axis: 'loss' | 'accuracy'
  /** Diamond: the test split; triangle: the validation split. */
  style: 'rectRot' | 'triangle'
  color: string
  radius?: number
}

/**
 * Per-epoch points (test or validation) drawn as markers over the per-batch lines. The shape says which
 * split, the fill which metric: accuracy filled, loss hollow (so test accuracy and test loss, both in the
 * test colour, never look alike).
 */
function epochMarker(label: string, data: XY[], look: MarkerLook, surface: string): ChartDataset<'line', XY[]> {
  const radius = look.radius ?? 5
  const hollow = look.axis === 'loss'
  return {
    label,
    data,
    yAxisID: look.axis,
    showLine: false,
    pointStyle: look.style,
    pointRadius: radius,
    pointHoverRadius: radius + 2,
    pointBorderWidth: hollow ? 2 : 1.5,
    borderColor: look.color,
    backgroundColor: hollow ? surface : look.color,
    pointBackgroundColor: hollow ? surface : look.color,
    pointBorderColor: hollow ? look.color : surface,
    // Markers at the last epoch sit on the chart's edge: let them overflow it rather than be cut.
    clip: false,
    // Drawn above the lines; the legend keeps dataset order.
    order: -1,
  }
}

/** The Train chart's datasets over the component's kept arrays, in METRIC_SERIES order. */
export function metricDatasets(theme: ChartTheme, data: MetricSeriesData): ChartDataset<'line', XY[]>[] {
  const line = { borderWidth: 1.5, pointRadius: 0, pointHitRadius: 4, pointStyle: 'line' as const, tension: 0 }
  const faint = { ...line, borderWidth: 1, order: 2 }
  const { surface } = theme
  const byName: Record<MetricSeries, ChartDataset<'line', XY[]>> = {
    loss: { ...line, label: 'Loss', data: data.loss, yAxisID: 'loss', borderColor: theme.loss, backgroundColor: theme.loss },
    trainAccuracy: { ...line, label: 'Train accuracy', data: data.trainAccuracy, yAxisID: 'accuracy', borderColor: theme.accuracy, backgroundColor: theme.accuracy },
    testAccuracy: epochMarker('Test accuracy (epoch)', data.testAccuracy, { axis: 'accuracy', style: 'rectRot', color: theme.test, radius: 6 }, surface),
    testLoss: epochMarker('Test loss (epoch)', data.testLoss, { axis: 'loss', style: 'rectRot', color: theme.test, radius: 6 }, surface),
    validationAccuracy: epochMarker('Validation accuracy (epoch)', data.validationAccuracy, { axis: 'accuracy', style: 'triangle', color: theme.accuracy }, surface),
    validationLoss: epochMarker('Validation loss (epoch)', data.validationLoss, { axis: 'loss', style: 'triangle', color: theme.loss }, surface),
    lossRaw: { ...faint, label: 'Loss (raw)', data: data.lossRaw, yAxisID: 'loss', borderColor: theme.faintLoss },
    accuracyRaw: { ...faint, label: 'Train accuracy (raw)', data: data.accuracyRaw, yAxisID: 'accuracy', borderColor: theme.faintAccuracy },
  }
  return METRIC_SERIES.map((name) => byName[name])
}

/** What tells a series apart on screen and in the legend: shape, outline colour, fill, dash. */
export function seriesLook(dataset: ChartDataset<'line', XY[]>): string {
  const shape = dataset.showLine === false ? String(dataset.pointStyle) : 'line'
  const fill = dataset.showLine === false ? String(dataset.pointBackgroundColor) : '-'
  return [shape, String(dataset.borderColor), fill, JSON.stringify(dataset.borderDash ?? [])].join(' ')
}
