import type { EventName, EventOf } from '../../shared/api/contract'

export type EventListener = <E extends EventName>(event: E, payload: EventOf<E>) => void

/** Fan-out of API events to every connected client (Electron windows, WebSockets, the CLI). */
export class EventBus {
  private readonly listeners = new Set<EventListener>()

  emit<E extends EventName>(event: E, payload: EventOf<E>): void {
    for (const listener of this.listeners) {
      try {
        listener(event, payload)
      } catch (error) {
        console.error(`event listener failed on ${event}:`, error)
      }
    }
  }

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }
}
