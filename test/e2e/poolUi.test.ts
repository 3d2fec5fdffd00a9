import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { existsSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { UiSession } from '../helpers/uiSession'
import { chromiumAvailable, screenshotBothSizes } from '../helpers/browser'
import { closeUiSession, openUiSession } from '../helpers/uiSession'
import { TrainConfig } from '../../shared/api/schemas'
import { redisMissing, startPoolWorker, startRedis, type PoolWorkerProcess, type RedisServer } from '../helpers/redisServer'

const rendererDir = join(import.meta.dirname, '..', '..', 'out', 'renderer')
const missing = !chromiumAvailable ? 'no chromium at /usr/bin/chromium' : !existsSync(join(rendererDir, 'index.html')) ? 'the renderer is not built (npm run build)' : redisMissing()
if (missing) console.log(`skipping pool UI e2e: ${missing}`)

describe.skipIf(!!missing)('the pool in the web UI', () => {
  let redis: RedisServer
  let worker: PoolWorkerProcess
  let session: UiSession
  beforeAll(async () => {
    redis = await startRedis()
    worker = startPoolWorker(['--queue', redis.url, '--name', 'lab-pc-1', '--threads', '1', '--data-dir', await mkdtemp(join(tmpdir(), 'pool-ui-worker-'))])
    await worker.ready
    session = await openUiSession(rendererDir, undefined, { queue: redis.url })
  })
  afterAll(async () => {
    await closeUiSession(session ?? {})
    worker?.child.kill('SIGTERM')
    await worker?.exited
    await redis?.stop()
  })

  it('sends a run to the pool from the Train form; it shows where it trains, and the System view lists the worker', async () => {
    const { page, server } = session
    await page.goto(server.url)
    await page.getByTestId('arch-select').selectOption('lenet-relu')
    await page.getByTestId('epochs-input').fill('2')
    await page.getByTestId('batch-size-input').fill('64')
    await page.getByTestId('learning-rate-input').fill('0.002')
    await page.getByTestId('limit-input').fill('1000')
    await page.getByTestId('place-select').selectOption('pool')
    await page.getByTestId('start-button').click()
    await expect.poll(() => page.getByTestId('run-place').textContent(), { timeout: 60_000 }).toMatch(/pool worker lab-pc-1/)
    await expect.poll(() => page.getByTestId('run-status').textContent(), { timeout: 120_000 }).toMatch(/completed/i)
    await screenshotBothSizes(page, 'pool-train')

    await page.getByTestId('nav-system').click()
    await expect.poll(() => page.getByTestId('pool-workers').textContent(), { timeout: 30_000 }).toMatch(/lab-pc-1/)
    await screenshotBothSizes(page, 'pool-system')

    // Compare names where a pool run trained, in the same words as the run header (beside a local run,
    // which names no place: Compare needs two runs).
    const local = await session.workbench.supervisor.start(TrainConfig.parse({ arch: 'lenet-relu', dataset: 'mnist', epochs: 1, batchSize: 64, learningRate: 0.002, limit: 200 }))
    expect((await session.workbench.supervisor.waitFor(local.runId))?.status).toBe('completed')
    await page.getByTestId('nav-runs').click()
    await expect.poll(() => page.getByTestId('run-check').count(), { timeout: 10_000 }).toBe(2)
    for (const box of await page.getByTestId('run-check').all()) await box.check()
    await page.getByTestId('nav-compare').click()
    await expect.poll(async () => (await page.getByTestId('compare-run-place').allTextContents()).join(' '), { timeout: 30_000 }).toMatch(/^(pool worker lab-pc-1 ?)+$/)
    await screenshotBothSizes(page, 'pool-compare', { fullPage: true })
  }, 240_000)
})
