import { describe, expect, it } from 'vitest'
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { DatasetId, TrainConfig } from '../../shared/api/schemas'
import { describeValidationError } from '../../shared/api/contract'
import { dispatchApiCall } from '../../main/services/apiDispatcher'
import { createWorkbench } from '../../main/services/workbench'
import { scanFolder } from '../../main/data/folder/folderScan'
import { toModelInput } from '../../main/predict/modelInput'
import { fakeWorkerLauncher } from '../helpers/fakeWorker'

const SVG = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="28" height="28"><rect width="28" height="28" fill="#fff"/><circle cx="14" cy="14" r="6"/></svg>')

describe('one policy for inputs', () => {
  it('a relative folder path is refused at validation, saying why', async () => {
    const refused = DatasetId.safeParse('folder:pictures/cats')
    expect(refused.success).toBe(false)
    expect(describeValidationError(refused.error!)).toMatch(/a folder data set needs an absolute path/)
    for (const relative of ['folder:./cats', 'folder:../cats', 'folder:cats']) expect(DatasetId.safeParse(relative).success, relative).toBe(false)
    for (const absolute of ['folder:/home/me/cats', 'folder:C:\\Users\\me\\cats', 'folder:D:/cats', 'folder:\\\\server\\share\\cats', 'mnist']) expect(DatasetId.safeParse(absolute).success, absolute).toBe(true)
    const workbench = await createWorkbench({ dataDir: await mkdtemp(join(tmpdir(), 'relative-')), launchWorker: fakeWorkerLauncher().launch, mode: 'web' })
    const config = { ...TrainConfig.parse({ arch: 'lenet-relu', dataset: 'mnist', epochs: 1, batchSize: 8, learningRate: 0.1 }), dataset: 'folder:pictures' }
    for (const [method, request] of [['training.start', config], ['data.describe', { dataset: 'folder:pictures' }]] as const) {
      const result = await dispatchApiCall(workbench.handlers, method, request)
      expect(result, method).toMatchObject({ ok: false, error: { code: 'invalid-request' } })
      expect(result.ok ? '' : result.error.message, method).toMatch(/needs an absolute path/)
    }
    workbench.close()
  })

  it('SVG is refused by Predict as it is by folder data sets', async () => {
    for (const [dataset, shape] of [['mnist', [28, 28, 1]], ['cifar10', [32, 32, 3]], ['folder:/x', [16, 16, 3]]] as const) {
      await expect(toModelInput(SVG, 'drawing.svg', dataset, [...shape]), dataset).rejects.toThrow(/^drawing\.svg is not an image that can be read \(SVG is not supported, as in folder data sets/)
    }
    // Named like a PNG, an SVG inside is still refused: the content decides, as in a data set.
    await expect(toModelInput(SVG, 'drawing.png', 'cifar10', [32, 32, 3])).rejects.toThrow(/SVG is not supported/)
    const root = await mkdtemp(join(tmpdir(), 'svg-policy-'))
    for (const name of ['a', 'b']) {
      await mkdir(join(root, name))
      await sharp({ create: { width: 8, height: 8, channels: 3, background: '#808080' } }).png().toFile(join(root, name, 'ok.png'))
    }
    await writeFile(join(root, 'a', 'drawing.svg'), SVG)
    const scan = await scanFolder(root)
    expect(scan.skipped.find((s) => s.file === 'a/drawing.svg')?.reason).toBe('not a raster image (SVG is not supported)')
    // A real PNG still predicts.
    const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#808080' } }).png().toBuffer()
    expect((await toModelInput(png, 'ok.png', 'cifar10', [32, 32, 3])).pixels).toHaveLength(32 * 32 * 3)
  })
})
