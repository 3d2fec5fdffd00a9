import { describe, expect, it } from 'vitest'
import { EXPORT_FORMATS, TrainConfig, type RunSummary } from '../../../../shared/api/schemas'
import { EXPORT_FORMAT_CHOICES, EXPORT_WEB_HINT, canExport, exportBlockedReason, exportCliCommand } from '../../../../renderer/src/logic/runExport'

const run = (status: RunSummary['status']): RunSummary => ({
  runId: 'run-7',
  config: TrainConfig.parse({ arch: 'lenet5', dataset: 'mnist', epochs: 1, batchSize: 32, learningRate: 0.1 }),
  status,
  createdAt: '2024-01-01T00:00:00.000Z',
  classNames: [],
})

describe('export choices', () => {
  it('offers every format of the schema, in its order, each with a name and a use', () => {
    expect(EXPORT_FORMAT_CHOICES.map((choice) => choice.format)).toEqual([...EXPORT_FORMATS])
    expect(EXPORT_FORMAT_CHOICES.map((choice) => choice.label)).toEqual(['TensorFlow.js', 'ONNX', 'PyTorch'])
    expect(EXPORT_FORMAT_CHOICES.find((choice) => choice.format === 'onnx')!.purpose).toMatch(/ONNX Runtime.*Netron.*deploy/)
    expect(EXPORT_FORMAT_CHOICES.find((choice) => choice.format === 'pytorch')!.purpose).toMatch(/model\.py.*weights\.npz/)
    expect(EXPORT_FORMAT_CHOICES.find((choice) => choice.format === 'tfjs')!.purpose).toMatch(/web page.*import/)
  })
})

describe('when Export can be used', () => {
  it('needs a trained model', () => {
    expect(canExport(run('completed'))).toBe(true)
    expect(canExport(run('running'))).toBe(false)
    expect(exportBlockedReason(run('failed'), false)).toMatch(/no trained model/)
  })
  it('is open in the desktop app and points to the CLI in web mode', () => {
    expect(exportBlockedReason(run('completed'), false)).toBeUndefined()
    expect(exportBlockedReason(run('completed'), true)).toBe('Export needs the desktop app, or run: npm run cli -- export run-7 <folder> --format onnx')
  })
  it('writes the CLI command the README documents', () => {
    expect(exportCliCommand('run-7', 'pytorch')).toBe('npm run cli -- export run-7 <folder> --format pytorch')
    expect(EXPORT_WEB_HINT).toBe('Export needs the desktop app; in a terminal: npm run cli -- export <runId> <folder> --format onnx')
  })
})
