import { Command } from 'commander'
import { fileURLToPath } from 'node:url'
import { registerDataCommand } from './dataCommand'
import { registerDiagnosticCommands } from './diagnosticCommands'
import { registerExchangeCommands } from './exchangeCommands'
import { createWorkbench, type Workbench } from '../services/workbench'
import { defaultDataDir } from '../storage/dataDir'
import { createNodeWorkerLauncher } from '../processes/workerLauncher'
import { registerArchCommand } from './archCommand'
import { registerExperimentCommand } from './experimentCommand'
import { registerPredictCommand } from './predictCommand'
import { registerResumeCommand, registerRunsCommand } from './runsCommands'
import { registerTrainCommand } from './trainCommand'
import { registerWorkersCommand } from './workersCommand'
import { queueUrlFromEnvironment } from '../pool/redisConnection'

/** A failure the user caused or can fix: printed as one line, no stack trace. */
class CliError extends Error {}

export async function runCli(argv = process.argv): Promise<void> {
  let workbench: Workbench | undefined
  const open = async () =>
    (workbench ??= await createWorkbench({
      dataDir: program.opts<{ dataDir: string }>().dataDir,
      queue: program.opts<{ queue?: string }>().queue,
      launchWorker: createNodeWorkerLauncher(),
      launchInference: createNodeWorkerLauncher('inferenceWorker'),
      mode: 'cli',
    }))

  const program = new Command('cnn-workbench')
    .description('CNN Workbench command line: the same services as the desktop app')
    .option('--data-dir <dir>', 'where runs are stored', defaultDataDir())
    .option('--queue <url>', 'a pool of training workers: redis://[:password@]host:port or rediss:// (TLS)', queueUrlFromEnvironment())
    .showHelpAfterError()

  const fail = (message: string): never => {
    throw new CliError(message)
  }
  // In the order `--help` lists them.
  registerArchCommand(program)
  registerTrainCommand(program, open, fail)
  registerDiagnosticCommands(program, open, fail)
  registerExchangeCommands(program, open, fail)
  registerDataCommand(program, open, fail)
  registerExperimentCommand(program, open, fail)
  registerWorkersCommand(program, open, fail)
  registerRunsCommand(program, open, fail)
  registerPredictCommand(program, open, fail)
  registerResumeCommand(program, open, fail)

  try {
    await program.parseAsync(argv)
  } finally {
    await workbench?.close()
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  runCli().catch((error: unknown) => {
    console.error(`error: ${error instanceof Error ? error.message : String(error)}`)
    process.exit(1)
  })
}
