import { describe, expect, it } from 'vitest'
import { mkdtemp, readFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createWorkbench } from '../../main/services/workbench'
import { createNodeWorkerLauncher } from '../../main/processes/workerLauncher'
import { TrainConfig, type RunSummary } from '../../shared/api/schemas'

async function newWorkbench() {
  const dir = await mkdtemp(join(tmpdir(), 'resume-'))
  return { dir, workbench: await createWorkbench({ dataDir: dir, launchWorker: createNodeWorkerLauncher(), mode: 'web' }) }
}

const config = TrainConfig.parse({ arch: 'lenet-relu', dataset: 'mnist', epochs: 3, batchSize: 100, learningRate: 0.05, limit: 1500, backend: 'wasm', seed: 11 })

function floats(buffer: Buffer): Float32Array {
  return new Float32Array(buffer.buffer, buffer.byteOffset, buffer.byteLength / 4)
}

describe('checkpoints', () => {
  it('a run killed after a checkpoint resumes to the same weights as an uninterrupted run, its curve without overlap', async () => {
    const { workbench, dir } = await newWorkbench()
    const straight = await workbench.supervisor.waitFor((await workbench.supervisor.start(config)).runId)!
    expect(straight.status).toBe('completed')

    const run = await workbench.supervisor.start(config)
    await new Promise<void>((resolve) => {
      const off = workbench.events.subscribe((event, payload) => {
        const summary = (payload as { run?: RunSummary }).run
        if (event === 'run.status' && summary?.runId === run.runId && summary.checkpointEpoch === 1) {
          off()
          process.kill(workbench.supervisor.workerPid(run.runId)!, 'SIGKILL')
          resolve()
        }
      })
    })
    const killed = await workbench.supervisor.waitFor(run.runId)!
    expect(killed.status).toBe('interrupted')
    expect(killed.checkpointEpoch).toBe(1)
    const atEpoch1 = JSON.parse(await readFile(join(dir, 'runs', run.runId, 'checkpoint.json'), 'utf8'))
    expect(atEpoch1.trainSeconds).toBeGreaterThan(0)

    const resumed = await workbench.handlers['training.resume']({ runId: run.runId })
    expect(resumed.status).toMatch(/queued|running/)
    const final = await workbench.supervisor.waitFor(run.runId)!
    expect(final.status).toBe('completed')

    const a = floats(await readFile(join(dir, 'runs', straight.runId, 'model', 'weights.bin')))
    const b = floats(await readFile(join(dir, 'runs', run.runId, 'model', 'weights.bin')))
    expect(b.length).toBe(a.length)
    let maxDiff = 0
    for (let i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]))
    expect(maxDiff).toBeLessThan(1e-5)

    const detail = await workbench.store.detail(run.runId)
    expect(detail.epochs.map((e) => e.epoch)).toEqual([1, 2, 3])
    for (let i = 1; i < detail.points.length; i++) expect(detail.points[i].samples).toBeGreaterThan(detail.points[i - 1].samples)
    expect(detail.points.at(-1)!.samples).toBe(4500)
    // Wall time continues across the resume (the curve never draws backwards), and so does training time.
    for (let i = 1; i < detail.points.length; i++) expect(detail.points[i].t!).toBeGreaterThanOrEqual(detail.points[i - 1].t!)
    const atEpoch3 = JSON.parse(await readFile(join(dir, 'runs', run.runId, 'checkpoint.json'), 'utf8'))
    expect(atEpoch3.trainSeconds).toBeGreaterThan(atEpoch1.trainSeconds)
    expect(atEpoch3.wallSeconds).toBeGreaterThan(atEpoch1.wallSeconds)
    // The result's training time is the whole run's (both sessions), which the last checkpoint holds.
    expect(final.result!.trainSeconds).toBeCloseTo(atEpoch3.trainSeconds, 6)
    // Only the newest checkpoint folder is kept, and the pointer names it.
    const pointer = JSON.parse(await readFile(join(dir, 'runs', run.runId, 'checkpoint.json'), 'utf8'))
    expect(pointer.folder).toBe('checkpoints/epoch-3')
    expect(existsSync(join(dir, 'runs', run.runId, 'checkpoints', 'epoch-1'))).toBe(false)
    workbench.close()
  }, 180_000)

  it('refuses to resume a completed run or one without a checkpoint', async () => {
    const { workbench } = await newWorkbench()
    const done = await workbench.supervisor.waitFor((await workbench.supervisor.start({ ...config, epochs: 1, limit: 300 })).runId)!
    await expect(workbench.handlers['training.resume']({ runId: done.runId })).rejects.toThrow(/completed; it cannot be resumed/)
    workbench.close()
  }, 60_000)

  it('stops a run whose loss becomes NaN, says where and suggests a lower learning rate', async () => {
    const { workbench } = await newWorkbench()
    const run = await workbench.supervisor.start({ ...config, learningRate: 1e6, optimizer: 'sgd', lrSchedule: 'constant', epochs: 2 })
    const final = await workbench.supervisor.waitFor(run.runId)!
    expect(final.status).toBe('failed')
    expect(final.error).toMatch(/^the (training|validation|test) loss became (NaN|-?Infinity) (in epoch \d+ after \d+ samples|after epoch \d+) at learning rate 1000000; the rate is probably too high for sgd — try 0\.1$/)
    workbench.close()
  }, 60_000)
})
