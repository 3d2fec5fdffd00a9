import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

const root = join(import.meta.dirname, '..', '..')

export interface WebServerProcess {
  child: ChildProcess
  port: number
  token: string
  stdout: () => string
  stderr: () => string
}

/** `node --import tsx main/web/webMain.ts ...` in a child process, resolved once it prints its URL. */
export function startWebProcess(args: string[]): Promise<WebServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'main/web/webMain.ts', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stderr!.on('data', (chunk) => (err += chunk))
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`web server did not start: ${err}`)), 45_000)
    child.once('exit', (code) => reject(new Error(`web server exited with ${code}: ${err}`)))
    child.stdout!.on('data', (chunk) => {
      out += chunk
      const match = /serving its UI at http:\/\/[^:]+:(\d+)\/\?token=([0-9a-f]+)/.exec(out)
      if (match) {
        clearTimeout(timer)
        resolve({ child, port: Number(match[1]), token: match[2], stdout: () => out, stderr: () => err })
      }
    })
  })
}

/** Pids of the live (not zombie) children of a process, from /proc (Linux only). */
export function childPids(parent: number): number[] {
  const pids: number[] = []
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    const stat = readStat(Number(name))
    if (stat && stat.ppid === parent && stat.state !== 'Z') pids.push(Number(name))
  }
  return pids
}

/** A process's command line, '' once it is gone. */
export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim()
  } catch {
    return ''
  }
}

/** Whether a process still runs (a zombie, dead but not yet reaped, does not count). */
export function isAlive(pid: number): boolean {
  const stat = readStat(pid)
  return stat !== undefined && stat.state !== 'Z' && stat.state !== 'X'
}

function readStat(pid: number): { state: string; ppid: number } | undefined {
  const path = `/proc/${pid}/stat`
  if (!existsSync(path)) return undefined
  try {
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so parse after the last ')'.
    const text = readFileSync(path, 'utf8')
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ')
    return { state: fields[0], ppid: Number(fields[1]) }
  } catch {
    return undefined
  }
}
