import { describe, expect, it } from 'vitest'
import { downsampleMinMax, smoothEma, toCsv, type XY } from '../../../../renderer/src/logic/downsample'

function noisy(n: number, seed = 7): XY[] {
  let s = seed
  const rand = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31)
  return Array.from({ length: n }, (_, i) => ({ x: i * 64, y: 1 + 0.1 * rand() }))
}

describe('downsampleMinMax', () => {
  it('keeps every bucket\u2019s minimum and maximum, so spikes and the best point survive', () => {
    const points = noisy(1_000_000)
    points[123_457] = { x: points[123_457]!.x, y: 50 } // a spike
    points[876_543] = { x: points[876_543]!.x, y: -3 } // the best (lowest) loss
    const out = downsampleMinMax(points, 1000)
    expect(out.length).toBeLessThanOrEqual(2 * 1000 + 2)
    expect(out).toContain(points[123_457])
    expect(out).toContain(points[876_543])
    expect(Math.max(...out.map((p) => p.y))).toBe(50)
    expect(Math.min(...out.map((p) => p.y))).toBe(-3)
    // Order along x is kept, and the ends are there.
    for (let i = 1; i < out.length; i++) expect(out[i]!.x).toBeGreaterThanOrEqual(out[i - 1]!.x)
    expect(out[0]).toBe(points[0])
    expect(out[out.length - 1]).toBe(points[points.length - 1])
  })

  it('keeps each bucket\u2019s extremes exactly: every bucket\u2019s min and max appear in the output', () => {
    const points = noisy(10_000, 3)
    const buckets = 50
    const out = new Set(downsampleMinMax(points, buckets))
    const inner = points.slice(1, -1)
    for (let b = 0; b < buckets; b++) {
      const slice = inner.slice(Math.floor((b * inner.length) / buckets), Math.floor(((b + 1) * inner.length) / buckets))
      const min = slice.reduce((a, p) => (p.y < a.y ? p : a))
      const max = slice.reduce((a, p) => (p.y > a.y ? p : a))
      expect(out.has(min)).toBe(true)
      expect(out.has(max)).toBe(true)
    }
  })

  it('returns short series unchanged and downsamples only the visible window (plus one neighbour each side)', () => {
    const few = noisy(30)
    expect(downsampleMinMax(few, 100)).toEqual(few)
    const points = noisy(100_000)
    const out = downsampleMinMax(points, 100, 64 * 50_000, 64 * 60_000)
    expect(out[0]).toBe(points[49_999])
    expect(out[out.length - 1]).toBe(points[60_001])
    expect(out.length).toBeLessThanOrEqual(202)
  })

  it('is fast enough for a million points per frame', () => {
    const points = noisy(1_000_000)
    const started = performance.now()
    downsampleMinMax(points, 1200)
    expect(performance.now() - started).toBeLessThan(200)
  })
})

describe('smoothEma', () => {
  it('leaves data alone at weight 0 and is debiased at the start', () => {
    const points = [5, 5, 5, 5].map((y, x) => ({ x, y }))
    expect(smoothEma(points, 0)).toEqual(points)
    for (const p of smoothEma(points, 0.9)) expect(p.y).toBeCloseTo(5, 10)
  })
  it('smooths a step', () => {
    const points = [0, 0, 0, 10, 10, 10].map((y, x) => ({ x, y }))
    const smooth = smoothEma(points, 0.5)
    expect(smooth[3]!.y).toBeGreaterThan(0)
    expect(smooth[3]!.y).toBeLessThan(10)
  })
})

describe('toCsv', () => {
  it('writes a header and quotes cells that need it', () => {
    expect(toCsv(['samples', 'loss'], [[64, 0.5], [128, undefined], ['a,b', 1]])).toBe('samples,loss\n64,0.5\n128,\n"a,b",1\n')
  })
})
