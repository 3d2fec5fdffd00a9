import { describe, expect, it } from 'vitest'
import { formatChartNumber } from '../../../../renderer/src/logic/format'
import { withAlpha } from '../../../../renderer/src/logic/palette'

describe('chart helpers', () => {
  it('abbreviates thousands and millions and keeps small values to three decimals', () => {
    expect(formatChartNumber(1_500_000)).toBe('1.5M')
    expect(formatChartNumber(-2000)).toBe('-2k')
    expect(formatChartNumber(12_345)).toBe('12.3k')
    expect(formatChartNumber(640)).toBe('640')
    expect(formatChartNumber(0.1 + 0.2)).toBe('0.3')
  })
  it('puts a hex or rgb colour at an opacity, and leaves other colours alone', () => {
    expect(withAlpha('#3366cc', 0.2)).toBe('rgba(51, 102, 204, 0.2)')
    expect(withAlpha('#36c', 0.5)).toBe('rgba(51, 102, 204, 0.5)')
    expect(withAlpha('rgb(10 20 30)', 0.22)).toBe('rgba(10, 20, 30, 0.22)')
    expect(withAlpha('rgba(10, 20, 30, 1)', 0.22)).toBe('rgba(10, 20, 30, 0.22)')
    expect(withAlpha('tomato', 0.5)).toBe('tomato')
  })
})
