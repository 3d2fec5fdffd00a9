import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { chromiumAvailable } from '../helpers/browser'
import { closeUiSession, openUiSession } from '../helpers/uiSession'
import { serveFile, sha256, smallCifarArchive, type FileServer } from '../helpers/dataFixtures'
import type { RunningWebServer } from '../../main/web/webServer'
import type { Workbench } from '../../main/services/workbench'

const root = join(import.meta.dirname, '..', '..')
const rendererDir = join(root, 'out', 'renderer')
const screenshots = join(root, 'test-results', 'screenshots')
const ready = chromiumAvailable && existsSync(join(rendererDir, 'index.html'))
if (!ready) console.log(`skipping Train download e2e: ${chromiumAvailable ? 'the renderer is not built (npm run build)' : 'no chromium at /usr/bin/chromium'}`)

/**
 * Starting a CIFAR-10 run before CIFAR-10 is on disk: the data set is downloaded first, and the Train
 * view shows how far it got (bytes, speed, time left) until the run starts. The archive is a small
 * generated one, served slowly from loopback, in place of the official 163 MB.
 */
describe.skipIf(!ready)('Train view: a run whose data set must be downloaded first', () => {
  let files: FileServer
  let server: RunningWebServer
  let workbench: Workbench
  let browser: Browser
  let page: Page

  beforeAll(async () => {
    const archive = smallCifarArchive(40)
    files = await serveFile(archive, { slices: 25, intervalMs: 120 })
    const cifar10Source = { url: files.url, file: 'cifar-10-binary.tar.gz', bytes: archive.length, sha256: sha256(archive) }
    ;({ server, workbench, browser, page } = await openUiSession(rendererDir, undefined, { cifar10Source }))
    await mkdir(screenshots, { recursive: true })
  })

  afterAll(async () => {
    await closeUiSession({ browser, workbench, server })
    await files?.close()
  })

  it('shows the download with its progress, then trains', async () => {
    await page.goto(server.url)
    await page.getByTestId('nav-train').click()
    await page.getByTestId('dataset-select').selectOption('cifar10')
    await page.getByTestId('epochs-input').fill('1')
    await page.getByTestId('limit-input').fill('160')
    await page.getByTestId('start-button').click()
    const progress = page.getByTestId('download-progress')
    await expect.poll(() => progress.textContent(), { timeout: 20_000 }).toMatch(/Downloading CIFAR-10 · [\d.]+ (B|KB|kB|KiB) of [\d.]+ (KB|kB|KiB)/)
    expect(await progress.locator('progress').getAttribute('value')).toMatch(/^0\.\d+$|^1$/)
    await page.screenshot({ path: join(screenshots, 'train-downloading-1280x800.png') })
    // 160 images in one epoch leave CIFAR-10 at chance: the run ends as "did not learn", a completed run's own word.
    await expect.poll(() => page.getByTestId('run-status').first().textContent(), { timeout: 60_000 }).toMatch(/^(completed|did not learn)$/)
    expect(await progress.count()).toBe(0)
  }, 120_000)
})
