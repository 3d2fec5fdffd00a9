import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { getCanonicalArchitecture, type ArchitectureId } from '../../../../shared/arch/specs'
import { pytorchNetwork, pytorchShapeScript } from '../../../../shared/exchange/pytorchCode'
import { PYTORCH_REFERENCE } from '../../../helpers/notesReference'
import { findPython } from '../../../helpers/python'

const torchPython = findPython(['torch'])
if ('missing' in torchPython) console.warn(`skipping the comparison with the notes' PyTorch code: ${torchPython.missing}`)
const NOTES_SCRIPT = fileURLToPath(new URL('../../fixtures/notes_networks.py', import.meta.url))
/** The networks the notes have code for (lenet-relu: their exercise 2, LeNet with ReLU and max pooling). */
const NOTES_NETWORKS: ArchitectureId[] = ['lenet5', 'lenet-relu', 'alexnet', 'vgg11', 'vgg13', 'vgg16', 'vgg19', 'googlenet', 'resnet18']

interface Described {
  layers: string[]
  parameters: number
}

describe('PyTorch code in the notes\u2019 style', () => {
  it('writes LeNet-5 as the notes\u2019 nn.Sequential, line for line', () => {
    const { code, modulePaths } = pytorchNetwork(getCanonicalArchitecture('lenet5'))
    expect(code).toContain(['    nn.Conv2d(1, 6, kernel_size=5, padding=2),', '    nn.Sigmoid(),', '    nn.AvgPool2d(kernel_size=2, stride=2),'].join('\n'))
    expect(code).toContain('    nn.Linear(400, 120),')
    expect([...modulePaths]).toEqual([
      ['conv1', '0'],
      ['conv2', '3'],
      ['dense1', '7'],
      ['dense2', '9'],
      ['dense3', '11'],
    ])
    expect(pytorchShapeScript(getCanonicalArchitecture('lenet5'))).toContain('X = torch.rand(size=(1, 1, 28, 28))')
  })

  describe.skipIf('missing' in torchPython)('against the notes\u2019 code', () => {
    let folder: string
    const results = new Map<string, { notes: Described; generated: Described }>()
    beforeAll(async () => {
      folder = await mkdtemp(join(tmpdir(), 'pytorch-code-'))
      const pairs: [ArchitectureId, string][] = []
      for (const id of NOTES_NETWORKS) {
        const file = join(folder, `${id}.py`)
        await writeFile(file, pytorchNetwork(getCanonicalArchitecture(id)).code)
        pairs.push([id, file])
      }
      const python = (torchPython as { python: string }).python
      const { stdout } = await promisify(execFile)(python, [NOTES_SCRIPT, JSON.stringify(pairs)], { timeout: 170_000, maxBuffer: 8 << 20 })
      for (const line of stdout.trim().split('\n')) {
        const result = JSON.parse(line) as { arch: string; notes: Described; generated: Described }
        results.set(result.arch, result)
      }
    }, 180_000)
    afterAll(() => rm(folder, { recursive: true, force: true }))

    it.each(NOTES_NETWORKS)('%s: the same layers in the same order, and the notes\u2019 parameter count', (id) => {
      const result = results.get(id)!
      expect(result.generated.layers).toEqual(result.notes.layers)
      expect(result.generated.parameters).toBe(PYTORCH_REFERENCE[id].params)
      expect(result.notes.parameters).toBe(PYTORCH_REFERENCE[id].params)
    })
  })
})
