import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { existsSync } from 'node:fs'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { chromiumAvailable, screenshotBothSizes } from '../helpers/browser'
import { closeUiSession, openUiSession } from '../helpers/uiSession'
import type { RunningWebServer } from '../../main/web/webServer'
import type { Workbench } from '../../main/services/workbench'
import { TrainConfig } from '../../shared/api/schemas'

const root = join(import.meta.dirname, '..', '..')
const rendererDir = join(root, 'out', 'renderer')
const ready = chromiumAvailable && existsSync(join(rendererDir, 'index.html'))
if (!ready) console.log(`skipping web token e2e: ${chromiumAvailable ? 'the renderer is not built (npm run build)' : 'no chromium at /usr/bin/chromium'}`)

describe.skipIf(!ready)('the web token in Chromium', () => {
  let server: RunningWebServer
  let workbench: Workbench
  let browser: Browser
  let page: Page
  let other: Server
  const otherRequests: IncomingHttpHeaders[] = []

  beforeAll(async () => {
    ;({ server, workbench, browser, page } = await openUiSession(rendererDir))
    // Another local service, on another port of the same host.
    other = createServer((request, response) => {
      otherRequests.push(request.headers)
      response.end('<!doctype html><title>other service</title>')
    })
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve))
  })

  afterAll(async () => {
    other?.close()
    await closeUiSession({ browser, workbench, server })
  })

  const setCookies: string[] = []
  const watchCookies = (target: Page) =>
    target.on('response', async (response) => {
      const header = await response.headerValue('set-cookie')
      if (header) setCookies.push(`${response.url()}: ${header}`)
    })

  it('keeps working after a reload without ?token=, and no credential reaches another port', async () => {
    await workbench.store.save({ runId: 'mx0000aa-abcdef', config: TrainConfig.parse({ arch: 'lenet-relu', dataset: 'mnist', epochs: 1, batchSize: 32, learningRate: 0.05 }), status: 'stopped', createdAt: new Date().toISOString(), classNames: [] })
    watchCookies(page)
    await page.goto(`${server.url}#/runs`)
    await expect.poll(() => page.getByText('mx0000aa-abcdef').count()).toBeGreaterThan(0)
    // The token left the address bar once it was taken.
    expect(page.url()).not.toContain('token=')
    expect(page.url()).toContain('#/runs')

    await page.reload()
    await expect.poll(() => page.getByText('mx0000aa-abcdef').count()).toBeGreaterThan(0)
    expect(await page.getByText('cannot reach the workbench server').count()).toBe(0)
    expect(await page.getByText('No runs yet').count()).toBe(0)
    await screenshotBothSizes(page, 'web-token-after-reload')

    // Typed without the query in the same tab: still connected.
    await page.goto(`http://127.0.0.1:${server.port}/#/runs`)
    await expect.poll(() => page.getByText('mx0000aa-abcdef').count()).toBeGreaterThan(0)

    expect(setCookies).toEqual([])
    expect(await page.context().cookies()).toEqual([])
    // Another service on this host gets neither a cookie nor the token in any header.
    const port = (other.address() as AddressInfo).port
    await page.goto(`http://127.0.0.1:${port}/`)
    expect(otherRequests.length).toBeGreaterThan(0)
    for (const headers of otherRequests) {
      expect(headers.cookie).toBeUndefined()
      expect(JSON.stringify(headers)).not.toContain(server.token)
    }
  })

  it('a tab that never had the token says how to get in', async () => {
    const fresh = await browser.newPage({ viewport: { width: 1280, height: 800 } })
    watchCookies(fresh)
    await fresh.goto(`http://127.0.0.1:${server.port}/#/runs`)
    await expect.poll(() => fresh.getByText(/no access token/).count()).toBeGreaterThan(0)
    await screenshotBothSizes(fresh, 'web-token-missing')
    await fresh.close()
    expect(setCookies).toEqual([])
  })
})
