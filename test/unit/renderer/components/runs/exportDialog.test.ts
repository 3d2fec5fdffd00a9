/** The Runs view's export dialog in its states, and the Export action in a run's row, rendered to HTML. */
import { describe, expect, it } from 'vitest'
import { createSSRApp, h } from 'vue'
import { renderToString } from 'vue/server-renderer'
import { TrainConfig, type RunSummary } from '../../../../../shared/api/schemas'
import ExportDialog from '../../../../../renderer/src/components/runs/ExportDialog.vue'
import RunRow from '../../../../../renderer/src/components/runs/RunRow.vue'

async function render(component: object, props: Record<string, unknown>): Promise<string> {
  return renderToString(createSSRApp({ render: () => h(component, props) }))
}

/** The opening tag of the element with this data-testid. */
function tagOf(html: string, testid: string): string {
  return new RegExp(`<[a-z]+[^>]*data-testid="${testid}"[^>]*>`).exec(html)?.[0] ?? ''
}

const run: RunSummary = {
  runId: 'run-7',
  name: 'Fast learner',
  config: TrainConfig.parse({ arch: 'lenet5', dataset: 'mnist', epochs: 1, batchSize: 32, learningRate: 0.1 }),
  status: 'completed',
  createdAt: '2024-01-01T00:00:00.000Z',
  classNames: [],
}
const dialog = { run, format: 'onnx', busy: false, outcome: null, error: null }

describe('ExportDialog', () => {
  it('offers the three formats with their uses, the chosen one checked', async () => {
    const html = await render(ExportDialog, dialog)
    expect(html).toContain('Export Fast learner')
    for (const label of ['TensorFlow.js', 'ONNX', 'PyTorch']) expect(html).toMatch(new RegExp(`<strong[^>]*>${label}</strong>`))
    expect(html).toContain('ONNX Runtime')
    expect(tagOf(html, 'export-format-onnx')).toBeTruthy()
    const radio = (format: string) => new RegExp(`<input[^>]*value="${format}"[^>]*>`).exec(html)?.[0] ?? ''
    expect(radio('onnx')).toMatch(/\bchecked\b/)
    expect(radio('tfjs')).not.toMatch(/\bchecked\b/)
    expect(html).toMatch(/data-testid="export-choose"[^>]*>\s*Choose folder and export/)
  })
  it('says it is exporting, with the button disabled', async () => {
    const html = await render(ExportDialog, { ...dialog, busy: true })
    expect(tagOf(html, 'export-choose')).toContain('disabled')
    expect(html).toContain('Exporting…')
  })
  it('lists the files written and the notes, with Done in place of the export button', async () => {
    const outcome = { folder: '/home/me/out', files: ['model.py', 'weights.npz'], notes: ['LRN becomes a local response normalization module.'] }
    const html = await render(ExportDialog, { ...dialog, format: 'pytorch', outcome })
    expect(html.match(/data-testid="export-file"/g)).toHaveLength(2)
    expect(html).toContain('weights.npz')
    expect(html).toMatch(/data-testid="export-note"[^>]*>LRN becomes/)
    expect(html).not.toContain('data-testid="export-choose"')
    expect(html).toMatch(/data-testid="export-close"[^>]*>\s*Done/)
  })
  it('shows a failure as one line', async () => {
    const html = await render(ExportDialog, { ...dialog, error: 'The folder /ro is not writable' })
    expect(html).toMatch(/data-testid="error-notice"/)
    expect(html).toContain('The folder /ro is not writable')
  })
})

describe('RunRow Export action', () => {
  const row = { run, checked: false, checkDisabled: false }
  it('is enabled in the desktop app for a run with a model', async () => {
    const tag = tagOf(await render(RunRow, { ...row, webMode: false }), 'run-export')
    expect(tag).not.toContain('disabled')
  })
  it('is disabled in web mode, its tooltip naming the CLI command', async () => {
    const tag = tagOf(await render(RunRow, { ...row, webMode: true }), 'run-export')
    expect(tag).toContain('disabled')
    expect(tag).toContain('npm run cli -- export run-7 &lt;folder&gt; --format onnx')
  })
  it('is disabled for a run without a model', async () => {
    const tag = tagOf(await render(RunRow, { ...row, run: { ...run, status: 'failed' }, webMode: false }), 'run-export')
    expect(tag).toContain('disabled')
  })
})
