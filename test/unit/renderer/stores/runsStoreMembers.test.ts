/** The runs store's public members, state as refs in Pinia's state: what views and tests rely on, whatever files build it. */
import { createPinia, setActivePinia } from 'pinia'
import { describe, expect, it } from 'vitest'
import { useRunsStore } from '../../../../renderer/src/stores/runs'

describe('the runs store', () => {
  it('offers the same state, getters and actions', () => {
    setActivePinia(createPinia())
    const store = useRunsStore()
    expect(Object.keys(store.$state).sort()).toEqual(['currentRunId', 'progress', 'runs', 'series'])
    const actions = ['applyStatus', 'applyProgress', 'applyEpoch', 'applyDetail', 'refreshRuns', 'loadRun', 'selectRun', 'startTraining', 'startSweep', 'queueRun', 'stopTraining', 'pauseTraining', 'resumeTraining', 'cancelTraining', 'updateRun', 'deleteRun', 'seriesOf']
    for (const name of actions) expect(typeof (store as unknown as Record<string, unknown>)[name], name).toBe('function')
    for (const getter of ['runList', 'completedRuns', 'currentRun', 'currentSeries', 'currentProgress']) expect(getter in store, getter).toBe(true)
    expect(store.currentSeries).toEqual({ points: [], epochs: [] })
  })
})
