import { execFile } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { cpus, freemem, platform, release, totalmem, arch } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import type { SystemReport } from '../../shared/api/schemas'
import { runOneShotJob } from '../training/oneShotJob'
import type { WorkerLauncher } from '../processes/workerLauncher'
import { environment } from '../config/environment'

const run = promisify(execFile)

/** What @tensorflow/tfjs-node-gpu 4.x (libtensorflow 2.9) loads: CUDA 11.2 and cuDNN 8. */
export const CUDA_LIBRARIES = ['libcudart.so.11.0', 'libcublas.so.11', 'libcublasLt.so.11', 'libcufft.so.10', 'libcurand.so.10', 'libcusolver.so.11', 'libcusparse.so.11', 'libcudnn.so.8']

async function linkerCache(): Promise<string> {
  try {
    return (await run('ldconfig', ['-p'], { timeout: 5000 })).stdout
  } catch {
    return ''
  }
}

export function findLibrary(name: string, ldconfig: string, searchPath = environment('LD_LIBRARY_PATH') ?? ''): { name: string; found: boolean; path?: string } {
  const line = ldconfig.split('\n').find((l) => l.trim().startsWith(`${name} `))
  if (line) return { name, found: true, path: line.split('=>').pop()?.trim() }
  for (const dir of searchPath.split(':').filter(Boolean)) {
    if (existsSync(join(dir, name))) return { name, found: true, path: join(dir, name) }
  }
  return { name, found: false }
}

async function nvidiaGpus(): Promise<SystemReport['gpu']> {
  let driver: string | undefined
  try {
    driver = readFileSync('/proc/driver/nvidia/version', 'utf8').match(/Kernel Module\s+([\d.]+)/)?.[1]
  } catch {
    // no NVIDIA kernel module
  }
  try {
    const { stdout } = await run('nvidia-smi', ['--query-gpu=name,memory.total,driver_version', '--format=csv,noheader'], { timeout: 5000 })
    const devices = stdout.trim().split('\n').filter(Boolean)
    return { nvidiaDriver: driver ?? devices[0]?.split(',').pop()?.trim(), devices, note: `${devices.length} NVIDIA GPU(s) found by nvidia-smi` }
  } catch {
    return { nvidiaDriver: driver, devices: [], note: driver ? 'NVIDIA driver loaded but nvidia-smi is not available' : 'no NVIDIA GPU or driver found' }
  }
}

/**
 * The System panel and `cli doctor`: hardware, GPU driver, the CUDA/cuDNN libraries tfjs-node-gpu needs,
 * and the backend ladder as a training run would walk it (probed in a worker, with its self-test time).
 */
export async function diagnoseSystem(launchWorker: WorkerLauncher): Promise<SystemReport> {
  const [gpu, ldconfig] = await Promise.all([nvidiaGpus(), platform() === 'linux' ? linkerCache() : Promise.resolve('')])
  const report: SystemReport = {
    os: `${platform()} ${release()} ${arch()}`,
    node: process.versions.node,
    cpu: { model: cpus()[0]?.model ?? 'unknown', cores: cpus().length },
    memory: { totalBytes: totalmem(), freeBytes: freemem() },
    gpu,
    cudaLibraries: platform() === 'linux' ? CUDA_LIBRARIES.map((name) => findLibrary(name, ldconfig)) : [],
  }
  try {
    report.backend = (await runOneShotJob(launchWorker, { type: 'probe', backend: 'auto' }, 'probe')).report
  } catch (error) {
    report.backendError = (error as Error).message
  }
  return report
}
