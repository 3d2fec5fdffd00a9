/**
 * One network of `npm run bench`, ours, in a process of its own so that its peak memory is its own:
 * training (unless --inference-only) then inference, printed as one JSON line. runBench.ts starts it,
 * once per network and again under WORKBENCH_NATIVE_ISA=avx2 on an AVX-512 machine.
 *
 *   npx tsx test/bench/oursModelProcess.ts <key> [--inference-only]
 */
import { cpus } from 'node:os'
import { selectBackend } from '../../main/backends/backendLadder'
import { loadNativeKernels } from '../../main/backends/native/nativeKernels'
import { benchCases } from './benchCases'
import { measureInference, measureTraining } from './oursThroughput'
import { peakRssMiB } from './peakRss'

export interface OursModelResult {
  key: string
  backend: string
  isa?: string
  train: number | null
  inference: number
  path: string
  peakRssMiB: number
}

async function main(): Promise<void> {
  const key = process.argv[2]
  const testCase = benchCases(cpus().length).find((c) => c.key === key)
  if (!testCase) throw new Error(`no bench case ${key}`)
  const backend = await selectBackend((process.env.WORKBENCH_BACKEND as 'auto') ?? 'auto')
  const train = process.argv.includes('--inference-only') ? NaN : await measureTraining(testCase)
  const { rate: inference, path } = await measureInference(testCase)
  const isa = backend.name === 'wasm-blas' ? loadNativeKernels().isa : undefined
  const result: OursModelResult = { key, backend: backend.name, isa, train: Number.isFinite(train) ? train : null, inference, path, peakRssMiB: peakRssMiB() }
  console.log(JSON.stringify(result))
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error))
    process.exit(1)
  },
)
