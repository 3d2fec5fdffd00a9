import { existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'

/** Debian's chromium: Playwright's own browser download cannot work on these machines. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
export const chromiumAvailable = existsSync(CHROMIUM_PATH)

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  })
}

export const SCREENSHOT_DIR = join(import.meta.dirname, '..', '..', 'test-results', 'screenshots')

/** Saves `<name>-1280x800.png` and `<name>-1920x1080.png`, then puts the viewport back. */
export async function screenshotBothSizes(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<void> {
  const previous = page.viewportSize()
  await mkdir(SCREENSHOT_DIR, { recursive: true })
  for (const [width, height] of [
    [1280, 800],
    [1920, 1080],
  ]) {
    await page.setViewportSize({ width, height })
    await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}-${width}x${height}.png`), fullPage: options.fullPage })
  }
  if (previous) await page.setViewportSize(previous)
}
