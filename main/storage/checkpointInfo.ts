import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { z } from 'zod'

/** What `checkpoint.json` in a run folder says about the last complete checkpoint. */
export const CheckpointInfo = z.object({
  epoch: z.number().int().min(1),
  samplesSeen: z.number().int().nonnegative(),
  bestValidationLoss: z.number().optional(),
  epochsWithoutImprovement: z.number().int().nonnegative(),
  folder: z.string().regex(/^checkpoints\/epoch-\d+$/),
  /** Wall-clock seconds since the run first started training, and seconds spent training batches, at this checkpoint: a resumed run continues both. */
  wallSeconds: z.number().nonnegative().optional(),
  trainSeconds: z.number().nonnegative().optional(),
  /** Mixed precision: the dynamic loss scale reached, which a resumed run starts from. */
  lossScale: z.number().positive().optional(),
  savedAt: z.string(),
})
export type CheckpointInfo = z.infer<typeof CheckpointInfo>

export const CHECKPOINT_POINTER = 'checkpoint.json'

export async function readCheckpointInfo(runDir: string): Promise<CheckpointInfo | undefined> {
  let text: string
  try {
    text = await readFile(join(runDir, CHECKPOINT_POINTER), 'utf8')
  } catch {
    return undefined
  }
  try {
    const parsed = CheckpointInfo.safeParse(JSON.parse(text))
    return parsed.success ? parsed.data : undefined
  } catch {
    return undefined
  }
}
