import { describe, expect, it } from 'vitest'
import { axisTypeFor, decadesSpanned, formatCountTicks, formatTicks, logTicks } from '../../../../../renderer/src/components/charts/axisScale'
import { compareAxisTypes } from '../../../../../renderer/src/components/charts/compareScales'
import { fitLabel } from '../../../../../renderer/src/components/charts/legendFit'
import { emptySeriesData, metricDatasets, seriesLook } from '../../../../../renderer/src/components/charts/metricSeries'
import type { ChartTheme } from '../../../../../renderer/src/components/charts/chartTheme'

const theme: ChartTheme = {
  text: '#111',
  legend: '#222',
  muted: '#666',
  grid: '#ddd',
  surface: '#fff',
  loss: '#e8710a',
  accuracy: '#1a73e8',
  test: '#188038',
  faintLoss: 'rgba(232, 113, 10, 0.22)',
  faintAccuracy: 'rgba(26, 115, 232, 0.22)',
}

describe('Train chart series: each has its own look', () => {
  it('no two series share shape, colour, fill and dash (test accuracy and test loss included)', () => {
    const datasets = metricDatasets(theme, emptySeriesData())
    const looks = datasets.map(seriesLook)
    expect(new Set(looks).size).toBe(datasets.length)
    const byLabel = Object.fromEntries(datasets.map((dataset) => [dataset.label, dataset]))
    // Both test markers are diamonds in the test colour: accuracy filled, loss hollow.
    expect(byLabel['Test accuracy (epoch)']).toMatchObject({ pointStyle: 'rectRot', pointBackgroundColor: theme.test })
    expect(byLabel['Test loss (epoch)']).toMatchObject({ pointStyle: 'rectRot', pointBackgroundColor: theme.surface, pointBorderColor: theme.test })
  })
})

describe('axis scale: logarithmic where values span decades', () => {
  it('spots a diverged loss and leaves an ordinary one linear', () => {
    expect(decadesSpanned([2.3, 0.4, 2e36])).toBeCloseTo(36.7, 1)
    expect(axisTypeFor([2.3, 1.1, 0.4, 0.05])).toBe('linear')
    expect(axisTypeFor([2.3, 5e3, 2e36])).toBe('logarithmic')
    // A log axis cannot show zero: linear then.
    expect(axisTypeFor([0, 2.3, 2e36])).toBe('linear')
    expect(axisTypeFor([2e36])).toBe('linear')
  })

  it('ticks a log axis at powers of ten, thinned to a handful over many decades', () => {
    expect(logTicks(1, 1000)).toEqual([1, 10, 100, 1000])
    expect(logTicks(0.5, 20)).toEqual([0.5, 1, 2, 5, 10, 20])
    const many = logTicks(0.1, 3e36)
    expect(many.length).toBeLessThanOrEqual(8)
    expect(many.slice(0, 3)).toEqual([1, 1e6, 1e12])
    expect(many.every((v) => Math.abs(Math.log10(v) - Math.round(Math.log10(v))) < 1e-9)).toBe(true)
  })

  it('labels ticks so that no two read the same, however close or huge', () => {
    // Chart.js's own labels for these read "2E36" five times.
    const huge = [1.9996e36, 1.9998e36, 2e36, 2.0002e36, 2.0004e36]
    const labels = formatTicks(huge)
    expect(new Set(labels).size).toBe(5)
    expect(labels[0]).toBe('1.9996e36')
    expect(labels[2]).toBe('2e36')
    expect(formatTicks([0, 0.5, 1, 1.5, 2])).toEqual(['0', '0.5', '1', '1.5', '2'])
    expect(formatTicks([1, 1e12, 1e24, 1e36])).toEqual(['1', '1e12', '1e24', '1e36'])
    expect(formatCountTicks([0, 20000, 40000])).toEqual(['0', '20k', '40k'])
    expect(new Set(formatCountTicks([1000, 1020, 1040])).size).toBe(3)
  })
})

describe('Compare axes: every run readable', () => {
  const run = (samples: number, loss = 1) => ({ data: [{ x: samples / 10, y: loss }, { x: samples, y: loss / 2 }] })

  it('turns the x axis logarithmic when the longest run is five times the shortest or more', () => {
    expect(compareAxisTypes([run(60_000), run(4_000)], true)).toEqual({ x: 'logarithmic', y: 'linear' })
    expect(compareAxisTypes([run(60_000), run(30_000)], true)).toEqual({ x: 'linear', y: 'linear' })
    expect(compareAxisTypes([run(60_000)], true).x).toBe('linear')
  })

  it('turns a loss axis logarithmic beside a diverged run, never an accuracy axis', () => {
    expect(compareAxisTypes([run(8000, 2.3), run(8000, 4e36)], false).y).toBe('logarithmic')
    expect(compareAxisTypes([run(8000, 2.3), run(8000, 1.2)], false).y).toBe('linear')
  })
})

describe('legend labels fit the chart', () => {
  const measure = (text: string) => text.length
  it('keeps a label that fits and shortens a long one in the middle, keeping both ends', () => {
    expect(fitLabel('lenet-relu · mnist', 40, measure)).toBe('lenet-relu · mnist')
    const long = 'lenet-relu · mnist · 4 epochs · 6000 images · lr 0.02 · test'
    const fitted = fitLabel(long, 30, measure)
    expect(fitted.length).toBeLessThanOrEqual(30)
    expect(fitted.length).toBeGreaterThanOrEqual(28)
    expect(fitted.startsWith('lenet-relu')).toBe(true)
    expect(fitted.endsWith('· test')).toBe(true)
    expect(fitted).toContain('…')
  })
})
