import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { existsSync } from 'node:fs'

/** A running training worker, whatever kind of process holds it. */
export interface WorkerHandle {
  send(message: unknown): void
  onMessage(listener: (message: unknown) => void): void
  onExit(listener: (code: number | null, signal: string | null) => void): void
  kill(): void
  readonly pid: number | undefined
}

export type WorkerLauncher = () => WorkerHandle

/**
 * Under Node (web mode, CLI, tests) the worker is a child_process.fork. From source it runs through
 * tsx; from a build it is the bundled trainingWorker.js beside this file.
 */
export function createNodeWorkerLauncher(): WorkerLauncher {
  const built = fileURLToPath(new URL('./trainingWorker.js', import.meta.url))
  const source = fileURLToPath(new URL('./trainingWorker.ts', import.meta.url))
  const entry = existsSync(built) ? built : source
  const execArgv = entry.endsWith('.ts') ? ['--import', 'tsx'] : []
  return () => {
    const child = fork(entry, [], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' })
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
