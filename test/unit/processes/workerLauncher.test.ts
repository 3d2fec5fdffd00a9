import { readFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createNodeWorkerLauncher, workerEnvironment } from '../../../main/processes/workerLauncher'

/** The flags a running process was started with, as the kernel sees them (Linux only). */
const commandLine = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')

describe.skipIf(process.platform !== 'linux')('training worker processes', () => {
  it('a worker held to one thread runs V8 single-threaded; others keep its background threads', async () => {
    const single = createNodeWorkerLauncher('trainingWorker', { singleThreaded: true })()
    const normal = createNodeWorkerLauncher('trainingWorker')()
    try {
      expect(commandLine(single.pid!)).toContain('--single-threaded')
      expect(commandLine(normal.pid!)).not.toContain('--single-threaded')
    } finally {
      single.kill()
      normal.kill()
    }
  })
})

/** Worker processes read and decode a folder's files on every core: libuv's pool sized to the cores. */
describe('a worker process environment', () => {
  afterEach(() => {
    vi.unstubAllEnvs()
  })

  it("sizes libuv's thread pool to the cores, at least Node's 4", () => {
    vi.stubEnv('UV_THREADPOOL_SIZE', '')
    expect(workerEnvironment().UV_THREADPOOL_SIZE).toBe(String(Math.max(4, availableParallelism())))
  })

  it("keeps the user's size, and Node's default for a worker held to one thread", () => {
    vi.stubEnv('UV_THREADPOOL_SIZE', '3')
    expect(workerEnvironment().UV_THREADPOOL_SIZE).toBe('3')
    vi.stubEnv('UV_THREADPOOL_SIZE', '')
    expect(workerEnvironment({ singleThreaded: true }).UV_THREADPOOL_SIZE).toBe('')
  })
})
