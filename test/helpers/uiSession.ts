import type { Browser, Page } from 'playwright-core'
import type { RunningWebServer } from '../../main/web/webServer'
import type { Workbench } from '../../main/services/workbench'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll } from 'vitest'
import { chromiumAvailable, launchChromium } from './browser'
import { REPO_ROOT } from './repoRoot'
import { startTestServer } from './webHarness'

type WorkbenchOptions = Parameters<typeof startTestServer>[1]

export interface UiSession {
  server: RunningWebServer
  workbench: Workbench
  browser: Browser
  page: Page
}

/** The real app in web mode, with Chromium open on a 1280x800 page; page errors go to the test log. */
export async function openUiSession(
  rendererDir: string,
  onPageError = (message: string) => console.error('page error:', message),
  options: WorkbenchOptions = {},
): Promise<UiSession> {
  const { server, workbench } = await startTestServer(rendererDir, options)
  const browser = await launchChromium()
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
  page.on('pageerror', (error) => onPageError(error.message))
  return { server, workbench, browser, page }
}

export async function closeUiSession(session: Partial<UiSession>): Promise<void> {
  await session.browser?.close()
  session.workbench?.close()
  await session.server?.close()
}

/** The built renderer, and whether a browser test can run on it here (saying why not, once). */
export function builtUi(what: string): { rendererDir: string; ready: boolean } {
  const rendererDir = join(REPO_ROOT, 'out', 'renderer')
  const ready = chromiumAvailable && existsSync(join(rendererDir, 'index.html'))
  if (!ready) console.log(`skipping ${what}: ${chromiumAvailable ? 'the renderer is not built (npm run build)' : 'no chromium at /usr/bin/chromium'}`)
  return { rendererDir, ready }
}

/** The real app in Chromium for one describe block: opened before its tests, closed after them. */
export function useUiSession(rendererDir: string, options: WorkbenchOptions = {}): () => UiSession {
  let session: UiSession | undefined
  beforeAll(async () => {
    session = await openUiSession(rendererDir, undefined, options)
  })
  afterAll(() => closeUiSession(session ?? {}))
  return () => session!
}
