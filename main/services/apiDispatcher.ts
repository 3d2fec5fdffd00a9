import { ZodError } from 'zod'
import { apiMethods, describeValidationError, isMethodName, WorkbenchError, type ApiError, type ApiResult } from '../../shared/api/contract'
import { requestShapeProblem } from '../../shared/api/wire'
import type { ApiHandlers } from './apiHandlers'
import { describeStorageError, isDiskFull } from '../storage/storageErrors'

/**
 * The one door into the services for every transport: unknown methods and malformed requests are
 * answered with a validation error, and every failure leaves as data, never as a thrown stack.
 */
export async function dispatchApiCall(handlers: ApiHandlers, method: unknown, request: unknown): Promise<ApiResult<unknown>> {
  if (!isMethodName(method)) {
    return { ok: false, error: { code: 'invalid-request', message: `unknown method ${JSON.stringify(method)?.slice(0, 80)}` } }
  }
  // Before validation walks it: a million keys or arrays nested ten thousand deep are refused cheaply.
  const shapeProblem = requestShapeProblem(method, request)
  if (shapeProblem) return { ok: false, error: { code: 'invalid-request', message: shapeProblem } }
  const parsed = apiMethods[method].request.safeParse(request ?? {})
  if (!parsed.success) {
    return { ok: false, error: { code: 'invalid-request', message: `${method}: ${describeValidationError(parsed.error)}` } }
  }
  try {
    const handler = handlers[method] as (request: unknown) => Promise<unknown>
    return { ok: true, value: await handler(parsed.data) }
  } catch (error) {
    return { ok: false, error: toApiError(error) }
  }
}

export function toApiError(error: unknown): ApiError {
  // Errors thrown on purpose carry their code (RunNotFoundError, BadImageError, DataInputError,
  // UnavailableError, PathNotGrantedError, RunStateError, ModelExchangeError: see WorkbenchError).
  if (error instanceof WorkbenchError) return { code: error.code, message: error.message }
  if (isDiskFull(error)) return { code: 'unavailable', message: describeStorageError(error, 'saving data') }
  if (error instanceof ZodError) return { code: 'invalid-request', message: describeValidationError(error) }
  const system = error as NodeJS.ErrnoException
  if (typeof system?.code === 'string' && typeof system.syscall === 'string') {
    // A file-system failure names the server's absolute paths: the client hears what failed, the log where.
    console.error(`internal error: ${system.message}`)
    return { code: 'internal', message: `the server could not complete the request (${system.code} in ${system.syscall})` }
  }
  const message = error instanceof Error ? error.message : String(error)
  return { code: 'internal', message }
}
