import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { chromiumAvailable, screenshotBothSizes } from '../helpers/browser'
import { closeUiSession, openUiSession, type UiSession } from '../helpers/uiSession'
import { webgpuAdapterUnavailable } from '../helpers/webgpuAdapter'

const rendererDir = join(import.meta.dirname, '..', '..', 'out', 'renderer')
const built = chromiumAvailable && existsSync(join(rendererDir, 'index.html'))
if (!built) console.log(`skipping System view WebGPU e2e: ${chromiumAvailable ? 'the renderer is not built (npm run build)' : 'no chromium at /usr/bin/chromium'}`)
const unavailable = built ? webgpuAdapterUnavailable() : 'not built'

describe.skipIf(!built || unavailable)('System view: the WebGPU adapter', () => {
  let session: UiSession
  beforeAll(async () => {
    session = await openUiSession(rendererDir)
  })
  afterAll(() => closeUiSession(session))

  it('shows the adapter, its features and limits, and why the rung was or was not chosen', async () => {
    const { page, server } = session
    await page.goto(server.url)
    await page.getByTestId('nav-system').click()
    await expect.poll(() => page.getByTestId('system-webgpu-verdict').count(), { timeout: 120_000 }).toBe(1)
    const verdict = (await page.getByTestId('system-webgpu-verdict').textContent()) ?? ''
    const card = (await page.getByTestId('system-webgpu').textContent()) ?? ''
    // The ladder's own reason: on a software adapter (CI's lavapipe) auto passes the rung over.
    const kernels = (await page.getByTestId('webgpu-kernels').textContent())?.trim()
    if (card.includes('software')) {
      expect(verdict).toMatch(/^Not used for training: only a software adapter was found/)
      // A skipped rung never registered anything: it must not read as "tfjs's own kernels".
      expect(kernels).toBe('not loaded: the rung was not used')
    } else {
      expect(verdict).toMatch(/^Used for training: a hardware adapter; passed the self-test/)
      expect(kernels).toMatch(/Conv2D/)
    }
    expect(card).toMatch(/Native API\s*(Vulkan|D3D12|Metal)/)
    expect(card).toMatch(/subgroups\s*(yes|no)/)
    expect(card).toMatch(/shader-f16\s*(yes|no)/)
    expect(card).toMatch(/maxComputeWorkgroupStorageSize\s*[\d,]+/)
    await screenshotBothSizes(page, 'system-webgpu', { fullPage: true })
  }, 180_000)
})
