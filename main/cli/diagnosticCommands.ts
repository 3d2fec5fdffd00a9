import type { Command } from 'commander'
import type { LrFinderResult, SystemReport } from '../../shared/api/schemas'
import { ARCHITECTURE_IDS, type ArchitectureId } from '../../shared/arch/specs'
import { webgpuAdapterTitle, webgpuKeyFeatures } from '../../shared/webgpuAdapter'
import { apiCaller, type Fail, type OpenWorkbench } from './apiCall'

const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(1)} GiB`

export function formatSystemReport(report: SystemReport): string {
  const lines = [
    `OS       ${report.os} (Node ${report.node})`,
    `CPU      ${report.cpu.model}, ${report.cpu.cores} cores`,
    `Memory   ${gib(report.memory.totalBytes)} total, ${gib(report.memory.freeBytes)} free`,
    `GPU      ${report.gpu.note}${report.gpu.nvidiaDriver ? `; driver ${report.gpu.nvidiaDriver}` : ''}`,
    ...report.gpu.devices.map((device) => `         ${device}`),
  ]
  if (report.cudaLibraries.length) {
    const missing = report.cudaLibraries.filter((lib) => !lib.found).map((lib) => lib.name)
    lines.push(`CUDA     ${missing.length ? `missing ${missing.join(', ')}` : 'all libraries tfjs-node-gpu needs were found'}`)
  }
  if (report.backend) {
    lines.push(`Backend  ${report.backend.name} (self-test ${report.backend.selfTestMs?.toFixed(1) ?? '?'} ms)`)
    if (report.backend.detail) lines.push(`         ${report.backend.detail}`)
    for (const skip of report.backend.skipped) lines.push(`         skipped ${skip.name}: ${skip.reason}`)
  } else {
    lines.push(`Backend  none usable: ${report.backendError}`)
  }
  const webgpu = report.backend?.webgpu
  if (webgpu) {
    const adapter = webgpu.adapter
    lines.push(`WebGPU   ${adapter ? `${webgpuAdapterTitle(adapter)}, ${adapter.software ? 'software' : 'hardware'} adapter` : 'no adapter'}`)
    if (adapter) {
      lines.push(`         vendor ${adapter.vendor || '?'}, architecture ${adapter.architecture || '?'}, device ${adapter.device || '?'}`)
      lines.push(`         ${webgpuKeyFeatures(adapter).map((f) => `${f.name}: ${f.value}`).join('; ')}`)
      lines.push(`         limits: ${Object.entries(adapter.limits).map(([name, value]) => `${name} ${value}`).join(', ')}`)
    }
    if (webgpu.kernels) lines.push(`         our kernels: ${webgpu.kernels.length ? webgpu.kernels.join(', ') : "none registered (tfjs-webgpu's own)"}`)
    lines.push(`         ${webgpu.verdict}`)
  }
  return lines.join('\n')
}

/** `doctor` and `lr-find`: what a user runs to learn why training is slow or where to start. */
export function registerDiagnosticCommands(program: Command, open: OpenWorkbench, fail: Fail): void {
  const call = apiCaller(open, fail)
  program
    .command('doctor')
    .description('hardware, GPU driver, CUDA libraries, and which backend training would use and why')
    .option('--json', 'print JSON')
    .action(async (flags: { json?: boolean }) => {
      const report = await call<SystemReport>('system.doctor', {})
      console.log(flags.json ? JSON.stringify(report) : formatSystemReport(report))
    })
  program
    .command('lr-find')
    .description('learning-rate range test: raise the rate batch by batch and suggest where to start')
    .requiredOption('--arch <id>', `architecture (${ARCHITECTURE_IDS.join(', ')})`)
    .option('--dataset <id>', 'dataset', 'mnist')
    .option('--batch-size <n>', 'batch size', Number)
    .option('--steps <n>', 'batches to try', Number, 100)
    .option('--backend <name>', 'backend', 'auto')
    .option('--json', 'print JSON')
    .action(async (flags: { arch: ArchitectureId; dataset: string; batchSize?: number; steps: number; backend: string; json?: boolean }) => {
      // The batch size and optimizer left out come from the notes' preset, resolved on the server.
      const config = { arch: flags.arch, dataset: flags.dataset, epochs: 1, ...(flags.batchSize ? { batchSize: flags.batchSize } : {}), backend: flags.backend }
      const result = await call<LrFinderResult>('training.findLearningRate', { config, steps: flags.steps })
      if (flags.json) return console.log(JSON.stringify(result))
      for (const point of result.points) console.log(`${point.learningRate.toExponential(2).padStart(10)}  ${point.loss.toFixed(4)}`)
      console.log(result.suggestedLearningRate ? `suggested learning rate: ${result.suggestedLearningRate.toPrecision(2)}` : 'no clear descent: try a wider range')
    })
}
