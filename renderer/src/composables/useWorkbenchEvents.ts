import { onMounted, onUnmounted } from 'vue'
import type { EventName, EventOf } from '../../../shared/api/contract'
import { useWorkbenchApi } from './useWorkbenchApi'

export type WorkbenchEventHandlers = { [E in EventName]?: (payload: EventOf<E>) => void }

/**
 * Subscribes the given handlers to pushed events while the calling component is mounted,
 * and unsubscribes every one of them when it unmounts.
 */
export function useWorkbenchEvents(handlers: WorkbenchEventHandlers): void {
  const api = useWorkbenchApi()
  let unsubscribers: Array<() => void> = []

  function subscribe<E extends EventName>(event: E): void {
    const handler = handlers[event] as ((payload: EventOf<E>) => void) | undefined
    if (handler) unsubscribers.push(api.on(event, handler))
  }

  onMounted(() => {
    // Every event the caller handles (a fixed list here once left `download.progress` unheard).
    for (const event of Object.keys(handlers) as EventName[]) subscribe(event)
  })
  onUnmounted(() => {
    for (const unsubscribe of unsubscribers) unsubscribe()
    unsubscribers = []
  })
}
