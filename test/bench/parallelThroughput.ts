/**
 * Training throughput through trainModel, one thread vs data-parallel replicas, on the wasm backend:
 *
 *   npx tsx test/bench/parallelThroughput.ts [--repeats 3] [--replicas 2]
 *
 * Runs alternate (single, parallel, single, ...) so that noise from a shared machine hits both alike.
 */
import { initWasmBackend } from '../../main/backends/wasm/initWasmBackend'
import { createModel } from '../../main/engine/model/modelFactory'
import { getArchitecture } from '../../shared/arch/specs'
import { measureTraining, type ThroughputCase } from './oursThroughput'

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`)
  return i < 0 ? fallback : Number(process.argv[i + 1])
}

async function main(): Promise<void> {
  await initWasmBackend()
  const repeats = arg('repeats', 3)
  const replicas = arg('replicas', 2)
  for (const id of ['lenet5', 'lenet-relu'] as const) {
    const base: ThroughputCase = { name: id, build: () => createModel(getArchitecture(id), { height: 28, width: 28, channels: 1 }, 1), imageShape: [28, 28, 1], batchSize: 256, batches: 30 }
    const rates: Record<string, number[]> = { single: [], parallel: [] }
    for (let r = 0; r < repeats; r++) {
      rates.single.push(await measureTraining(base))
      rates.parallel.push(await measureTraining({ ...base, parallelism: replicas }))
    }
    const show = (xs: number[]) => `${Math.round(Math.min(...xs))}-${Math.round(Math.max(...xs))} [${xs.map(Math.round).join(', ')}]`
    console.log(`${id} batch 256: single ${show(rates.single)} samples/s; ${replicas} replicas ${show(rates.parallel)} samples/s`)
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : error)
  process.exit(1)
})
