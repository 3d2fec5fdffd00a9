import type { Command } from 'commander'
import { apiCaller, type Fail, type OpenWorkbench } from './apiCall'

interface PoolStatus {
  queue?: string
  connected: boolean
  error?: string
  workers: { id: string; backend: string; cpu: string; cores: number; freeMemoryBytes: number; runs: string[] }[]
}

/** `workers`: the training workers of the pool given with --queue. */
export function registerWorkersCommand(program: Command, open: OpenWorkbench, fail: Fail): void {
  const call = apiCaller(open, fail)
  program
    .command('workers')
    .description('list the workers of the pool given with --queue, and what each trains')
    .option('--json', 'print JSON')
    .action(async (flags: { json?: boolean }) => {
      const pool = await call<PoolStatus>('pool.status', {})
      if (flags.json) return console.log(JSON.stringify(pool))
      if (!pool.queue) fail('no pool: give one with --queue redis://host:port')
      if (!pool.connected) fail(pool.error ?? `cannot reach ${pool.queue}`)
      if (!pool.workers.length) console.log(`no workers on ${pool.queue}`)
      for (const worker of pool.workers) {
        const memory = `${(worker.freeMemoryBytes / 2 ** 30).toFixed(1)} GiB free`
        console.log(`${worker.id.padEnd(24)} ${worker.backend.padEnd(10)} ${worker.cores} cores, ${memory}  ${worker.runs.length ? `training ${worker.runs.join(', ')}` : 'idle'}`)
      }
    })
}
