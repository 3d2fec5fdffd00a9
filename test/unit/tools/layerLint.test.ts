import { describe, expect, it } from 'vitest'
import { ESLint } from 'eslint'
import { resolve } from 'node:path'
import { REPO_ROOT } from '../../helpers/repoRoot'

/**
 * eslint.config.js holds main/'s stack import by import: a folder imports only lower rows of
 * main/layers.json, `electron` only in main/electron/, no TensorFlow.js in main/services/. Each rule is
 * shown to fire on a file that breaks it, and to stay quiet on the same import where it is allowed.
 */
const root = REPO_ROOT
const eslint = new ESLint({ cwd: root })

async function restrictedImports(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: resolve(root, filePath) })
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message)
}

describe('eslint zones of main/', () => {
  it('refuses an import from a higher folder, and allows the same folder importing downwards', async () => {
    expect(await restrictedImports('main/data/newFile.ts', "import { RunStore } from '../services/runStore'\nexport { RunStore }\n")).toEqual([
      expect.stringContaining('main/data sits below'),
    ])
    expect(await restrictedImports('main/predict/newFile.ts', "import { launch } from '../training/trainingJob'\nexport { launch }\n")).toHaveLength(1)
    expect(await restrictedImports('main/services/newFile.ts', "import { RunStore } from '../storage/runStore'\nexport { RunStore }\n")).toEqual([])
  }, 60_000)

  it('keeps electron in main/electron/ and TensorFlow.js out of main/services/', async () => {
    const electron = "import { app } from 'electron'\nexport { app }\n"
    expect(await restrictedImports('main/web/newFile.ts', electron)).toEqual([expect.stringContaining('main/electron/ only')])
    expect(await restrictedImports('main/electron/newFile.ts', electron)).toEqual([])
    const tfjs = "import * as tf from '@tensorflow/tfjs-core'\nexport { tf }\n"
    expect(await restrictedImports('main/services/newFile.ts', tfjs)).toEqual([expect.stringContaining('worker process')])
    expect(await restrictedImports('main/predict/newFile.ts', tfjs)).toEqual([])
  }, 60_000)
})
