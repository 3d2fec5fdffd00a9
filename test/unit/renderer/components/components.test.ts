import { createPinia } from 'pinia'
import { describe, expect, it } from 'vitest'
import { createSSRApp, h } from 'vue'
import { renderToString } from 'vue/server-renderer'
import { TrainConfig, type ArchitectureSummary, type RunSummary } from '../../../../shared/api/schemas'
import RunEditRow from '../../../../renderer/src/components/runs/RunEditRow.vue'
import StatusPill from '../../../../renderer/src/components/StatusPill.vue'
import RunControls from '../../../../renderer/src/components/train/RunControls.vue'
import TrainForm from '../../../../renderer/src/components/train/TrainForm.vue'

/** Renders a component to HTML as the server renderer would: its template with these props, no DOM. */
async function render(component: object, props: Record<string, unknown>): Promise<string> {
  const app = createSSRApp({ render: () => h(component, props) })
  app.use(createPinia())
  return renderToString(app)
}

/** The `value` attribute of the input with this data-testid. */
function inputValue(html: string, testid: string): string | undefined {
  const tag = new RegExp(`<input[^>]*data-testid="${testid}"[^>]*>`).exec(html)?.[0]
  return tag ? /value="([^"]*)"/.exec(tag)?.[1] : undefined
}

const run: RunSummary = {
  runId: 'run-7',
  name: 'Fast learner',
  tags: ['baseline', 'lenet'],
  config: TrainConfig.parse({ arch: 'lenet5', dataset: 'mnist', epochs: 1, batchSize: 32, learningRate: 0.1 }),
  status: 'completed',
  createdAt: '2024-01-01T00:00:00.000Z',
  classNames: [],
}

describe('RunsView edit row', () => {
  it('starts from the run name and its tags, comma-separated, across the table', async () => {
    const html = await render(RunEditRow, { run, columns: 11, saving: false })
    expect(inputValue(html, 'run-name-input')).toBe('Fast learner')
    expect(inputValue(html, 'run-tags-input')).toBe('baseline, lenet')
    expect(html).toContain('colspan="11"')
    expect(html).toMatch(/data-testid="run-save"[^>]*>Save</)
  })
  it('shows that it is saving, with Save disabled', async () => {
    const html = await render(RunEditRow, { run: { ...run, name: undefined, tags: undefined }, columns: 11, saving: true })
    expect(inputValue(html, 'run-name-input')).toBe('')
    expect(html).toMatch(/<button type="submit"[^>]*disabled[^>]*>Saving…</)
  })
  it('hints at the name a run goes by without one of its own, not its id', async () => {
    const html = await render(RunEditRow, { run: { ...run, name: undefined }, columns: 11, saving: false })
    expect(html).toMatch(/data-testid="run-name-input"/)
    expect(/<input[^>]*data-testid="run-name-input"[^>]*>/.exec(html)![0]).toMatch(/placeholder="lenet5 · mnist · lr 0\.1 · batch 32 · 1 epoch"/)
  })
})

describe('StatusPill', () => {
  const result = (testAccuracy: number) => ({ trainLoss: 1, trainAccuracy: testAccuracy, testLoss: 1, testAccuracy, samplesPerSecond: 1, trainSeconds: 1, params: 1 })
  const tenClasses = Array.from({ length: 10 }, (_, i) => String(i))
  it('a run that completed at chance level reads "did not learn", in its own class; one that learned "completed"', async () => {
    const stuck = await render(StatusPill, { run: { ...run, classNames: tenClasses, result: result(0.096) } })
    expect(stuck).toMatch(/class="pill pill--did-not-learn"[^>]*>did not learn</)
    const fine = await render(StatusPill, { run: { ...run, classNames: tenClasses, result: result(0.97) } })
    expect(fine).toMatch(/class="pill pill--completed"[^>]*>completed</)
    expect(await render(StatusPill, { status: 'failed' })).toMatch(/>failed</)
  })
})

const lenet: ArchitectureSummary = {
  id: 'lenet5',
  name: 'LeNet-5',
  description: 'The classic.',
  params: 61_706,
  inputShape: [28, 28, 1],
}

describe('TrainForm', () => {
  const props = { architectures: [lenet], loading: false, busy: false, activeRun: false }
  it('fills in the first architecture and its training defaults', async () => {
    const html = await render(TrainForm, props)
    expect(inputValue(html, 'epochs-input')).toBe('10')
    expect(inputValue(html, 'batch-size-input')).toBe('256')
    expect(inputValue(html, 'learning-rate-input')).toBe('0.9')
    expect(html).toContain('61,706 parameters')
    expect(html).toMatch(/<label for="limit"[^>]*>Limit training images <span class="field__optional"/)
    expect(html).not.toContain('data-testid="start-reason"')
  })
  it('says why Start is disabled while a run is active', async () => {
    const html = await render(TrainForm, { ...props, activeRun: true })
    expect(html).toMatch(/data-testid="start-button"[^>]*disabled/)
    expect(html).toContain('data-testid="start-reason"')
    expect(html).not.toContain('data-testid="stop-button"')
  })
  it('shows the preset\u2019s optimizer and schedule as the first choices, and the Advanced options with the preset\u2019s values', async () => {
    const html = await render(TrainForm, props)
    // LeNet-5's notes recipe: plain SGD, constant rate; sent only when changed.
    const firstChoice = (testid: string) => new RegExp(`data-testid="${testid}"[^>]*>(?:<!--\\[-->)?<option value=""[^>]*>([^<]*)</option>`).exec(html)?.[1]
    expect(firstChoice('option-optimizer')).toBe('sgd (preset)')
    expect(firstChoice('option-lrSchedule')).toBe('constant (preset)')
    expect(html).toMatch(/<details class="advanced"[^>]*data-testid="advanced-options"/)
    const placeholder = (id: string) => /placeholder="([^"]*)"/.exec(new RegExp(`<input id="${id}"[^>]*>`).exec(html)?.[0] ?? '')?.[1]
    expect(placeholder('option-weightDecay')).toBe('0 (preset)')
    expect(placeholder('option-gradientClipNorm')).toBe('no clipping (preset)')
    expect(placeholder('option-seed')).toBe('1 (preset)')
  })
})

describe('RunControls', () => {
  const running = { ...run, status: 'running' as const }
  it('puts Pause (with what it does), Stop & evaluate and Cancel & discard together for a running run', async () => {
    const html = await render(RunControls, { run: running, busy: false, stopping: false })
    expect(html).toMatch(/data-testid="pause-button"[^>]*title="Hold training after the current batch[^"]*"/)
    expect(html).toMatch(/data-testid="stop-button"[^>]*>\s*Stop &amp; evaluate/)
    expect(html).toMatch(/data-testid="cancel-button"[^>]*>\s*Cancel &amp; discard/)
    // Cancel asks first: no dialog until it is pressed.
    expect(html).not.toContain('data-testid="cancel-dialog"')
  })
  it('says that a stop is under way, and offers none of them for an ended run', async () => {
    expect(await render(RunControls, { run: running, busy: false, stopping: true })).toMatch(/data-testid="stop-button"[^>]*disabled[^>]*>\s*Stopping…/)
    const ended = await render(RunControls, { run, busy: false })
    expect(ended).not.toMatch(/data-testid="(pause|stop|cancel)-button"/)
  })
})
