import { mkdir, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { LessonAttempt } from '../../shared/lessons/lessonTypes'
import { writeFileAtomic } from '../storage/atomicFile'
import { readRegularFile } from '../storage/regularFile'

/** An attempt file holds a few runs' epochs: anything far larger (or not a regular file) is not one. */
const MAX_ATTEMPT_BYTES = 4 * 2 ** 20

/**
 * One JSON file per lesson attempt under the data folder's `lessons/`, replaced atomically (write to a
 * temporary file, then rename), so a crash leaves the previous version, never a torn one.
 */
export class LessonAttemptStore {
  constructor(private readonly root: string) {}

  private folder(): string {
    return join(this.root, 'lessons')
  }

  async save(attempt: LessonAttempt): Promise<void> {
    // The id becomes a file name: checked against the schema's narrow alphabet first.
    const attemptId = LessonAttempt.shape.attemptId.parse(attempt.attemptId)
    await writeFileAtomic(join(this.folder(), `${attemptId}.json`), JSON.stringify(attempt, null, 2))
  }

  /** Every readable attempt; a damaged or foreign file is skipped rather than hiding the others. */
  async list(): Promise<LessonAttempt[]> {
    await mkdir(this.folder(), { recursive: true })
    const attempts: LessonAttempt[] = []
    for (const name of await readdir(this.folder())) {
      if (!name.endsWith('.json')) continue
      try {
        const parsed = LessonAttempt.safeParse(JSON.parse((await readRegularFile(join(this.folder(), name), MAX_ATTEMPT_BYTES)).toString('utf8')))
        if (parsed.success && `${parsed.data.attemptId}.json` === name) attempts.push(parsed.data)
      } catch {
        // unreadable: skipped
      }
    }
    return attempts
  }
}
