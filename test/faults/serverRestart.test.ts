import { afterEach, describe, expect, it } from 'vitest'
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connectClient } from '../helpers/webHarness'
import { childPids, commandLine, isAlive, startWebProcess, type WebServerProcess } from '../helpers/webProcess'
import type { RunningWebServer } from '../../main/web/webServer'

// Long enough that it is still training when the server is killed.
const config = { arch: 'lenet-relu', dataset: 'mnist', epochs: 200, batchSize: 64, learningRate: 0.05, limit: 20000, backend: 'wasm', seed: 5 }
const linux = process.platform === 'linux'

async function folders() {
  const dataDir = await mkdtemp(join(tmpdir(), 'server-restart-'))
  const rendererDir = join(dataDir, 'renderer')
  await mkdir(rendererDir)
  await writeFile(join(rendererDir, 'index.html'), '<!doctype html><title>CNN Workbench</title>')
  return { dataDir, rendererDir }
}

const asServer = (server: WebServerProcess) => ({ port: server.port, token: server.token }) as RunningWebServer

async function until<T>(what: string, probe: () => T | undefined | false, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = probe()
    if (value) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

function httpStatus(port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', headers: { host } }, (res) => {
      res.resume()
      resolve(res.statusCode ?? 0)
    })
    req.on('error', reject)
    req.end()
  })
}

describe('web server restarts', () => {
  const started: WebServerProcess[] = []
  afterEach(() => {
    for (const server of started.splice(0)) server.child.kill('SIGKILL')
  })

  it.skipIf(!linux)('a server killed mid-run takes its worker with it, and the run shows as interrupted after a restart', async () => {
    const { dataDir, rendererDir } = await folders()
    const args = ['--port', '0', '--data-dir', dataDir, '--renderer-dir', rendererDir]
    const first = await startWebProcess(args)
    started.push(first)
    const client = await connectClient(asServer(first))
    const reply = await client.call('training.start', config)
    expect(reply.ok).toBe(true)
    const { runId } = reply.value as { runId: string }
    // Mid-run: the worker has trained some batches.
    await until('progress', () => client.events.some((e) => e.event === 'run.progress'))
    const workers = await until('the worker process', () => {
      const pids = childPids(first.child.pid!).filter((pid) => commandLine(pid).includes('trainingWorker'))
      return pids.length > 0 && pids
    }, 20_000).catch((error: Error) => {
      const children = childPids(first.child.pid!).map((pid) => `${pid}: ${commandLine(pid)}`)
      throw new Error(`${error.message}; children: ${children.join('; ') || 'none'}`)
    })
    const [worker] = workers
    expect(isAlive(worker)).toBe(true)
    expect(await client.call('runs.get', { runId })).toMatchObject({ ok: true, value: { status: 'running' } })

    first.child.kill('SIGKILL')
    await new Promise((resolve) => first.child.once('exit', resolve))
    // An orphaned worker has no one to report to: it must go too.
    await until('the worker to exit', () => workers.every((pid) => !isAlive(pid)), 15_000)

    const second = await startWebProcess(args)
    started.push(second)
    const again = await connectClient(asServer(second))
    const run = await again.call('runs.get', { runId })
    expect(run).toMatchObject({ ok: true, value: { runId, status: 'interrupted', error: expect.stringMatching(/stopped while this run was in progress/) } })
    expect((run.value as { points: unknown[] }).points.length).toBeGreaterThan(0)
    again.close()
  }, 90_000)

  it('listens on loopback by default and warns when asked for another interface', async () => {
    const { dataDir, rendererDir } = await folders()
    const loopback = await startWebProcess(['--port', '0', '--data-dir', dataDir, '--renderer-dir', rendererDir])
    started.push(loopback)
    expect(loopback.stdout()).toMatch(/http:\/\/127\.0\.0\.1:\d+\/\?token=/)
    expect(loopback.stderr()).not.toMatch(/WARNING/)

    const exposed = await startWebProcess(['--host', '0.0.0.0', '--port', '0', '--data-dir', dataDir, '--renderer-dir', rendererDir])
    started.push(exposed)
    expect(exposed.stderr()).toMatch(/WARNING: listening on 0\.0\.0\.0, not only on this machine/)
    // Reached by an IP address, as from another machine: Host is accepted, so the UI's files are served
    // (the token guards the WebSocket, the only way to data).
    expect(await httpStatus(exposed.port, `192.168.1.20:${exposed.port}`)).toBe(200)
    // Reached through some DNS name (rebinding): refused before anything else.
    expect(await httpStatus(exposed.port, `attacker.example:${exposed.port}`)).toBe(421)
  }, 60_000)
})
