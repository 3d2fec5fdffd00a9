import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { existsSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import type { Readable } from 'node:stream'
import { environment } from '../config/environment'

/** A running worker process (training or inference), whatever kind of process holds it. */
export interface WorkerHandle {
  send(message: unknown): void
  onMessage(listener: (message: unknown) => void): void
  onExit(listener: (code: number | null, signal: string | null) => void): void
  kill(): void
  readonly pid: number | undefined
}

export type WorkerLauncher = () => WorkerHandle

/** The worker processes and where their entries are, from source (through tsx) and bundled. */
const WORKER_ENTRIES = {
  trainingWorker: new URL('../training/trainingWorker.ts', import.meta.url),
  inferenceWorker: new URL('../predict/inferenceWorker.ts', import.meta.url),
} as const
export type WorkerName = keyof typeof WORKER_ENTRIES

/**
 * Dawn (the webgpu rung) and the Vulkan loader print these to stderr while the ladder looks for an adapter:
 * lavapipe's limits, or no Vulkan driver at all (with a source location that reads like a stack trace).
 * The rung's skip reason already says what matters; everything else passes through.
 */
const DAWN_NOISE = [
  /^Warning: maxDynamic\w+PerPipelineLayout artificially reduced from \d+ to \d+ to fit dynamic offset allocation limit\.$/,
  /^Warning: (loader_get_json|vkCreateInstance)\b/,
  /^\s+at \w+ \(.*third_party\/dawn\/src\/dawn\/.*\)$/,
]
const isDawnNoise = (line: string) => DAWN_NOISE.some((pattern) => pattern.test(line))

function forwardStderr(stream: Readable): void {
  let pending = ''
  stream.setEncoding('utf8')
  stream.on('data', (chunk: string) => {
    const lines = (pending + chunk).split('\n')
    pending = lines.pop() ?? ''
    const kept = lines.filter((line) => !isDawnNoise(line))
    if (kept.length) process.stderr.write(kept.join('\n') + '\n')
  })
  stream.on('end', () => {
    if (pending && !isDawnNoise(pending)) process.stderr.write(pending)
  })
}

/**
 * A worker's environment: libuv's thread pool sized to the cores (at least Node's 4), so that a folder
 * data set's files are read and decoded on every core; a worker held to one thread keeps Node's default.
 * Set before the process starts: libuv reads it once, on its first file read.
 */
export function workerEnvironment(options: { singleThreaded?: boolean } = {}): NodeJS.ProcessEnv {
  const sized = !environment('UV_THREADPOOL_SIZE') && !options.singleThreaded
  return { ...process.env, ...(sized ? { UV_THREADPOOL_SIZE: String(Math.max(4, availableParallelism())) } : {}) }
}

/**
 * Under Node (web mode, CLI, tests) a worker is a child_process.fork. From source it runs through
 * tsx; from a build it is the bundled `<name>.js` beside the bundle that holds this code.
 */
export function createNodeWorkerLauncher(name: WorkerName = 'trainingWorker', options: { singleThreaded?: boolean } = {}): WorkerLauncher {
  const built = fileURLToPath(new URL(`./${name}.js`, import.meta.url))
  const entry = existsSync(built) ? built : fileURLToPath(WORKER_ENTRIES[name])
  // `singleThreaded`: V8 compiles and collects garbage on the main thread too, so a worker held to one
  // thread really uses one core instead of borrowing a second one for its background work.
  const execArgv = [...(entry.endsWith('.ts') ? ['--import', 'tsx'] : []), ...(options.singleThreaded ? ['--single-threaded'] : [])]
  return () => {
    const child = fork(entry, [], { execArgv, env: workerEnvironment(options), stdio: ['ignore', 'inherit', 'pipe', 'ipc'], serialization: 'advanced' })
    if (child.stderr) forwardStderr(child.stderr)
    return {
      pid: child.pid,
      send: (message) => {
        if (child.connected) child.send(message as object)
      },
      onMessage: (listener) => child.on('message', listener),
      onExit: (listener) => child.on('exit', listener),
      kill: () => child.kill('SIGKILL'),
    }
  }
}
