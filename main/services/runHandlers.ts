import type { ApiHandlers, ServiceSet } from './apiHandlerTypes'
import { RunStateError } from './trainingSupervisor'

type RunMethods = 'runs.list' | 'runs.get' | 'runs.update' | 'runs.delete'

/** The stored runs: listed, read, labelled and deleted, live ones as the supervisor knows them. */
export function createRunHandlers({ store, supervisor }: Pick<ServiceSet, 'store' | 'supervisor'>): Pick<ApiHandlers, RunMethods> {
  return {
    // A live run's summary is the supervisor's: its run.json is written behind it, so a read from disk
    // can still say `paused` just after a resume (and a client that reloads then would show it for good).
    'runs.list': async () => (await store.list()).map((run) => supervisor.liveSummary(run.runId) ?? run),
    'runs.get': async ({ runId }) => {
      const detail = await store.detail(runId)
      const live = supervisor.liveSummary(runId)
      return live ? { ...detail, ...live } : detail
    },
    'runs.update': ({ runId, name, tags }) => {
      const changes: { name?: string; tags?: string[] } = {}
      if (name !== undefined) changes.name = name || undefined
      if (tags !== undefined) changes.tags = [...new Set(tags)]
      return supervisor.annotate(runId, changes)
    },
    'runs.delete': async ({ runId }) => {
      // A run that has just ended (a queued run stopped a moment ago) still has its final save in flight.
      await supervisor.settled(runId)
      const live = supervisor.liveSummary(runId)
      if (live) {
        // The live status, never run.json's (written behind it, it can still say `running` for a paused run).
        const hint = live.status === 'paused' ? 'a paused run still holds its training process; stop it (its model is saved) or cancel it, then delete it' : 'stop it before deleting it'
        throw new RunStateError(`run ${runId} is ${live.status}: ${hint}`)
      }
      await store.delete(runId)
      return { deleted: true as const }
    },
  }
}
