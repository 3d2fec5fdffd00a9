import { Command } from 'commander'
import { BackendChoice, type RunSummary } from '../../shared/api/schemas'
import { runDisplayName } from '../../shared/runNames'
import { DISPLAY_STATUS_INFO, displayStatus } from '../../shared/runOutcome'
import { apiCaller, type Fail, type OpenWorkbench } from './apiCall'

/** `runs`: the stored runs. */
export function registerRunsCommand(program: Command, open: OpenWorkbench, fail: Fail): void {
  const call = apiCaller(open, fail)
  program
    .command('runs')
    .description('list stored runs')
    .option('--json', 'print JSON')
    .action(async (flags: { json?: boolean }) => {
      const runs = await call<RunSummary[]>('runs.list', {})
      if (flags.json) return console.log(JSON.stringify(runs))
      for (const run of runs) {
        const acc = run.result ? `${(run.result.testAccuracy * 100).toFixed(2)}%` : '-'
        console.log(`${run.runId}  ${DISPLAY_STATUS_INFO[displayStatus(run)].word.padEnd(13)} test acc ${acc.padEnd(7)} ${runDisplayName(run)}`)
      }
    })
}

/** `resume`: a run continued from its last checkpoint. */
export function registerResumeCommand(program: Command, open: OpenWorkbench, fail: Fail): void {
  const call = apiCaller(open, fail)
  program
    .command('resume')
    .description('continue a stopped, failed or interrupted run from its last checkpoint')
    .argument('<runId>', 'a run with a checkpoint')
    .addOption(new Command().createOption('--backend <name>', 'continue on this backend rung (e.g. wasm after a lost GPU)').choices(BackendChoice.options))
    .action(async (runId: string, flags: { backend?: string }) => {
      await call('training.resume', { runId, ...(flags.backend ? { backend: flags.backend } : {}) })
      const run = (await (await open()).supervisor.waitFor(runId)) as RunSummary
      if (run.status !== 'completed' && run.status !== 'stopped') fail(`run ${runId} ${run.status}: ${run.error ?? 'no reason given'}`)
      console.log(`run ${runId} ${DISPLAY_STATUS_INFO[displayStatus(run)].word} on backend ${run.backend?.name}; test accuracy ${((run.result?.testAccuracy ?? 0) * 100).toFixed(2)}%`)
    })
}
