import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { createNodeWorkerLauncher } from '../../../main/processes/workerLauncher'

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
