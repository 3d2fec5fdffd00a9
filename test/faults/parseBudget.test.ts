import { describe, expect, it } from 'vitest'
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { connectClient, useTestServer } from '../helpers/webHarness'

const attackerScript = join(import.meta.dirname, '..', 'helpers', 'rawAttacker.mjs')

describe('one client cannot stall another with a message that takes long to parse', () => {
  const context = useTestServer()

  // A latency bound on a shared 2-core machine: a scheduling hiccup may cost one try, not a consistent stall.
  it('16 MB predict.image calls of 1.3M keys and 13 MB of pixel arrays are refused while another client polls runs.list, p100 <= 250 ms', { timeout: 120_000, retry: 2 }, async () => {
    const poller = await connectClient(context.server)
    const loopDelay = monitorEventLoopDelay({ resolution: 10 })
    loopDelay.enable()
    const latencies: number[] = []
    let polling = true
    const polls = (async () => {
      while (polling) {
        const start = performance.now()
        const result = await poller.call('runs.list', {})
        latencies.push(performance.now() - start)
        expect(result.ok).toBe(true)
      }
    })()
    // The attacker builds and sends its messages in its own process, as a real one would.
    const attacker = spawn(process.execPath, [attackerScript, `ws://127.0.0.1:${context.server.port}/ws?token=${context.server.token}`, 'keys', 'pixels', 'keys'], { cwd: join(import.meta.dirname, '..', '..') })
    let out = ''
    attacker.stdout.on('data', (chunk) => (out += chunk))
    attacker.stderr.on('data', (chunk) => (out += chunk))
    const code = await new Promise((resolve) => attacker.once('exit', resolve))
    polling = false
    await polls
    expect(code, out).toBe(0)
    const lines = out.trim().split('\n').map((line) => JSON.parse(line))
    const answers = lines.filter((line) => line.type === 'result').map((line) => line.result as { ok: boolean; error?: { message: string } })
    loopDelay.disable()
    const worst = Math.max(...latencies)
    console.log(`attack sizes ${lines[0].sizes.map((n: number) => (n / 1e6).toFixed(1)).join(', ')} MB; runs.list polls: ${latencies.length}, p100 ${worst.toFixed(0)} ms; the server's event loop was blocked at most ${(loopDelay.max / 1e6).toFixed(0)} ms`)
    expect(answers).toHaveLength(3)
    for (const answer of answers) {
      expect(answer.ok).toBe(false)
      expect(answer.error?.message).toMatch(/more than [\d,]+ values|nested more than/)
    }
    expect(worst).toBeLessThanOrEqual(250)
    poller.close()
  })
})
