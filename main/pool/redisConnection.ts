import { readFileSync } from 'node:fs'
import { Redis, type RedisOptions } from 'ioredis'
import { environment } from '../config/environment'

/**
 * The pool's URL from the environment: WORKBENCH_QUEUE, or the first line of the file WORKBENCH_QUEUE_FILE
 * names (mode 600), so that a password need not be on a command line, where `ps` shows it to every user.
 */
export function queueUrlFromEnvironment(env = process.env): string | undefined {
  const url = environment('WORKBENCH_QUEUE', env)
  if (url) return url
  const file = environment('WORKBENCH_QUEUE_FILE', env)
  if (!file) return undefined
  try {
    return readFileSync(file, 'utf8').split('\n')[0].trim() || undefined
  } catch (error) {
    throw new Error(`WORKBENCH_QUEUE_FILE: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`)
  }
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[?::1\]?)$/i

/** A warning for a Redis without a password on an address other than this machine's own, or undefined. */
export function insecureRedisWarning(url: string): string | undefined {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return undefined
  }
  if (parsed.password || LOOPBACK.test(parsed.hostname)) return undefined
  return `WARNING: Redis at ${redactRedisUrl(url)} has no password and is not on this machine: whoever can reach it can queue runs on the workers and read every run's model and metrics. Start it with --requirepass and a private --bind (README, "A pool of training workers").`
}

/** A Redis URL as it may be printed: the password never appears in a log line or an error. */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.password) parsed.password = '***'
    return parsed.toString().replace(/\/$/, '')
  } catch {
    return '(not a URL)'
  }
}

/** Refuses anything but redis:// and rediss:// before a socket is opened. */
export function checkRedisUrl(url: string): string | undefined {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return `--queue expects redis://[user:password@]host:port or rediss://... (TLS), got "${url}"`
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') return `--queue expects a redis:// or rediss:// URL, got ${parsed.protocol}//`
  if (!parsed.hostname) return '--queue: the URL names no host'
  return undefined
}

/**
 * A connection for BullMQ (which needs `maxRetriesPerRequest: null`) and our own keys. It reconnects
 * on its own after Redis restarts: commands wait in ioredis's offline queue meanwhile.
 */
export function createRedis(url: string, options: RedisOptions = {}): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: null, retryStrategy: (times) => Math.min(times * 200, 2_000), ...options })
  // A dropped connection is reported by `checkRedis` and the reconnect loop; unhandled, it would end the process.
  redis.on('error', () => {})
  return redis
}

/** One line saying why Redis cannot be used, from ioredis's error. */
export function describeRedisError(error: unknown, url: string): string {
  const message = error instanceof Error ? error.message : String(error)
  const where = redactRedisUrl(url)
  if (/WRONGPASS|invalid password|invalid username-password/i.test(message)) return `Redis at ${where} refused the password (WRONGPASS): check the password in the --queue URL`
  if (/NOAUTH/i.test(message)) return `Redis at ${where} needs a password: give it in the URL, redis://:PASSWORD@host:port`
  if (/without any password configured|AUTH.*no password/i.test(message)) return `Redis at ${where} has no password set, but the URL gives one: remove it from the URL`
  if (/ECONNREFUSED/.test(message)) return `no Redis server answers at ${where} (connection refused): is redis-server running there?`
  if (/ENOTFOUND|EAI_AGAIN/.test(message)) return `the host of ${where} is unknown`
  if (/ETIMEDOUT|timed? ?out/i.test(message)) return `Redis at ${where} did not answer in time (a firewall, a wrong port, or TLS on one side only: rediss:// needs a TLS port, redis:// a plain one)`
  return `Redis at ${where}: ${message}`
}

/** Connects once, without retrying, and says in one line what is wrong (refused, wrong password, ...). */
export async function checkRedis(url: string): Promise<void> {
  const problem = checkRedisUrl(url)
  if (problem) throw new Error(problem)
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 5_000, enableOfflineQueue: false })
  // The server's own answer (WRONGPASS, NOAUTH) arrives as an error event; the promise only hears "Connection is closed".
  let first: unknown
  redis.on('error', (error) => (first ??= error))
  try {
    await redis.connect()
    await redis.ping()
  } catch (error) {
    throw new Error(describeRedisError(first ?? error, url))
  } finally {
    redis.disconnect()
  }
}

/** Whether the connection is (or within `ms` becomes) ready: just after a Redis restart it is still reconnecting. */
export async function whenReady(redis: Redis, ms: number): Promise<boolean> {
  if (redis.status === 'ready') return true
  if (redis.status === 'end' || redis.status === 'close') return false
  return new Promise((resolve) => {
    const timer = setTimeout(() => done(false), ms)
    const done = (ready: boolean) => {
      clearTimeout(timer)
      redis.off('ready', onReady)
      resolve(ready)
    }
    const onReady = () => done(true)
    redis.once('ready', onReady)
  })
}
