/**
 * A readable one-line message for anything a call may throw. `WorkbenchError` (and any Error)
 * contributes only its message: never a stack trace.
 */
export function describeError(error: unknown, fallback = 'Something went wrong.'): string {
  if (error instanceof Error) return error.message.trim() || fallback
  if (typeof error === 'string') return error.trim() || fallback
  if (error && typeof error === 'object' && 'message' in error && typeof error.message === 'string') {
    return error.message.trim() || fallback
  }
  return fallback
}
