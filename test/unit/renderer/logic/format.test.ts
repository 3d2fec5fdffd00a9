import { describe, expect, it } from 'vitest'
import { formatCount, formatDuration, formatElapsed, formatLoss, formatPercent } from '../../../../renderer/src/logic/format'
import { describeError } from '../../../../renderer/src/logic/errors'
import { WorkbenchError } from '../../../../shared/api/contract'

describe('formatDuration (ETA)', () => {
  it('formats seconds as mm:ss', () => {
    expect(formatDuration(0)).toBe('00:00')
    expect(formatDuration(5)).toBe('00:05')
    expect(formatDuration(65)).toBe('01:05')
    expect(formatDuration(59.6)).toBe('01:00')
    expect(formatDuration(3599)).toBe('59:59')
  })
  it('adds hours from one hour on', () => {
    expect(formatDuration(3600)).toBe('1:00:00')
    expect(formatDuration(3725)).toBe('1:02:05')
  })
  it('shows a placeholder when unknown', () => {
    expect(formatDuration(undefined)).toBe('--:--')
    expect(formatDuration(Number.NaN)).toBe('--:--')
    expect(formatDuration(Number.POSITIVE_INFINITY)).toBe('--:--')
    expect(formatDuration(-1)).toBe('--:--')
  })
})

describe('other formatters', () => {
  it('formats fractions as percent with one decimal', () => {
    expect(formatPercent(0.9781)).toBe('97.8%')
    expect(formatPercent(1)).toBe('100.0%')
  })
  it('groups thousands independent of locale', () => {
    expect(formatCount(12345.6)).toBe('12,346')
  })
  it('formats elapsed time', () => {
    expect(formatElapsed(42.25)).toBe('42.3 s')
    expect(formatElapsed(125)).toBe('02:05')
  })
})

describe('describeError', () => {
  it('keeps only the message of a WorkbenchError, never the stack', () => {
    const error = new WorkbenchError('bad-input', 'notes.txt is not an image')
    expect(describeError(error)).toBe('notes.txt is not an image')
    expect(describeError(error)).not.toContain('at ')
  })
  it('falls back for empty or unknown values', () => {
    expect(describeError(undefined)).toBe('Something went wrong.')
    expect(describeError(new Error(''))).toBe('Something went wrong.')
    expect(describeError('plain text')).toBe('plain text')
    expect(describeError({ message: 'from data' })).toBe('from data')
  })
})

describe('formatBytes', () => {
  it('picks the unit that keeps the number short', async () => {
    const { formatBytes } = await import('../../../../renderer/src/logic/format')
    expect(formatBytes(512)).toBe('512 B')
    expect(formatBytes(1536)).toBe('1.5 KiB')
    expect(formatBytes(12 * 1024 ** 2)).toBe('12.0 MiB')
    expect(formatBytes(24105 * 1024 ** 2)).toBe('23.5 GiB')
  })
})

describe('formatLoss', () => {
  it('keeps four decimals for usual losses and switches to exponents for a diverged one', () => {
    expect(formatLoss(0.12345)).toBe('0.1235')
    expect(formatLoss(25845002.7)).toBe('2.58e+7')
    expect(formatLoss(Infinity)).toBe('–')
  })
})
