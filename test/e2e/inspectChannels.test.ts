import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { connectClient, startTestServer } from '../helpers/webHarness'
import { chromiumAvailable, launchChromium } from '../helpers/browser'
import { digitPng, dropFiles } from '../helpers/uiFiles'
import type { RunningWebServer } from '../../main/web/webServer'
import type { Workbench } from '../../main/services/workbench'

const root = join(import.meta.dirname, '..', '..')
const rendererDir = join(root, 'out', 'renderer')
const screenshots = join(root, 'test-results', 'screenshots')
const ready = chromiumAvailable && existsSync(join(rendererDir, 'index.html'))
if (!ready) console.log(`skipping Inspect channel paging e2e: ${chromiumAvailable ? 'the renderer is not built (npm run build)' : 'no chromium at /usr/bin/chromium'}`)

/** A network wider than the 16 maps one inspection returns: the Inspect view pages through its channels. */
describe.skipIf(!ready)('Inspect view: paging through the channels of a wide layer', () => {
  let server: RunningWebServer
  let workbench: Workbench
  let browser: Browser
  let runId: string
  let page: Page

  beforeAll(async () => {
    ;({ server, workbench } = await startTestServer(rendererDir))
    const client = await connectClient(server)
    // VGG-11 at the CPU preset's 32 px and quarter width: 16 to 128 channels.
    const started = await client.call('training.start', {
      arch: 'vgg11', dataset: 'mnist', epochs: 1, batchSize: 32, learningRate: 0.01, limit: 128, inputSize: 32, knobs: { width: 0.25 },
    })
    expect(started.ok, JSON.stringify(started.error)).toBe(true)
    ;({ runId } = started.value as { runId: string })
    for (let status = ''; status !== 'completed'; await new Promise((r) => setTimeout(r, 250))) {
      status = ((await client.call('runs.get', { runId })).value as { status: string }).status
      if (status === 'failed') throw new Error('the VGG-11 run failed')
    }
    client.close()
    browser = await launchChromium()
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
    page.on('pageerror', (error) => console.error('page error:', error.message))
    await mkdir(screenshots, { recursive: true })
  }, 240_000)

  afterAll(async () => {
    await browser?.close()
    workbench?.close()
    await server?.close()
  })

  it('shows channels #0-#15, then #16-#31 of every layer that wide; narrower layers drop out', async () => {
    await page.goto(server.url)
    await page.getByTestId('nav-inspect').click()
    await expect.poll(() => page.getByTestId('inspect-run-select').locator('option').count(), { timeout: 10_000 }).toBe(1)
    // 128 images leave VGG-11 at chance: Inspect lists the run but never picks a run that did not learn by itself.
    await page.getByTestId('inspect-run-select').selectOption(runId)
    await dropFiles(page, [{ name: 'one.png', bytes: await digitPng(), type: 'image/png' }])
    const pager = page.getByTestId('channel-pager')
    await expect.poll(() => pager.textContent(), { timeout: 60_000 }).toMatch(/Channels #0–#15 of up to (\d+)/)
    const widest = Number(/of up to (\d+)/.exec((await pager.textContent())!)![1])
    expect(widest).toBeGreaterThan(32)
    const layersFirst = await page.getByTestId('feature-map-layer').count()
    await page.getByTestId('channels-next').click()
    await expect.poll(() => pager.textContent()).toMatch(/Channels #16–#31 of up to/)
    expect(await page.getByTestId('feature-map-layer').first().textContent()).toMatch(/channels #16–#31 of \d+/)
    expect(await page.locator('figure.map figcaption').first().textContent()).toBe('#16')
    // The first block has 16 channels: it has no second page.
    expect(await page.getByTestId('feature-map-layer').count()).toBeLessThan(layersFirst)
    // The explanation of the prediction stays (it is the same image).
    expect(await page.getByTestId('overlay-select').isVisible()).toBe(true)
    await page.screenshot({ path: join(screenshots, 'inspect-channels-17-32-1280x800.png') })
    await page.getByTestId('channels-previous').click()
    await expect.poll(() => pager.textContent()).toMatch(/Channels #0–#15/)
    expect(await page.getByTestId('feature-map-layer').count()).toBe(layersFirst)
  }, 120_000)
})
