/**
 * One colour per run, the same in every view (Runs, Compare, charts). A run gets the next colour of
 * the palette the first time it is drawn, and keeps it: the assignment is remembered in
 * localStorage, so colours survive a reload and do not shift when other runs are deleted. Runs
 * queued together (a sweep, an experiment) thus get distinct colours.
 */

/**
 * Ten colours that stay apart from each other and read on white (each at least 3:1 against it, the
 * WCAG contrast for graphics) as on the dark theme: no yellow or pink, which vanish on white.
 */
export const RUN_PALETTE = ['#2f66d0', '#d9731a', '#c62f3a', '#2e8b57', '#8e5bb5', '#0f8a8a', '#8c5a3c', '#5a6275', '#6b7f1f', '#1d3f7a'] as const

const STORAGE_KEY = 'workbench.runColors'

interface Assignment {
  next: number
  colors: Record<string, number>
}

let assignment: Assignment | undefined

function storage(): Storage | undefined {
  try {
    return typeof localStorage === 'undefined' ? undefined : localStorage
  } catch {
    return undefined
  }
}

function load(): Assignment {
  if (assignment) return assignment
  try {
    const parsed = JSON.parse(storage()?.getItem(STORAGE_KEY) ?? 'null') as Assignment | null
    if (parsed && typeof parsed.next === 'number' && parsed.colors && typeof parsed.colors === 'object') assignment = parsed
  } catch {
    // a corrupt entry just starts the assignment afresh
  }
  assignment ??= { next: 0, colors: {} }
  return assignment
}

/** The palette index of a run, assigned on first use. */
export function runColorIndex(runId: string): number {
  const state = load()
  let index = state.colors[runId]
  if (index === undefined) {
    index = state.next % RUN_PALETTE.length
    state.colors[runId] = index
    state.next = index + 1
    // Keep the map small: only the most recent few hundred runs matter.
    const ids = Object.keys(state.colors)
    if (ids.length > 500) for (const old of ids.slice(0, ids.length - 500)) delete state.colors[old]
    storage()?.setItem(STORAGE_KEY, JSON.stringify(state))
  }
  return index
}

/**
 * Pins a run to the colour the service gave it when it was created (its `colorIndex`), so every
 * client shows it alike; runs stored before that existed keep the colour assigned here on first use.
 */
export function pinRunColor(runId: string, colorIndex: number | undefined): void {
  if (colorIndex === undefined) return
  const state = load()
  const index = colorIndex % RUN_PALETTE.length
  if (state.colors[runId] === index) return
  state.colors[runId] = index
  storage()?.setItem(STORAGE_KEY, JSON.stringify(state))
}

/** The run's colour as a CSS colour string. */
export function runColor(runId: string): string {
  return RUN_PALETTE[runColorIndex(runId)]!
}

/** A CSS colour (#rgb, #rrggbb or rgb()) at the given opacity, for faint raw curves; any other colour comes back as it is. */
export function withAlpha(color: string, alpha: number): string {
  const hex = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(color)
  if (hex) {
    const h = hex[1]!.length === 3 ? [...hex[1]!].map((c) => c + c).join('') : hex[1]!
    const [r, g, b] = [0, 2, 4].map((k) => parseInt(h.slice(k, k + 2), 16))
    return `rgba(${r}, ${g}, ${b}, ${alpha})`
  }
  const rgb = /^rgba?\(([^)]+)\)$/.exec(color)
  if (rgb) {
    const [r, g, b] = rgb[1]!.split(/[ ,/]+/)
    return `rgba(${r}, ${g}, ${b}, ${alpha})`
  }
  return color
}

/** Assigns colours to runs in the given order (oldest first), so runs started together differ. */
export function assignRunColors(runIds: readonly string[]): void {
  for (const runId of runIds) runColorIndex(runId)
}

/** For tests: forget the in-memory assignment. */
export function resetRunColorsForTests(): void {
  assignment = undefined
}
