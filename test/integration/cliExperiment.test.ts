import { describe, expect, it } from 'vitest'
import { execFile } from 'node:child_process'
import { mkdtemp, readdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { LESSON_IDS } from '../../shared/lessons/lessonTypes'

const root = join(import.meta.dirname, '..', '..')

function cli(args: string[], dataDir: string, env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'main/cli/cli.ts', '--data-dir', dataDir, ...args], { cwd: root, timeout: 300_000, env: { ...process.env, ...env } }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr })
    })
  })
}

const fraction = (value: unknown) => typeof value === 'number' && value >= 0 && value <= 1

describe('CLI experiment', () => {
  it('lists the lessons in the notes\u2019 order and refuses an unknown one in one line', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'cli-experiment-'))
    const listed = await cli(['experiment', '--list', '--json'], dataDir)
    expect(listed.code).toBe(0)
    expect((JSON.parse(listed.stdout) as { id: string }[]).map((lesson) => lesson.id)).toEqual([...LESSON_IDS])
    const unknown = await cli(['experiment', 'relu'], dataDir)
    expect(unknown.code).toBe(1)
    expect(unknown.stderr.trim()).toMatch(/^error: no lesson "relu": one of sigmoid-vs-relu, /)
  }, 60_000)

  // WORKBENCH_LESSON_CAP trims the three runs to one epoch on 200 images: the shape is checked, not the lesson.
  it('runs the ensemble lesson through the services: three seeded runs, their averaged probabilities evaluated in a worker, JSON last', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'cli-experiment-'))
    const { code, stdout, stderr } = await cli(['experiment', 'ensemble', '--seed', '4', '--json'], dataDir, { WORKBENCH_LESSON_CAP: 'epochs:1,limit:200' })
    expect(stderr).not.toMatch(/\n\s+at /)
    expect(code).toBe(0)
    const result = JSON.parse(stdout.trim().split('\n').at(-1)!)
    expect(Object.keys(result)).toEqual(['experiment', 'seed', 'runs', 'ensemble', 'verdict'])
    expect(result.experiment).toBe('ensemble')
    expect(result.runs.map((run: { label: string }) => run.label)).toEqual(['model 1', 'model 2', 'model 3'])
    for (const [index, run] of (result.runs as Record<string, unknown>[]).entries()) {
      expect(Object.keys(run)).toEqual(['label', 'runId', 'config', 'status', 'testAccuracy', 'trainAccuracy', 'epochs'])
      expect(run).toMatchObject({ status: 'completed', config: { seed: 4 + index, epochs: 1, limit: 200, evaluateTrainSplit: true } })
      expect(fraction(run.testAccuracy) && fraction(run.trainAccuracy)).toBe(true)
      const epochs = run.epochs as Record<string, number>[]
      expect(epochs.map((epoch) => Object.keys(epoch))).toEqual([['epoch', 'trainLoss', 'trainAccuracy', 'testLoss', 'testAccuracy']])
      // The ensemble job measured each member on the same test images as its own training run did.
      expect(result.ensemble.memberTestAccuracies[index]).toBeCloseTo(run.testAccuracy as number, 3)
    }
    expect(fraction(result.ensemble.testAccuracy)).toBe(true)
    // Capped runs are not the lesson's: the verdict says so and claims nothing.
    expect(result.verdict).toMatchObject({ holds: false, reason: 'changed' })
    expect(result.verdict.text).toContain('the model 1, model 2 and model 3 runs have epochs 1 instead of')

    // Ordinary runs, tagged and named after the lesson; the attempt is stored under lessons/.
    const runs = JSON.parse((await cli(['runs', '--json'], dataDir)).stdout) as { tags?: string[]; name?: string }[]
    expect(runs.map((run) => run.tags)).toEqual([['lesson:ensemble'], ['lesson:ensemble'], ['lesson:ensemble']])
    expect(runs.map((run) => run.name).sort()).toEqual(['Model ensembles · model 1', 'Model ensembles · model 2', 'Model ensembles · model 3'])
    expect(await readdir(join(dataDir, 'lessons'))).toHaveLength(1)
  }, 300_000)
})
