import { Chart, LogarithmicScale, type LegendItem, type Scale, type Tick } from 'chart.js'
import { logTicks, type AxisType } from './axisScale'
import { fitLabel } from './legendFit'

Chart.register(LogarithmicScale)

/**
 * The parts of a value axis that follow its type: a logarithmic one ticks at powers of ten (Chart.js's own
 * log ticks crowd every 2..9 of every decade), a linear one starts at zero; every label is `format`ted
 * knowing all the axis's ticks, so that no two read the same.
 */
export function scaleParts(type: AxisType, format: (values: number[]) => string[], beginAtZero = true) {
  return {
    type,
    beginAtZero: type === 'linear' && beginAtZero,
    afterBuildTicks:
      type === 'logarithmic'
        ? (scale: Scale) => {
            scale.ticks = logTicks(scale.min, scale.max).map((value) => ({ value }))
          }
        : undefined,
    tickCallback: (value: number | string, index: number, ticks: Tick[]) => format(ticks.map((tick) => tick.value))[index] ?? String(value),
  }
}

/**
 * The default legend items with labels that fit the chart's width (shortened in the middle: a label wider
 * than the chart was cut at both ends); `legendTooltip` shows a shortened label's full text.
 */
export function fittedLegendLabels(chart: Chart): LegendItem[] {
  const items = Chart.defaults.plugins.legend.labels.generateLabels(chart)
  const labels = chart.options.plugins?.legend?.labels
  const font = labels?.font && !(typeof labels.font === 'function') ? labels.font : {}
  const size = ('size' in font && typeof font.size === 'number' ? font.size : undefined) ?? Chart.defaults.font.size ?? 12
  const family = ('family' in font && font.family) || Chart.defaults.font.family
  const box = (labels?.usePointStyle ? (labels.pointStyleWidth ?? size) : (labels?.boxWidth ?? 40)) + (labels?.padding ?? 10) * 3
  const maxWidth = Math.max(60, chart.width - box)
  const context = chart.ctx
  context.save()
  context.font = `${size}px ${family}`
  const fitted = items.map((item) => ({ ...item, text: fitLabel(String(item.text), maxWidth, (text) => context.measureText(text).width) }))
  context.restore()
  return fitted
}

/** The legend's hover handlers: a shortened label's full text becomes the canvas's tooltip. */
export const legendTooltip = {
  onHover(_event: unknown, item: LegendItem, legend: { chart: Chart }): void {
    const full = legend.chart.data.datasets[item.datasetIndex ?? -1]?.label ?? ''
    legend.chart.canvas.title = full !== item.text ? full : ''
  },
  onLeave(_event: unknown, _item: LegendItem, legend: { chart: Chart }): void {
    legend.chart.canvas.title = ''
  },
}
