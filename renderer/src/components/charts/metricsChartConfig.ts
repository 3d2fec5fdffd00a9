import { Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip, type TooltipItem } from 'chart.js'
import zoomPlugin from 'chartjs-plugin-zoom'
import { formatChartNumber, formatLoss } from '../../logic/format'
import type { XY } from '../../logic/downsample'
import { axisTypeFor, formatTicks, type AxisType } from './axisScale'
import { axisStyle, type ChartTheme } from './chartTheme'
import { FAINT, METRIC_SERIES, OPTIONAL, metricDatasets, type MetricSeries, type MetricSeriesData } from './metricSeries'
import { fittedLegendLabels, legendTooltip, scaleParts } from './scaleOptions'

export { METRIC_SERIES, emptySeriesData, type MetricSeries, type MetricSeriesData } from './metricSeries'

Chart.register(LineController, LineElement, PointElement, LinearScale, Tooltip, Legend, zoomPlugin)

const seriesAt = (index: number | undefined): MetricSeries | undefined => METRIC_SERIES[index ?? 0]

/** The loss axis's options for its type: logarithmic once the losses shown span three decades (a diverged run). */
function lossAxis(theme: ChartTheme, type: AxisType) {
  const { ticks, grid, title } = axisStyle(theme)
  const { tickCallback, ...parts } = scaleParts(type, formatTicks)
  return { ...parts, position: 'left' as const, title: title(type === 'logarithmic' ? 'Loss (log scale)' : 'Loss'), grid, ticks: { ...ticks, callback: tickCallback } }
}

/** The loss axis's type for the loss values it shows (per-batch and per-epoch). */
export function lossAxisType(data: MetricSeriesData): AxisType {
  const values: number[] = []
  for (const name of ['lossRaw', 'loss', 'testLoss', 'validationLoss'] as const) for (const point of data[name]) values.push(point.y)
  return axisTypeFor(values)
}

/** Switches the loss axis to `type` (a no-op when it has it); true when it changed. */
export function setLossAxisType(chart: Chart<'line', XY[]>, theme: ChartTheme, type: AxisType): boolean {
  const scales = chart.options.scales!
  if ((scales.loss?.type ?? 'linear') === type) return false
  scales.loss = lossAxis(theme, type)
  return true
}

/**
 * Loss (left axis) and accuracy (right axis, %) against samples seen, zoomable along x. Built around the
 * component's (kept) data arrays; `onViewChanged` follows each zoom or pan.
 */
export function createMetricsChart(element: HTMLCanvasElement, theme: ChartTheme, data: MetricSeriesData, onViewChanged: () => void): Chart<'line', XY[]> {
  const { ticks, grid, title } = axisStyle(theme)
  return new Chart<'line', XY[]>(element, {
    type: 'line',
    data: { datasets: metricDatasets(theme, data) },
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
        loss: lossAxis(theme, lossAxisType(data)),
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
          ...legendTooltip,
          labels: {
            color: theme.text,
            usePointStyle: true,
            pointStyleWidth: 18,
            boxHeight: 8,
            generateLabels: fittedLegendLabels,
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
                ? `${item.dataset.label}: ${formatLoss(item.parsed.y ?? 0)}`
                : `${item.dataset.label}: ${(item.parsed.y ?? 0).toFixed(1)}%`,
          },
        },
      },
    },
  })
}
