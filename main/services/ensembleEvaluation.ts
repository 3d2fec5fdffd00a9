import type { TrainConfig } from '../../shared/api/schemas'
import type { WorkerLauncher } from '../processes/workerLauncher'
import type { RunStore } from '../storage/runStore'
import { runOneShotJob } from '../training/oneShotJob'

/** The settings that decide which test images a member sees and how: every member must share them. */
const DATA_SETTINGS = ['dataset', 'limit', 'validationFraction', 'normalize', 'inputSize', 'shuffle'] as const satisfies readonly (keyof TrainConfig)[]

/**
 * The test accuracy of the runs' averaged probabilities, evaluated in a fresh worker process: this
 * process (the window's main process or the web server) never loads TensorFlow.js or the data set.
 */
export async function evaluateEnsemble(store: RunStore, launchWorker: WorkerLauncher, runIds: string[]): Promise<{ testAccuracy: number; memberTestAccuracies: number[] }> {
  const members = await Promise.all(runIds.map((runId) => store.get(runId)))
  const unfinished = members.find((run) => run.status !== 'completed')
  if (unfinished) throw new Error(`run ${unfinished.runId} is ${unfinished.status}: only completed runs have a model to average`)
  for (const setting of DATA_SETTINGS) {
    const values = new Set(members.map((run) => JSON.stringify(run.config[setting])))
    if (values.size > 1) throw new Error(`the models were trained with different ${setting} settings, so they do not see the same test images`)
  }
  const reply = await runOneShotJob(
    launchWorker,
    { type: 'ensemble', members: members.map((run) => ({ runDir: store.runDir(run.runId), config: run.config })), dataDir: store.root },
    'ensemble',
  )
  return { testAccuracy: reply.testAccuracy, memberTestAccuracies: reply.memberAccuracies }
}
