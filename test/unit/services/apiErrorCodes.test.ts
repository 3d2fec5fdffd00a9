import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { WorkbenchError } from '../../../shared/api/contract'
import { toApiError } from '../../../main/services/apiDispatcher'
import { DataInputError } from '../../../main/data/dataReading'
import { PathNotGrantedError, UnavailableError } from '../../../main/services/serviceErrors'
import { RunNotFoundError } from '../../../main/storage/runStore'
import { BadImageError } from '../../../main/predict/badImageError'

/** Errors thrown on purpose carry their API code; the dispatcher answers with it, whatever the class. */
describe('errors that carry their code', () => {
  it('leave the dispatcher with their own code and message', () => {
    const cases: [Error, string][] = [
      [new RunNotFoundError('r1'), 'not-found'],
      [new BadImageError('not a picture'), 'bad-input'],
      [new DataInputError('no such folder'), 'bad-input'],
      [new UnavailableError('desktop only'), 'unavailable'],
      [new PathNotGrantedError('/etc'), 'unauthorized'],
      // A new error needs no line in the dispatcher: its code comes with it.
      [new (class QuotaError extends WorkbenchError {})('conflict', 'one at a time'), 'conflict'],
    ]
    for (const [error, code] of cases) expect(toApiError(error)).toEqual({ code, message: error.message })
    expect(new RunNotFoundError('r1')).toMatchObject({ name: 'RunNotFoundError', code: 'not-found' })
  })

  it('anything else is internal, validation errors are invalid requests, a full disk is unavailable', () => {
    expect(toApiError(new Error('boom'))).toEqual({ code: 'internal', message: 'boom' })
    expect(toApiError(z.object({ a: z.number() }).safeParse({ a: 'x' }).error).code).toBe('invalid-request')
    expect(toApiError(Object.assign(new Error('write failed'), { code: 'ENOSPC' })).code).toBe('unavailable')
  })
})
