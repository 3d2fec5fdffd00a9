import { createPinia } from 'pinia'
import { describe, expect, it } from 'vitest'
import { createSSRApp, h } from 'vue'
import { renderToString } from 'vue/server-renderer'
import { TrainConfig } from '../../../../../shared/api/schemas'
import { getLesson } from '../../../../../shared/lessons/lessonCatalog'
import type { LessonAttempt } from '../../../../../shared/lessons/lessonTypes'
import LessonCard from '../../../../../renderer/src/components/lessons/LessonCard.vue'

async function render(props: Record<string, unknown>): Promise<string> {
  const app = createSSRApp({ render: () => h(LessonCard, props) })
  app.use(createPinia())
  return renderToString(app)
}

const lesson = getLesson('sigmoid-vs-relu')!
const outcome = (label: string, status: 'running' | 'completed', testAccuracy?: number) => ({
  label,
  runId: `run-${label.toLowerCase()}`,
  config: TrainConfig.parse(lesson.runs.find((run) => run.label === label)!.config),
  status,
  epochs: [{ epoch: 1, trainLoss: 0.5, trainAccuracy: 0.8, testLoss: 0.6, testAccuracy: testAccuracy ?? 0.5 }],
  testAccuracy,
})

describe('a lesson card', () => {
  it('before a run: concept, the notes in Chinese and English, the claim, each run’s setting in words, no verdict', async () => {
    const html = await render({ lesson, number: 1, progress: {}, starting: false })
    expect(html).toContain(lesson.quote.zh)
    expect(html).toContain(lesson.quote.en)
    expect(html).toContain(lesson.claim)
    expect(html).toContain('sigmoid activations')
    expect(html).toContain('ReLU activations')
    expect(html).not.toContain('knobs.activation')
    expect(html).not.toContain('data-testid="lesson-verdict"')
    expect(html).toMatch(/data-testid="lesson-run-sigmoid-vs-relu"[^>]*>\s*Run\s*</)
    // Compare and Inspect need runs; they wait for the first attempt.
    expect(html).toMatch(/<button[^>]*data-testid="lesson-look-inspect"[^>]*disabled/)
  })

  it('while its runs train: Run is disabled and the pending verdict is neutral', async () => {
    const attempt: LessonAttempt = {
      lessonId: lesson.id,
      attemptId: 'a1',
      seed: 1,
      startedAt: '2026-12-07T21:00:00.000Z',
      runs: [outcome('sigmoid', 'completed', 0.34), outcome('ReLU', 'running')],
      verdict: { holds: false, reason: 'pending', text: 'ReLU is still training.' },
    }
    const html = await render({ lesson, number: 1, attempt, progress: {}, starting: false })
    expect(html).toMatch(/data-testid="lesson-run-sigmoid-vs-relu"[^>]*disabled[^>]*>\s*Running…/)
    expect(html).toMatch(/class="verdict--pending verdict"/)
    expect(html).toContain(`epoch 1 of ${lesson.runs[0]!.config.epochs} · test 34.0%`)
  })

  it('when they end: the server’s verdict text, styled by whether it holds', async () => {
    const base = { lessonId: lesson.id, attemptId: 'a1', seed: 1, startedAt: '2026-12-07T21:00:00.000Z', runs: [outcome('sigmoid', 'completed', 0.34), outcome('ReLU', 'completed', 0.81)] }
    const holds = await render({ lesson, number: 1, progress: {}, starting: false, attempt: { ...base, verdict: { holds: true, reason: 'holds', text: 'ReLU: 81% after epoch 1, sigmoid 34%.' } } })
    expect(holds).toMatch(/class="verdict--holds verdict"[^>]*data-reason="holds"/)
    expect(holds).toContain('ReLU: 81% after epoch 1, sigmoid 34%.')
    const noise = await render({ lesson, number: 1, progress: {}, starting: false, attempt: { ...base, verdict: { holds: false, reason: 'noise', text: 'within noise' } } })
    expect(noise).toMatch(/class="verdict--fails verdict"[^>]*data-reason="noise"/)
    expect(noise).toContain('Does not hold: within noise')
  })
})
