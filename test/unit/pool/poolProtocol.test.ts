import { describe, expect, it } from 'vitest'
import { PoolJob, PoolMessage } from '../../../main/pool/poolProtocol'
import { checkRedisUrl, describeRedisError, redactRedisUrl } from '../../../main/pool/redisConnection'

const config = { arch: 'lenet-relu', dataset: 'mnist', epochs: 1, batchSize: 10, learningRate: 0.1 }

describe('pool protocol', () => {
  it('accepts a training job and nothing more or else', () => {
    expect(PoolJob.safeParse({ runId: 'abc-1', config, resume: false }).success).toBe(true)
    expect(PoolJob.safeParse({ runId: 'abc-1', config, resume: false, command: 'rm -rf /' }).success).toBe(false)
    expect(PoolJob.safeParse({ runId: '../etc', config, resume: false }).success).toBe(false)
    expect(PoolJob.safeParse({ runId: 'abc-1', config: { ...config, arch: 'not-a-net' }, resume: false }).success).toBe(false)
    expect(PoolJob.safeParse({ runId: 'abc-1', config: { ...config, shell: true }, resume: false }).success).toBe(false)
  })

  it('reads the training worker messages and the pool ones from a run stream', () => {
    expect(PoolMessage.safeParse({ type: 'checkpoint', epoch: 2 }).success).toBe(true)
    expect(PoolMessage.safeParse({ type: 'placed', worker: 'lab-1', epoch: 1, samplesSeen: 600 }).success).toBe(true)
    expect(PoolMessage.safeParse({ type: 'placed', worker: 'lab-1', epoch: -1, samplesSeen: 0 }).success).toBe(false)
    expect(PoolMessage.safeParse({ type: 'exec', command: 'ls' }).success).toBe(false)
  })
})

describe('Redis URLs and errors', () => {
  it('never prints the password', () => {
    expect(redactRedisUrl('redis://:s3cret@10.0.0.5:6379')).toBe('redis://:***@10.0.0.5:6379')
    expect(redactRedisUrl('rediss://user:s3cret@host:6380')).toBe('rediss://user:***@host:6380')
    expect(describeRedisError(new Error('WRONGPASS invalid username-password pair or user is disabled.'), 'redis://:s3cret@h:1')).not.toMatch(/s3cret/)
  })

  it('says in one line what is wrong', () => {
    expect(describeRedisError(new Error('WRONGPASS invalid username-password pair'), 'redis://:x@h:1')).toMatch(/refused the password/)
    expect(describeRedisError(new Error('NOAUTH Authentication required.'), 'redis://h:1')).toMatch(/needs a password/)
    expect(describeRedisError(new Error('connect ECONNREFUSED 127.0.0.1:1'), 'redis://127.0.0.1:1')).toMatch(/no Redis server answers/)
  })

  it('accepts redis:// and rediss:// only', () => {
    expect(checkRedisUrl('redis://localhost:6379')).toBeUndefined()
    expect(checkRedisUrl('rediss://host:6380')).toBeUndefined()
    expect(checkRedisUrl('http://host:6379')).toMatch(/redis:\/\/ or rediss:\/\//)
    expect(checkRedisUrl('localhost:6379')).toMatch(/redis/)
  })
})
