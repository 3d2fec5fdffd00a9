import { reactive } from 'vue'
import type { LrFinderResult, TrainConfigInput } from '../../../shared/api/schemas'
import { LR_FINDER_STEPS } from '../logic/lrFinder'
import { useWorkbenchApi } from './useWorkbenchApi'
import { useWorkbenchEvents } from './useWorkbenchEvents'

type Point = LrFinderResult['points'][number]

export interface LrFinderState {
  /** The settings it runs (or ran) on; null while closed. */
  config: TrainConfigInput | null
  running: boolean
  /** The curve so far: each batch's rate and smoothed loss, from `lrFinder.progress`, then the result's. */
  points: Point[]
  steps: number
  suggested?: number
  /** Set when the test ended without a suggestion or failed. */
  error: string | null
}

function emptyState(): LrFinderState {
  return { config: null, running: false, points: [], steps: LR_FINDER_STEPS, suggested: undefined, error: null }
}

/**
 * The learning-rate range test (`training.findLearningRate`) for the Train view: started for some settings,
 * its curve growing with each batch's `lrFinder.progress` event (this window's only, by its `findId`), then
 * the suggested rate.
 */
export function useLrFinder() {
  const api = useWorkbenchApi()
  const state = reactive<LrFinderState>(emptyState())
  let findId = ''
  let searches = 0
  useWorkbenchEvents({
    'lrFinder.progress': (event) => {
      if (!state.running || event.findId !== findId) return
      state.steps = event.steps
      state.points.push({ learningRate: event.learningRate, loss: event.loss })
    },
  })

  async function find(config: TrainConfigInput): Promise<void> {
    findId = `lr-${Date.now().toString(36)}-${++searches}`
    const mine = findId
    Object.assign(state, emptyState(), { config: { ...config }, running: true })
    try {
      const result = await api.call('training.findLearningRate', { config, steps: LR_FINDER_STEPS, findId: mine })
      if (findId !== mine) return
      state.points = result.points.filter((point) => Number.isFinite(point.loss))
      state.suggested = result.suggestedLearningRate
      if (result.suggestedLearningRate === undefined) state.error = 'The loss never fell clearly: no rate to suggest. Try a larger batch or another optimizer.'
    } catch (error) {
      if (findId === mine) state.error = error instanceof Error ? error.message : String(error)
    } finally {
      if (findId === mine) state.running = false
    }
  }

  /** Closes the panel; a search still running is forgotten (its worker finishes on its own). */
  function close(): void {
    findId = ''
    Object.assign(state, emptyState())
  }

  return { state, find, close }
}
