import type { Command } from 'commander'
import { resolve } from 'node:path'
import type { RunSummary } from '../../shared/api/schemas'
import { dispatchApiCall } from '../services/apiDispatcher'
import type { Workbench } from '../services/workbench'

/** `export` and `import`: a path typed on the command line is the user's choice, so it is granted. */
export function registerExchangeCommands(program: Command, open: () => Promise<Workbench>, fail: (message: string) => never): void {
  const call = async <T>(method: string, request: unknown, folder: string): Promise<T> => {
    const workbench = await open()
    const granted = await workbench.grants.grant(folder, 'command-line').catch((error: Error) => fail(`cannot use ${folder}: ${error.message}`))
    const result = await dispatchApiCall(workbench.handlers, method, { ...(request as object), folder: granted })
    return result.ok ? (result.value as T) : fail(result.error.message)
  }
  program
    .command('export')
    .description('write a trained model (TensorFlow.js layers format, preprocessing, reference image) to a folder')
    .argument('<runId>', 'a completed run')
    .argument('<folder>', 'destination folder (created if missing)')
    .action(async (runId: string, folder: string) => {
      const target = resolve(folder)
      const { mkdir } = await import('node:fs/promises')
      await mkdir(target, { recursive: true })
      const { files } = await call<{ files: string[] }>('runs.export', { runId }, target)
      for (const file of files) console.log(file)
    })
  program
    .command('import')
    .description('add an exported model as a new run, after checking it reproduces its reference output')
    .argument('<folder>', 'a folder written by export')
    .option('--json', 'print JSON')
    .action(async (folder: string, flags: { json?: boolean }) => {
      const run = await call<RunSummary>('runs.import', {}, resolve(folder))
      console.log(flags.json ? JSON.stringify(run) : `imported as run ${run.runId} (${run.config.arch}, ${run.classNames.length} classes)`)
    })
}
