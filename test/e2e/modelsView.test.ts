import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { chromiumAvailable, screenshotBothSizes } from '../helpers/browser'
import { closeUiSession, openUiSession } from '../helpers/uiSession'
import type { RunningWebServer } from '../../main/web/webServer'
import type { Workbench } from '../../main/services/workbench'

const root = join(import.meta.dirname, '..', '..')
const rendererDir = join(root, 'out', 'renderer')
const screenshots = join(root, 'test-results', 'screenshots')
const ready = chromiumAvailable && existsSync(join(rendererDir, 'index.html'))
if (!ready) console.log(`skipping Models view e2e: ${chromiumAvailable ? 'the renderer is not built (npm run build)' : 'no chromium at /usr/bin/chromium'}`)

const digits = (text: string | null) => Number((text ?? '').replace(/[^0-9]/g, ''))

describe.skipIf(!ready)('Models view in Chromium', () => {
  let server: RunningWebServer
  let workbench: Workbench
  let browser: Browser
  let page: Page
  const pageErrors: string[] = []

  beforeAll(async () => {
    ;({ server, workbench, browser, page } = await openUiSession(rendererDir, (message) => pageErrors.push(message)))
    await mkdir(screenshots, { recursive: true })
  })

  afterAll(() => closeUiSession({ browser, workbench, server }))

  it('shows LeNet-5 with the notes\u2019 61,706 parameters and one table row per layer', async () => {
    await page.goto(server.url)
    await page.getByTestId('nav-models').click()
    await expect.poll(() => page.getByTestId('model-total-params').textContent()).toBe('61,706')
    const table = page.getByTestId('model-layer-table')
    expect(await table.locator('tbody tr[data-layer]').count()).toBe(12)
    expect(await table.locator('tr[data-layer="pool2"]').textContent()).toContain('5\u00d75\u00d716')
    await screenshotBothSizes(page, 'models-lenet')
  })

  it('updates at once when the architecture and knobs change, and draws Inception branches and residual shortcuts', async () => {
    await page.getByTestId('model-arch-select').selectOption('googlenet')
    await expect.poll(() => page.getByTestId('model-total-params').textContent()).toBe('5,977,530')
    expect(await page.getByTestId('diagram-inception').count()).toBe(9)
    await page.screenshot({ path: join(screenshots, 'models-googlenet-1280x800.png') })

    await page.getByTestId('model-arch-select').selectOption('resnet18')
    await expect.poll(() => page.getByTestId('model-total-params').textContent()).toBe('11,178,378')
    expect(await page.getByTestId('diagram-residual').count()).toBe(8)
    expect(await page.getByTestId('model-diagram').locator('path.shortcut').count()).toBe(8)
    await page.setViewportSize({ width: 1920, height: 1080 })
    await screenshotBothSizes(page, 'models-resnet18')

    // A plain network of the same depth: no additions, and the three 1x1 projections are gone.
    await page.getByTestId('model-knob-residual').uncheck()
    await expect.poll(async () => digits(await page.getByTestId('model-total-params').textContent())).toBe(11_178_378 - 172_928)
    expect(await page.getByTestId('model-diagram').locator('path.shortcut').count()).toBe(0)
    expect(await page.getByTestId('model-layer-table').locator('tr[data-layer$=".add"]').count()).toBe(0)
    await page.setViewportSize({ width: 1280, height: 800 })

    await page.getByTestId('model-preset-cpu').click()
    await expect.poll(() => page.getByTestId('model-output-shape').textContent()).toContain('32\u00d732\u00d71')
    expect(digits(await page.getByTestId('model-total-params').textContent())).toBeLessThan(1_000_000)
  })

  it('explains an input too small for AlexNet at the layer where the size drops below 1', async () => {
    await page.getByTestId('model-arch-select').selectOption('alexnet')
    await expect.poll(() => page.getByTestId('model-total-params').textContent()).toBe('46,764,746')
    await page.getByTestId('model-input-size').fill('28')
    const problem = page.getByTestId('model-layer-problem')
    await expect.poll(() => problem.count()).toBe(1)
    expect(await problem.getAttribute('data-layer')).toBe('conv2.pool1')
    expect(await problem.textContent()).toMatch(/2x2 input is smaller than this 3x3 window/)
    expect(await page.getByTestId('model-problem').textContent()).toContain('conv2.pool1')
    await page.screenshot({ path: join(screenshots, 'models-alexnet-too-small-1280x800.png'), fullPage: true })

    await page.getByTestId('model-input-size').fill('224')
    await expect.poll(() => page.getByTestId('model-layer-problem').count()).toBe(0)
    expect(pageErrors).toEqual([])
  })

  it('hands the network, its input size and knobs to the Train form ("Train this network")', async () => {
    await page.getByTestId('model-arch-select').selectOption('resnet18')
    await page.getByTestId('model-preset-cpu').click()
    await page.getByTestId('model-knob-residual').uncheck()
    const inputSize = await page.getByTestId('model-input-size').inputValue()
    await page.getByTestId('model-train-this').click()
    await expect.poll(() => page.getByTestId('arch-select').inputValue(), { timeout: 10_000 }).toBe('resnet18')
    await expect.poll(() => page.getByTestId('input-size-input').inputValue()).toBe(inputSize)
    // The preset's training defaults came along, and the form says which knob differs from it.
    expect(await page.getByTestId('preset-select').inputValue()).toBe('cpu')
    expect(await page.getByTestId('custom-knobs').textContent()).toMatch(/Knobs set in Models: residual false\./)
    await page.screenshot({ path: join(screenshots, 'models-train-this-1280x800.png') })
    await page.getByTestId('reset-knobs').click()
    await expect.poll(() => page.getByTestId('custom-knobs').count()).toBe(0)
  })

  it('shows the network as configured as PyTorch code in the notes\u2019 style, and copies it', async () => {
    await page.goto(server.url)
    await page.getByTestId('nav-models').click()
    await page.getByTestId('model-arch-select').selectOption('googlenet')
    await page.getByTestId('model-preset-cpu').click()
    await page.getByTestId('models-tab-pytorch').click()
    const code = page.getByTestId('model-pytorch-code')
    await expect.poll(() => code.textContent()).toContain('class Inception(nn.Module):')
    const text = (await code.textContent())!
    // The CPU preset: a quarter of the width, batch norm on, 32 px.
    expect(text).toContain('self.bn1_1 = nn.BatchNorm2d(c1)')
    expect(text).toContain('Inception(48, 16, (24, 32), (4, 8), 8)')
    expect(text).toContain('X = torch.rand(size=(1, 1, 32, 32))')
    await screenshotBothSizes(page, 'models-pytorch-googlenet', { fullPage: true })

    await page.getByTestId('model-knob-activation').selectOption('tanh')
    await expect.poll(() => code.textContent()).toContain('p1 = torch.tanh(self.bn1_1(self.p1_1(x)))')

    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(server.url).origin })
    await page.getByTestId('model-pytorch-copy').click()
    await expect.poll(() => page.getByTestId('model-pytorch-copy').textContent()).toContain('Copied')
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(await code.textContent())

    await page.getByTestId('model-arch-select').selectOption('resnet18')
    await expect.poll(() => code.textContent()).toContain('class Residual(nn.Module):')
    await screenshotBothSizes(page, 'models-pytorch-resnet18', { fullPage: true })
    await page.getByTestId('models-tab-layers').click()
    expect(pageErrors).toEqual([])
  })
})
