import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { chromiumAvailable } from '../helpers/browser'
import { webgpuAdapterUnavailable } from '../helpers/webgpuAdapter'
import { closeUiSession, openUiSession } from '../helpers/uiSession'
import type { RunningWebServer } from '../../main/web/webServer'
import type { Workbench } from '../../main/services/workbench'

const root = join(import.meta.dirname, '..', '..')
const rendererDir = join(root, 'out', 'renderer')
const screenshots = join(root, 'test-results', 'screenshots')
const ready = chromiumAvailable && existsSync(join(rendererDir, 'index.html'))
if (!ready) console.log(`skipping Train precision e2e: ${chromiumAvailable ? 'the renderer is not built (npm run build)' : 'no chromium at /usr/bin/chromium'}`)

/**
 * The Train form's Precision choice: offered with the webgpu and auto backends only, saying what mixed
 * precision is; a mixed run on webgpu trains (on lavapipe here: it offers shader-f16) and its warnings
 * say how many steps loss scaling skipped, or, without an adapter, it stops at once saying why.
 */
describe.skipIf(!ready)('Train view: precision', () => {
  let server: RunningWebServer
  let workbench: Workbench
  let browser: Browser
  let page: Page

  beforeAll(async () => {
    ;({ server, workbench, browser, page } = await openUiSession(rendererDir))
    await mkdir(screenshots, { recursive: true })
  })

  afterAll(async () => {
    await closeUiSession({ browser, workbench, server })
  })

  it('offers mixed precision with webgpu and auto, not with a CPU backend', async () => {
    await page.goto(server.url)
    await page.getByTestId('nav-train').click()
    const precision = page.getByTestId('option-precision')
    await page.getByTestId('backend-select').selectOption('webgpu')
    await expect.poll(() => precision.isVisible()).toBe(true)
    await precision.selectOption('mixed')
    await expect.poll(() => page.getByTestId('precision-help').textContent()).toMatch(/f16 operands with f32 accumulation.*shader-f16/s)
    await page.screenshot({ path: join(screenshots, 'train-precision-mixed-1280x800.png') })
    await page.getByTestId('backend-select').selectOption('auto')
    await expect.poll(() => page.getByTestId('precision-help').textContent()).toMatch(/auto may choose another backend/)
    await page.getByTestId('backend-select').selectOption('wasm')
    await expect.poll(() => precision.count()).toBe(0)
    expect(await page.getByTestId('precision-help').count()).toBe(0)
  })

  it('a mixed run on webgpu trains and reports its loss scaling, or says why it cannot', async () => {
    const missing = webgpuAdapterUnavailable()
    if (!process.env.XDG_RUNTIME_DIR) {
      process.env.XDG_RUNTIME_DIR = join(root, 'test-results', 'xdg-runtime')
      await mkdir(process.env.XDG_RUNTIME_DIR, { recursive: true, mode: 0o700 })
    }
    await page.getByTestId('backend-select').selectOption('webgpu')
    await page.getByTestId('option-precision').selectOption('mixed')
    await page.getByTestId('epochs-input').fill('1')
    await page.getByTestId('limit-input').fill('128')
    await page.getByTestId('start-button').click()
    await expect.poll(() => page.getByTestId('run-status').first().textContent(), { timeout: 280_000, interval: 1000 }).toMatch(/completed|did not learn|failed/)
    await page.screenshot({ path: join(screenshots, 'train-precision-run-1280x800.png') })
    if (missing) {
      expect(await page.getByTestId('run-error').textContent()).toMatch(/WebGPU|webgpu/)
    } else {
      // 128 images in one epoch: a completed run, usually still at chance ("did not learn").
      expect(await page.getByTestId('run-status').first().textContent()).toMatch(/^(completed|did not learn)$/)
      expect(await page.getByTestId('run-warning').allTextContents()).toContainEqual(expect.stringMatching(/^mixed precision: \d+ steps? of \d+ skipped for gradient overflow in f16; loss scale now \d+$/))
    }
  }, 300_000)
})
