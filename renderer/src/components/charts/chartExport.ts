import { toCsv } from '../../logic/downsample'
import type { MetricPoint } from '../../../../shared/api/schemas'
import { cssVar } from './chartTheme'

function download(name: string, href: string): void {
  const link = document.createElement('a')
  link.href = href
  link.download = name
  link.click()
}

/** The chart as drawn, on the page's background (a transparent PNG is unreadable in dark viewers). */
export function exportChartPng(source: HTMLCanvasElement, stem: string): void {
  const copy = document.createElement('canvas')
  copy.width = source.width
  copy.height = source.height
  const context = copy.getContext('2d')!
  context.fillStyle = cssVar('--surface') || '#ffffff'
  context.fillRect(0, 0, copy.width, copy.height)
  context.drawImage(source, 0, 0)
  download(`${stem}.png`, copy.toDataURL('image/png'))
}

/** Every raw point held, never the downsampled view. */
export function exportPointsCsv(points: readonly MetricPoint[], stem: string): void {
  const rows = points.map((p) => [p.samples, p.epoch, p.loss, p.accuracy, p.learningRate, p.t])
  const csv = toCsv(['samples', 'epoch', 'loss', 'accuracy', 'learningRate', 'seconds'], rows)
  const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv' }))
  download(`${stem}.csv`, url)
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}
