import { withAlpha } from '../../logic/palette'

/** A CSS custom property of the page's current colour scheme. */
export function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim()
}

/**
 * The charts' colours, read from the CSS variables of the current colour scheme. Chart.js keeps colours
 * as plain strings, so a chart reads its theme once and is rebuilt when the scheme changes.
 */
export interface ChartTheme {
  text: string
  /** Legend text of the Compare charts, a step softer than `text`. */
  legend: string
  muted: string
  grid: string
  surface: string
  loss: string
  accuracy: string
  test: string
  faintLoss: string
  faintAccuracy: string
}

/** Opacity of a raw curve drawn faint behind its smoothed one. */
export const FAINT_ALPHA = 0.22

export function readChartTheme(): ChartTheme {
  const loss = cssVar('--chart-loss')
  const accuracy = cssVar('--chart-accuracy')
  return {
    text: cssVar('--text'),
    legend: cssVar('--text-2'),
    muted: cssVar('--muted'),
    grid: cssVar('--chart-grid'),
    surface: cssVar('--surface'),
    loss,
    accuracy,
    test: cssVar('--chart-test'),
    faintLoss: withAlpha(loss, FAINT_ALPHA),
    faintAccuracy: withAlpha(accuracy, FAINT_ALPHA),
  }
}

/** Tick, grid and axis-title styles shared by every chart axis. */
export function axisStyle(theme: ChartTheme) {
  return {
    ticks: { color: theme.muted },
    grid: { color: theme.grid },
    title: (text: string) => ({ display: true, text, color: theme.muted }),
  }
}
