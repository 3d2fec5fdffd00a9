/**
 * The desktop path of the Runs view's export dialog, which Electron's missing binary keeps from an e2e
 * test: the composable with a stub API standing in for the main process.
 */
import { describe, expect, it, vi } from 'vitest'
import type { WorkbenchApi } from '../../../../shared/api/contract'
import { useRunExport } from '../../../../renderer/src/composables/useRunExport'

function stubApi(answers: Record<string, (request: unknown) => unknown>) {
  const call = vi.fn(async (method: string, request: unknown) => {
    const answer = answers[method]
    if (!answer) throw new Error(`unexpected call ${method}`)
    return answer(request)
  })
  return { api: { call, on: vi.fn() } as unknown as WorkbenchApi, call }
}

describe('useRunExport', () => {
  it('asks for a folder, then exports there in the chosen format', async () => {
    const { api, call } = stubApi({
      'files.chooseFolder': () => ({ path: '/home/me/out' }),
      'runs.export': () => ({ files: ['model.onnx', 'preprocessing.json'], notes: ['LRN maps to the ONNX LRN operator.'] }),
    })
    const exporter = useRunExport(api)
    await exporter.chooseFolderAndExport('run-7', 'onnx')
    expect(call.mock.calls.map(([method]) => method)).toEqual(['files.chooseFolder', 'runs.export'])
    expect(call.mock.calls[1]![1]).toEqual({ runId: 'run-7', folder: '/home/me/out', format: 'onnx' })
    expect(exporter.outcome.value).toEqual({ folder: '/home/me/out', files: ['model.onnx', 'preprocessing.json'], notes: ['LRN maps to the ONNX LRN operator.'] })
    expect([exporter.busy.value, exporter.error.value]).toEqual([false, null])
  })
  it('does nothing when the folder picker is cancelled', async () => {
    const { api, call } = stubApi({ 'files.chooseFolder': () => ({ path: null }) })
    const exporter = useRunExport(api)
    await exporter.chooseFolderAndExport('run-7', 'tfjs')
    expect(call).toHaveBeenCalledTimes(1)
    expect([exporter.outcome.value, exporter.error.value]).toEqual([null, null])
  })
  it('keeps a refusal as one line, no stack', async () => {
    const { api } = stubApi({
      'files.chooseFolder': () => ({ path: '/ro' }),
      'runs.export': () => {
        throw new Error('The folder /ro is not writable')
      },
    })
    const exporter = useRunExport(api)
    await exporter.chooseFolderAndExport('run-7', 'pytorch')
    expect(exporter.error.value).toBe('The folder /ro is not writable')
    expect(exporter.outcome.value).toBeNull()
    exporter.reset()
    expect(exporter.error.value).toBeNull()
  })
  it('reads web mode from system.info', async () => {
    const web = useRunExport(stubApi({ 'system.info': () => ({ mode: 'web' }) }).api)
    await web.loadMode()
    expect(web.webMode.value).toBe(true)
    const desktop = useRunExport(stubApi({ 'system.info': () => ({ mode: 'electron' }) }).api)
    await desktop.loadMode()
    expect(desktop.webMode.value).toBe(false)
  })
})
