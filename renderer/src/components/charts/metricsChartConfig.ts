import {
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartDataset,
  type TooltipItem,
} from 'chart.js'
import zoomPlugin from 'chartjs-plugin-zoom'
import { formatChartNumber } from '../../logic/format'
import type { XY } from '../../logic/downsample'
import { axisStyle, type ChartTheme } from './chartTheme'

Chart.register(LineController, LineElement, PointElement, LinearScale, Tooltip, Legend, zoomPlugin)

/** The Train chart's series, in legend order: Chart.js addresses them by this position. */
export const METRIC_SERIES = ['loss', 'trainAccuracy', 'testAccuracy', 'testLoss', 'validationAccuracy', 'validationLoss', 'lossRaw', 'accuracyRaw'] as const
export type MetricSeries = (typeof METRIC_SERIES)[number]
/** The arrays each series draws; kept by the component and refilled in place, so the chart sees new data. */
export type MetricSeriesData = Record<MetricSeries, XY[]>

/** The faint raw curves: left out of the legend and the tooltip. */
const FAINT: ReadonlySet<MetricSeries> = new Set(['lossRaw', 'accuracyRaw'])
/** Validation markers exist only for runs with a validation split: no legend entry without data. */
const OPTIONAL: ReadonlySet<MetricSeries> = new Set(['validationAccuracy', 'validationLoss'])

export function emptySeriesData(): MetricSeriesData {
  return Object.fromEntries(METRIC_SERIES.map((name) => [name, []])) as unknown as MetricSeriesData
}

/** Per-epoch points (test or validation) drawn as markers over the per-batch lines. */
function epochMarker(label: string, data: XY[], axis: 'loss' | 'accuracy', style: 'rectRot' | 'triangle', color: string, surface: string, radius = 5): ChartDataset<'line', XY[]> {
  return {
    label,
    data,
    yAxisID: axis,
    showLine: false,
    pointStyle: style,
    pointRadius: radius,
    pointHoverRadius: radius + 2,
    pointBorderWidth: 1.5,
    borderColor: color,
    backgroundColor: color,
    pointBackgroundColor: color,
    pointBorderColor: surface,
    // Markers at the last epoch sit on the chart's edge: let them overflow it rather than be cut.
    clip: false,
    // Drawn above the lines; the legend keeps dataset order (see `sort` below).
    order: -1,
  }
}

function datasets(theme: ChartTheme, data: MetricSeriesData): ChartDataset<'line', XY[]>[] {
  const line = { borderWidth: 1.5, pointRadius: 0, pointHitRadius: 4, pointStyle: 'line' as const, tension: 0 }
  const faint = { ...line, borderWidth: 1, order: 2 }
  const byName: Record<MetricSeries, ChartDataset<'line', XY[]>> = {
    loss: { ...line, label: 'Loss', data: data.loss, yAxisID: 'loss', borderColor: theme.loss, backgroundColor: theme.loss },
    trainAccuracy: { ...line, label: 'Train accuracy', data: data.trainAccuracy, yAxisID: 'accuracy', borderColor: theme.accuracy, backgroundColor: theme.accuracy },
    testAccuracy: epochMarker('Test accuracy (epoch)', data.testAccuracy, 'accuracy', 'rectRot', theme.test, theme.surface, 6),
    testLoss: epochMarker('Test loss (epoch)', data.testLoss, 'loss', 'rectRot', theme.test, theme.surface),
    validationAccuracy: epochMarker('Validation accuracy (epoch)', data.validationAccuracy, 'accuracy', 'triangle', theme.accuracy, theme.surface),
    validationLoss: epochMarker('Validation loss (epoch)', data.validationLoss, 'loss', 'triangle', theme.loss, theme.surface),
    lossRaw: { ...faint, label: 'Loss (raw)', data: data.lossRaw, yAxisID: 'loss', borderColor: theme.faintLoss },
    accuracyRaw: { ...faint, label: 'Train accuracy (raw)', data: data.accuracyRaw, yAxisID: 'accuracy', borderColor: theme.faintAccuracy },
  }
  return METRIC_SERIES.map((name) => byName[name])
}

const seriesAt = (index: number | undefined): MetricSeries | undefined => METRIC_SERIES[index ?? 0]

/**
 * Loss (left axis) and accuracy (right axis, %) against samples seen, zoomable along x. Built around the
 * component's (kept) data arrays; `onViewChanged` follows each zoom or pan.
 */
export function createMetricsChart(element: HTMLCanvasElement, theme: ChartTheme, data: MetricSeriesData, onViewChanged: () => void): Chart<'line', XY[]> {
  const { ticks, grid, title } = axisStyle(theme)
  return new Chart<'line', XY[]>(element, {
    type: 'line',
    data: { datasets: datasets(theme, data) },
    options: {
      animation: false,
      parsing: false,
      normalized: true,
      maintainAspectRatio: false,
      interaction: { mode: 'nearest', axis: 'x', intersect: false },
      scales: {
        x: {
          type: 'linear',
          min: 0,
          title: title('Samples seen'),
          grid,
          ticks: { ...ticks, callback: (value) => formatChartNumber(Number(value)), maxTicksLimit: 10 },
        },
        loss: { type: 'linear', position: 'left', beginAtZero: true, title: title('Loss'), grid, ticks },
        accuracy: {
          type: 'linear',
          position: 'right',
          min: 0,
          max: 100,
          title: title('Accuracy (%)'),
          ticks,
          grid: { ...grid, drawOnChartArea: false },
        },
      },
      plugins: {
        legend: {
          position: 'top',
          align: 'end',
          labels: {
            color: theme.text,
            usePointStyle: true,
            pointStyleWidth: 18,
            boxHeight: 8,
            sort: (a, b) => (a.datasetIndex ?? 0) - (b.datasetIndex ?? 0),
            filter: (item, chartData) => {
              const name = seriesAt(item.datasetIndex)
              if (!name || FAINT.has(name)) return false
              return !OPTIONAL.has(name) || (chartData.datasets[item.datasetIndex ?? 0]?.data.length ?? 0) > 0
            },
          },
        },
        zoom: {
          // Wheel or pinch zooms the samples axis, dragging pans it; the view is re-downsampled after each.
          zoom: { wheel: { enabled: true }, pinch: { enabled: true }, mode: 'x', onZoomComplete: onViewChanged },
          pan: { enabled: true, mode: 'x', onPanComplete: onViewChanged },
          limits: { x: { min: 0, max: 'original' } },
        },
        tooltip: {
          filter: (item) => !FAINT.has(seriesAt(item.datasetIndex)!),
          callbacks: {
            title: (items: TooltipItem<'line'>[]) => `${formatChartNumber(items[0]?.parsed.x ?? 0)} samples`,
            label: (item: TooltipItem<'line'>) =>
              item.dataset.yAxisID === 'loss'
                ? `${item.dataset.label}: ${(item.parsed.y ?? 0).toFixed(4)}`
                : `${item.dataset.label}: ${(item.parsed.y ?? 0).toFixed(1)}%`,
          },
        },
      },
    },
  })
}
