import type { Browser, Page } from 'playwright-core'
import type { RunningWebServer } from '../../main/web/webServer'
import type { Workbench } from '../../main/services/workbench'
import { launchChromium } from './browser'
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
