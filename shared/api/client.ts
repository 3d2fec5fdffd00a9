import {
  apiEvents,
  apiMethods,
  describeValidationError,
  WorkbenchError,
  type ApiResult,
  type EventName,
  type MethodName,
  type WorkbenchApi,
} from './contract'
import { requestSizeProblem } from './wire'

/** What a transport must do; the typed API and its validation are built once on top of it. */
export interface Transport {
  send(method: MethodName, request: unknown): Promise<ApiResult<unknown>>
  subscribe(listener: (event: string, payload: unknown) => void): () => void
}

export function createApiClient(transport: Transport): WorkbenchApi {
  const handlers = new Map<string, Set<(payload: never) => void>>()
  transport.subscribe((event, payload) => {
    const set = handlers.get(event)
    if (!set || !(event in apiEvents)) return
    const parsed = apiEvents[event as EventName].safeParse(payload)
    if (!parsed.success) {
      console.warn(`dropped malformed ${event} event: ${describeValidationError(parsed.error)}`)
      return
    }
    for (const handler of set) (handler as (p: unknown) => void)(parsed.data)
  })
  return {
    async call(method, request) {
      // Refused here with a clear message rather than by the transport, which would drop the connection.
      const tooLarge = requestSizeProblem(method, request)
      if (tooLarge) throw new WorkbenchError('invalid-request', tooLarge)
      const result = await transport.send(method, request)
      if (!result.ok) throw new WorkbenchError(result.error.code, result.error.message)
      const parsed = apiMethods[method].response.safeParse(result.value)
      if (!parsed.success) {
        throw new WorkbenchError('internal', `unexpected reply to ${method}: ${describeValidationError(parsed.error)}`)
      }
      return parsed.data as never
    },
    on(event, handler) {
      let set = handlers.get(event)
      if (!set) handlers.set(event, (set = new Set()))
      set.add(handler as (payload: never) => void)
      return () => set.delete(handler as (payload: never) => void)
    },
  }
}
