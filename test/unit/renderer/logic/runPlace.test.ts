import { describe, expect, it } from 'vitest'
import { poolPlace } from '../../../../renderer/src/logic/runPlace'

describe('where a run trained', () => {
  it('names the pool worker, says a queued pool run waits, and says nothing of local runs', () => {
    expect(poolPlace({ place: 'pool', worker: 'gpu-box/4711' })).toBe('pool worker gpu-box/4711')
    expect(poolPlace({ place: 'pool' })).toBe('on the pool, waiting for a worker')
    expect(poolPlace({ place: 'local' })).toBeUndefined()
    expect(poolPlace({})).toBeUndefined()
  })
})
