import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { TrainConfig } from '../../../../shared/api/schemas'
import { getArchitecture } from '../../../../shared/arch/specs'
import { getLesson, LESSONS, lessonRunsForSeed } from '../../../../shared/lessons/lessonCatalog'
import { LESSON_IDS } from '../../../../shared/lessons/lessonTypes'
import { REPO_ROOT } from '../../../helpers/repoRoot'

/** Every leaf of a config as `dotted.path=value`, to see which settings two runs differ in. */
function leaves(value: unknown, prefix = ''): Map<string, string> {
  const out = new Map<string, string>()
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, inner] of Object.entries(value)) for (const [path, leaf] of leaves(inner, prefix ? `${prefix}.${key}` : key)) out.set(path, leaf)
  } else if (value !== undefined) out.set(prefix, JSON.stringify(value))
  return out
}

function differingFields(a: unknown, b: unknown): string[] {
  const [left, right] = [leaves(a), leaves(b)]
  const paths = new Set([...left.keys(), ...right.keys()])
  return [...paths].filter((path) => left.get(path) !== right.get(path)).sort()
}

describe('the lesson catalogue (issue #19)', () => {
  it('has the eleven lessons in the notes\u2019 order, each findable by id', () => {
    expect(LESSONS.map((lesson) => lesson.id)).toEqual([...LESSON_IDS])
    for (const id of LESSON_IDS) expect(getLesson(id)?.id).toBe(id)
    expect(getLesson('no-such-lesson')).toBeUndefined()
  })

  it('every run is a valid config that measures training accuracy in evaluation mode, with labels unique within its lesson', () => {
    for (const lesson of LESSONS) {
      expect(lesson.runs.length, lesson.id).toBeGreaterThanOrEqual(2)
      expect(new Set(lesson.runs.map((run) => run.label)).size, lesson.id).toBe(lesson.runs.length)
      for (const run of lesson.runs) {
        const parsed = TrainConfig.safeParse(run.config)
        expect(parsed.success, `${lesson.id} / ${run.label}: ${parsed.error?.message}`).toBe(true)
        expect(run.config.evaluateTrainSplit, lesson.id).toBe(true)
        expect(() => getArchitecture(run.config.arch, { inputSize: run.config.inputSize, knobs: run.config.knobs })).not.toThrow()
      }
    }
  })

  it('the runs of a lesson differ in exactly its field; the ensemble\u2019s in the seed alone', () => {
    for (const lesson of LESSONS) {
      const [baseline, ...others] = lessonRunsForSeed(lesson, 7)
      for (const other of others) {
        const differs = differingFields(baseline.config, other.config)
        if (lesson.ensemble) expect(differs, lesson.id).toEqual(['seed'])
        else expect(differs.every((path) => path === lesson.field || path.startsWith(`${lesson.field}.`)) && differs.length > 0, `${lesson.id}: ${differs.join(', ')}`).toBe(true)
      }
    }
  })

  it('an attempt\u2019s seed reaches every run; the ensemble\u2019s members get consecutive seeds', () => {
    expect(lessonRunsForSeed(getLesson('dropout')!, 9).map((run) => run.config.seed)).toEqual([9, 9])
    expect(lessonRunsForSeed(getLesson('ensemble')!, 9).map((run) => run.config.seed)).toEqual([9, 10, 11])
  })

  it('has a title, concept, claim, a quote in Chinese with its English, and somewhere to look next', () => {
    for (const lesson of LESSONS) {
      for (const text of [lesson.title, lesson.concept, lesson.claim, lesson.quote.section, lesson.quote.en]) expect(text.trim().length, lesson.id).toBeGreaterThan(3)
      expect(lesson.quote.zh, lesson.id).toMatch(/[\u4e00-\u9fff]/)
      expect(lesson.lookNext.length, lesson.id).toBeGreaterThan(0)
    }
  })

  const seed = join(REPO_ROOT, '..', 'shared', 'seed')
  const notes = existsSync(seed) ? readdirSync(seed).map((file) => readFileSync(join(seed, file), 'utf8')).join('\n') : undefined
  it.skipIf(!notes)('quotes the notes word for word (\u2026\u2026 marks a cut)', () => {
    for (const lesson of LESSONS) {
      for (const part of lesson.quote.zh.split('\u2026\u2026')) expect(notes!.includes(part), `${lesson.id}: ${part}`).toBe(true)
    }
  })
  if (!notes) console.log(`lessonCatalog.test: the notes' word-for-word check is skipped: no course notes in ${seed}`)
})
