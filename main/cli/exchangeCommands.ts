import { Option, type Command } from 'commander'
import { resolve } from 'node:path'
import { EXPORT_FORMATS, type ExportFormat, type RunSummary } from '../../shared/api/schemas'
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
    .description('write a trained model (with its preprocessing and a reference image) to a folder')
    .argument('<runId>', 'a completed run')
    .argument('<folder>', 'destination folder (created if missing)')
    .addOption(
      new Option('--format <format>', 'tfjs: TensorFlow.js layers (web pages, import); onnx: model.onnx (ONNX Runtime, Netron); pytorch: model.py and weights.npz')
        .choices(EXPORT_FORMATS)
        .default('tfjs'),
    )
    .action(async (runId: string, folder: string, flags: { format: ExportFormat }) => {
      const target = resolve(folder)
      const { mkdir } = await import('node:fs/promises')
      await mkdir(target, { recursive: true })
      const { files, notes } = await call<{ files: string[]; notes: string[] }>('runs.export', { runId, format: flags.format }, target)
      for (const file of files) console.log(file)
      for (const note of notes) console.error(`note: ${note}`)
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
