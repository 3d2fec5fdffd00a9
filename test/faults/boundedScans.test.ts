import { describe, expect, it } from 'vitest'
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { scanFolder } from '../../main/data/folder/folderScan'
import { connectClient, useTestServer } from '../helpers/webHarness'
import { TrainConfig } from '../../shared/api/schemas'
import { redisMissing, startRedis } from '../helpers/redisServer'
import { openWorkbench, poolWorker } from '../helpers/poolHarness'

/** Small files in 200 folders under 4 classes (20,000 by default): a scan long enough to be caught in progress. */
async function manyFilesFolder(prefix: string, filesPerFolder = 100): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), prefix))
  for (let d = 0; d < 200; d++) {
    const folder = join(root, `class${d % 4}`, `sub${d}`)
    await mkdir(folder, { recursive: true })
    await Promise.all(Array.from({ length: filesPerFolder }, (_, i) => writeFile(join(folder, `f${i}.txt`), 'x')))
  }
  return root
}

async function png(path: string): Promise<void> {
  await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: 10, g: 120, b: 200 } } }).png().toFile(path)
}

const request = (dataset: string) => ({ dataset, validationFraction: 0, seed: 1 })

describe('folder scans are bounded and cancellable', () => {
  const context = useTestServer()

  for (const folder of ['/proc', '/sys', '/dev', '/proc/self']) {
    it(`describe folder:${folder} answers at once with a clear refusal`, async () => {
      const client = await connectClient(context.server)
      const started = performance.now()
      const result = await Promise.race([client.call('data.describe', request(`folder:${folder}`)), new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 10_000))])
      const ms = performance.now() - started
      console.log(`describe folder:${folder}: ${ms.toFixed(0)} ms`)
      expect(result).not.toBe('timeout')
      expect(result).toMatchObject({ ok: false, error: { code: 'bad-input', message: expect.stringMatching(/pseudo-file system/) } })
      client.close()
    }, 15_000)
  }

  it('a folder nested deeper than the scan goes is read to that depth, the rest listed as skipped', async () => {
    const root = await mkdtemp(join(tmpdir(), 'deep-'))
    let dir = join(root, 'cls')
    await mkdir(dir)
    await png(join(dir, 'top.png'))
    for (let level = 0; level < 40; level++) dir = join(dir, `d${level}`)
    await mkdir(dir, { recursive: true })
    await png(join(dir, 'deep.png'))
    const scan = await scanFolder(root)
    expect(scan.train.length + scan.test.length).toBe(1)
    expect(scan.skipped).toContainEqual({ file: expect.stringMatching(/^cls(\/d\d+){33}\/$/), reason: 'more than 32 folder levels below its class folder; not read' })
  })

  it('a scan looks at a bounded number of entries, reports progress, and stops when cancelled', async () => {
    const root = await mkdtemp(join(tmpdir(), 'many-'))
    await mkdir(join(root, 'cls'))
    await Promise.all(Array.from({ length: 5_000 }, (_, i) => writeFile(join(root, 'cls', `f${i}.txt`), 'x')))
    await expect(scanFolder(root, 1, { maxEntries: 1_000 })).rejects.toThrow(/more than 1,000 files and folders; choose a smaller folder/)
    const progress: number[] = []
    await expect(scanFolder(root, 1, { onProgress: ({ entries }) => progress.push(entries) })).rejects.toThrow(/holds an image/)
    expect(progress.length).toBeGreaterThan(0)
    const controller = new AbortController()
    controller.abort(new Error('stop now'))
    await expect(scanFolder(root, 1, { signal: controller.signal })).rejects.toThrow('stop now')
  })

  it('the client that asked for a scan leaving cancels it', async () => {
    const root = await manyFilesFolder('left-')
    const dataset = `folder:${root}`
    const client = await connectClient(context.server)
    void client.call('data.describe', request(dataset))
    while (!context.workbench.data.isScanning(dataset)) await new Promise((resolve) => setTimeout(resolve, 5))
    const left = performance.now()
    client.ws.terminate()
    while (context.workbench.data.isScanning(dataset) && performance.now() - left < 10_000) await new Promise((resolve) => setTimeout(resolve, 10))
    const ms = performance.now() - left
    console.log(`scan of 20,000 files ended ${ms.toFixed(0)} ms after its client left`)
    expect(ms).toBeLessThan(1_000)
  }, 60_000)

  it('data.cancel (the Data view\'s Cancel) stops a scan in progress; its describe says so', async () => {
    const root = await manyFilesFolder('cancel-')
    const dataset = `folder:${root}`
    const client = await connectClient(context.server)
    const described = client.call('data.describe', request(dataset))
    while (!context.workbench.data.isScanning(dataset)) await new Promise((resolve) => setTimeout(resolve, 5))
    const started = performance.now()
    expect(await client.call('data.cancel', { dataset })).toEqual({ ok: true, value: { cancelled: true } })
    const answer = await described
    console.log(`describe answered ${(performance.now() - started).toFixed(0)} ms after data.cancel`)
    expect(answer).toMatchObject({ ok: false, error: { code: 'bad-input', message: `${root}: scan cancelled` } })
    expect(await client.call('data.cancel', { dataset })).toEqual({ ok: true, value: { cancelled: false } })
    client.close()
  }, 60_000)

  it('a second describe of the same folder cancels the first scan, which answers saying so', async () => {
    // Many files in many folders: a scan that takes a moment.
    const root = await manyFilesFolder('wide-', 50)
    const client = await connectClient(context.server)
    const first = client.call('data.describe', request(`folder:${root}`))
    await new Promise((resolve) => setTimeout(resolve, 5))
    const second = client.call('data.describe', { ...request(`folder:${root}`), seed: 2 })
    const [a, b] = await Promise.all([first, second])
    expect(a).toMatchObject({ ok: false, error: { message: expect.stringMatching(/cancelled: a newer scan of the same folder/) } })
    expect(b.ok).toBe(false)
    expect(b.error?.message).toMatch(/holds an image that can be used/)
    client.close()
  }, 60_000)
})

const redisAbsent = redisMissing()
if (redisAbsent) console.warn(`skipping the pool scan test: ${redisAbsent}`)

describe.skipIf(!!redisAbsent)('the same bounds on a pool worker', () => {
  it('a pool run on folder:/proc fails at once saying why', async () => {
    const redis = await startRedis()
    const worker = await poolWorker(redis, 'scanner')
    try {
      const { workbench } = await openWorkbench(redis.url)
      const started = performance.now()
      const { runId } = await workbench.handlers['training.start']({ ...TrainConfig.parse({ arch: 'lenet-relu', dataset: 'folder:/proc', epochs: 1, batchSize: 32, learningRate: 0.01 }), place: 'pool' })
      const final = await workbench.supervisor.waitFor(runId)!
      console.log(`pool run on folder:/proc ended ${final.status} in ${(performance.now() - started).toFixed(0)} ms`)
      expect(final.status).toBe('failed')
      expect(final.error).toMatch(/on worker scanner: .*\/proc: is on a pseudo-file system/)
      workbench.close()
    } finally {
      worker.child.kill('SIGKILL')
      await redis.stop()
    }
  }, 120_000)
})
