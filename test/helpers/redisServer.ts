import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const root = join(import.meta.dirname, '..', '..')

/** Why pool tests cannot run here (no redis-server), or undefined. */
export function redisMissing(): string | undefined {
  const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8' })
  return probe.status === 0 ? undefined : 'redis-server is not installed (Debian: apt-get install redis-server)'
}

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  await new Promise((resolve) => server.close(resolve))
  return port
}

export interface RedisServer {
  port: number
  url: string
  /** Kills the server; `restart` brings it back on the same port (with its data when it persists them). */
  stop(): Promise<void>
  restart(): Promise<void>
}

/**
 * A throwaway redis-server on a random loopback port. `persist` keeps an append-only file in a temporary
 * folder, so that a restart loses nothing (as a real deployment should be configured).
 */
export async function startRedis(options: { password?: string; persist?: boolean } = {}): Promise<RedisServer> {
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), 'redis-test-'))
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', options.persist ? 'yes' : 'no', '--appendfsync', 'always']
  if (options.password) args.push('--requirepass', options.password)
  let child: ChildProcess
  const launch = async () => {
    child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${out}`)), 10_000)
      child.stdout!.on('data', (chunk) => {
        out += chunk
        if (/Ready to accept connections/.test(out)) {
          clearTimeout(timer)
          resolve()
        }
      })
      child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${out}`)))
    })
  }
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode) return
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGTERM')
    await exited
  }
  await launch()
  const auth = options.password ? `:${options.password}@` : ''
  return { port, url: `redis://${auth}127.0.0.1:${port}`, stop, restart: async () => (await stop(), await launch()) }
}

export interface PoolWorkerProcess {
  child: ChildProcess
  output: () => string
  /** Resolves once the worker has said it takes runs. */
  ready: Promise<void>
  exited: Promise<number | null>
}

/** `npm run worker -- ...` as a real process (through tsx, as from a checkout). */
export function startPoolWorker(args: string[], env: NodeJS.ProcessEnv = {}): PoolWorkerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'main/pool/workerMain.ts', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } })
  let out = ''
  child.stdout!.on('data', (chunk) => (out += chunk))
  child.stderr!.on('data', (chunk) => (out += chunk))
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', () => {
      if (/takes runs from/.test(out)) resolve()
    })
    void exited.then((code) => reject(new Error(`pool worker exited with ${code}: ${out}`)))
  })
  ready.catch(() => {}) // a test that expects the worker to refuse awaits `exited` instead
  return { child, output: () => out, ready, exited }
}
