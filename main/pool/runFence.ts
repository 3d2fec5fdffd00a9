import type { Redis } from 'ioredis'
import { FENCE_FIELD, RUN_KEYS_TTL_SECONDS, poolKeys } from './poolProtocol'

/*
 * Fencing: one attempt holds a run at a time. A worker that takes a job INCRs the run's attempt counter
 * and becomes the holder; every write it makes for the run (stream entries, checkpoint and model hashes)
 * is a script that first checks it still is. A worker whose lock expired (SIGSTOP, a long stall) and was
 * taken over, or whose run was cancelled or resubmitted, finds its writes refused and stops. The check and
 * the write are one script, so no write lands between a take-over and the old holder noticing.
 */

const TAKE = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return false end
local attempt = redis.call('INCR', KEYS[2])
redis.call('EXPIRE', KEYS[2], ARGV[2])
local fence = ARGV[1] .. '#' .. attempt
redis.call('SET', KEYS[3], fence, 'EX', ARGV[2])
return fence`

const POST = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('XADD', KEYS[2], '*', 'm', ARGV[3], '${FENCE_FIELD}', ARGV[1])
redis.call('EXPIRE', KEYS[2], ARGV[2])
return 1`

const REPLACE_HASH = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[2])
redis.call('HSET', KEYS[2], '${FENCE_FIELD}', ARGV[1], unpack(ARGV, 3))
redis.call('EXPIRE', KEYS[2], ARGV[2])
return 1`

const ttl = String(RUN_KEYS_TTL_SECONDS)

/** Workbench: the run's next attempt must come from this job; whoever held the run before may write no more. */
export async function expectJob(redis: Redis, runId: string, jobId: string): Promise<void> {
  await redis.multi().set(poolKeys.job(runId), jobId, 'EX', RUN_KEYS_TTL_SECONDS).del(poolKeys.holder(runId)).exec()
}

/** Workbench: cancelled or withdrawn, no job and no attempt may write for the run any more. */
export async function revokeRun(redis: Redis, runId: string): Promise<void> {
  await redis.del(poolKeys.job(runId), poolKeys.holder(runId))
}

/** Worker: takes the run for this job, returning the new attempt's fencing token; null when the job is not the run's current one. */
export async function takeRun(redis: Redis, runId: string, jobId: string): Promise<string | null> {
  return (await redis.eval(TAKE, 3, poolKeys.job(runId), poolKeys.attempts(runId), poolKeys.holder(runId), jobId, ttl)) as string | null
}

export async function holdsRun(redis: Redis, runId: string, fence: string): Promise<boolean> {
  return (await redis.get(poolKeys.holder(runId))) === fence
}

/** Appends a message to the run's stream if `fence` still holds the run; false when it no longer does. */
export async function fencedPost(redis: Redis, runId: string, fence: string, message: unknown): Promise<boolean> {
  return (await redis.eval(POST, 2, poolKeys.holder(runId), poolKeys.events(runId), fence, ttl, JSON.stringify(message))) === 1
}

/** Replaces a file hash of the run (path -> bytes, tagged with the fence) if `fence` still holds the run. */
export async function fencedReplaceHash(redis: Redis, runId: string, key: string, fence: string, files: Record<string, Buffer>): Promise<boolean> {
  const pairs = Object.entries(files).flat()
  return (await redis.eval(REPLACE_HASH, 2, poolKeys.holder(runId), key, fence, ttl, ...pairs)) === 1
}

/** Workbench: the attempt holding the run now, if any. */
export async function runHolder(redis: Redis, runId: string): Promise<string | null> {
  return redis.get(poolKeys.holder(runId))
}

/** What a worker throws from a write refused by the fence: the run is no longer its to train. */
export class LostRunError extends Error {
  constructor(runId: string) {
    super(`run ${runId} is held by another attempt now`)
    this.name = 'LostRunError'
  }
}
