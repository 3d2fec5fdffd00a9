import { beforeAll, describe, expect, it } from 'vitest'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { LESSONS } from '../../shared/lessons/lessonCatalog'
import { LESSON_IDS } from '../../shared/lessons/lessonTypes'
import { screenshotBothSizes, SCREENSHOT_DIR } from '../helpers/browser'
import { builtUi, useUiSession } from '../helpers/uiSession'

const { rendererDir, ready } = builtUi('Lessons e2e')

/** The lesson run end to end: two LeNet-5 runs on 4,000 Fashion-MNIST images, 3 epochs, seconds each on wasm-blas. */
const LESSON = 'sigmoid-vs-relu'

/** Elements whose text is cut off (scrollWidth beyond their box) and not meant to be (no ellipsis). */
function clippedText(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const found: string[] = []
    for (const element of document.querySelectorAll<HTMLElement>('.content button, .content h2, .content h3, .content p, .content span')) {
      const style = getComputedStyle(element)
      if (style.textOverflow === 'ellipsis') continue
      if (element.scrollWidth > element.clientWidth + 1 && style.overflowX !== 'visible') found.push(element.textContent?.trim().slice(0, 60) ?? '')
    }
    return found
  })
}

describe.skipIf(!ready)('the Lessons page in Chromium', () => {
  const session = useUiSession(rendererDir)
  beforeAll(() => mkdir(SCREENSHOT_DIR, { recursive: true }))

  it('is first in the navigation, linked from the landing view, and lists the 11 lessons in the notes’ order, each with the notes’ sentence', async () => {
    const { page, server } = session()
    await page.goto(server.url)
    expect(await page.locator('.nav__item').first().getAttribute('data-testid')).toBe('nav-lessons')
    expect(await page.getByTestId('nav-lessons').textContent()).toMatch(/Start here/)
    // The landing view (Train, with no run yet) points a newcomer there too.
    await page.getByTestId('train-start-here').locator('a[href="#/lessons"]').click()
    await expect.poll(() => page.getByTestId('nav-lessons').getAttribute('aria-current')).toBe('page')
    const cards = page.locator('article[data-testid^="lesson-"]')
    await expect.poll(() => cards.count(), { timeout: 10_000 }).toBe(11)
    expect(await cards.evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-testid')))).toEqual(LESSON_IDS.map((id) => `lesson-${id}`))
    expect(await page.getByTestId('lesson-title').allTextContents()).toEqual(LESSONS.map((lesson) => lesson.title))
    expect(await page.getByTestId('lessons-index').locator('li').count()).toBe(11)
    const quotes = await page.getByTestId('lesson-quote').allTextContents()
    LESSONS.forEach((lesson, i) => {
      expect(quotes[i]).toContain(lesson.quote.zh)
      expect(quotes[i]).toContain(lesson.quote.en)
    })
    // Settings in words, never the config's keys.
    const settings = await page.getByTestId('lesson-run-setting').allTextContents()
    expect(settings.length).toBe(LESSONS.reduce((sum, lesson) => sum + lesson.runs.length, 0))
    expect(await page.locator('.content').textContent()).not.toMatch(/knobs\.|batchSize|normalize:/)
    expect(await clippedText(page)).toEqual([])
    await screenshotBothSizes(page, 'lessons')
    await screenshotBothSizes(page, 'lessons-full', { fullPage: true })
  }, 60_000)

  it('runs a lesson: its runs appear and train, then the verdict computed from their numbers', async () => {
    const { page, workbench } = session()
    const card = page.getByTestId(`lesson-${LESSON}`)
    const run = page.getByTestId(`lesson-run-${LESSON}`)
    await run.click()
    await expect.poll(() => card.getByTestId('lesson-run-status').count(), { timeout: 15_000 }).toBe(2)
    expect(await run.isDisabled()).toBe(true)
    expect(await card.getByTestId('lesson-verdict').getAttribute('data-reason')).toBe('pending')

    // Live: each run's line fills in per epoch; the verdict follows once both have ended.
    await expect.poll(() => card.getByTestId('lesson-run-line').first().textContent(), { timeout: 120_000 }).toMatch(/test \d+\.\d%/)
    await expect.poll(() => card.getByTestId('lesson-verdict').getAttribute('data-reason'), { timeout: 420_000, interval: 1000 }).not.toBe('pending')
    const statuses = await card.getByTestId('lesson-run-status').allTextContents()
    expect(statuses).toEqual(['completed', 'completed'])
    const reason = await card.getByTestId('lesson-verdict').getAttribute('data-reason')
    const verdict = (await card.getByTestId('lesson-verdict-text').textContent()) ?? ''
    console.log(`Lesson ${LESSON}: verdict ${reason}: ${verdict}`)
    expect(verdict).toMatch(/\d+(\.\d+)?%/)
    expect(await card.getAttribute('data-verdict')).toBe(reason === 'holds' ? 'holds' : 'fails')
    expect(await run.isDisabled()).toBe(false)
    expect(await run.textContent()).toMatch(/Run again/)
    expect(await page.getByTestId('lessons-index').locator('li').first().textContent()).toMatch(reason === 'holds' ? /holds/ : /did not hold|not shown/)

    // They are ordinary runs, named after the lesson and tagged with it.
    const runs = (await workbench.handlers['runs.list']({})).filter((summary) => summary.tags?.includes(`lesson:${LESSON}`))
    expect(runs.map((summary) => summary.name).sort()).toEqual(['Sigmoid vs ReLU · ReLU', 'Sigmoid vs ReLU · sigmoid'])

    await card.scrollIntoViewIfNeeded()
    await page.evaluate((id) => document.getElementById(id)?.scrollIntoView({ block: 'start' }), `lesson-${LESSON}`)
    await screenshotBothSizes(page, 'lesson-verdict')
    await card.screenshot({ path: join(SCREENSHOT_DIR, 'lesson-verdict-card-1280x800.png') })

    // Look next: Compare opens with the lesson's two runs.
    await card.getByTestId('lesson-look-compare').click()
    await expect.poll(() => page.url()).toMatch(/#\/compare$/)
    const chips = page.getByTestId('compare-chips').locator('li.chip:not(.chip--add)')
    await expect.poll(() => chips.count(), { timeout: 10_000 }).toBe(2)
    for (const text of await chips.allTextContents()) expect(text).toMatch(/Sigmoid vs ReLU · (sigmoid|ReLU)/)

    // Look next: Inspect, already open on another model, switches to the lesson's improvement (its last run).
    const sigmoidRun = runs.find((summary) => summary.name?.endsWith('sigmoid'))!
    const reluRun = runs.find((summary) => summary.name?.endsWith('ReLU'))!
    await page.getByTestId('nav-inspect').click()
    await expect.poll(() => page.getByTestId('inspect-run-select').locator(`option[value="${sigmoidRun.runId}"]`).count(), { timeout: 10_000 }).toBe(1)
    await page.getByTestId('inspect-run-select').selectOption(sigmoidRun.runId)
    await page.getByTestId('nav-lessons').click()
    await card.getByTestId('lesson-look-inspect').click()
    await expect.poll(() => page.url()).toMatch(/#\/inspect$/)
    await expect.poll(() => page.getByTestId('inspect-run-select').inputValue()).toBe(reluRun.runId)
  }, 540_000)
})
