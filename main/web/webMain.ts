import { Command } from 'commander'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { createWorkbench } from '../services/workbench'
import { createNodeWorkerLauncher } from '../processes/workerLauncher'
import { defaultDataDir } from '../storage/dataDir'
import { startWebServer } from './webServer'
import { queueUrlFromEnvironment } from '../pool/redisConnection'

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1'])

/** `npm run web`: the workbench UI served to a browser, for headless GPU boxes and where Electron is missing. */
export async function runWebMode(argv = process.argv): Promise<void> {
  const options = new Command('web')
    .option('--host <host>', 'interface to listen on (default loopback only)', '127.0.0.1')
    .option('--port <port>', 'port (0 picks a free one)', '0')
    .option('--data-dir <dir>', 'where runs are stored', defaultDataDir())
    .option('--allow-host <name...>', 'DNS names browsers may use to reach this server (with --host)')
    .option('--queue <url>', 'a pool of training workers: redis://[:password@]host:port or rediss:// (TLS)', queueUrlFromEnvironment())
    .option('--renderer-dir <dir>', 'the built UI to serve', fileURLToPath(new URL('../../out/renderer', import.meta.url)))
    .parse(argv)
    .opts<{ host: string; port: string; dataDir: string; allowHost?: string[]; rendererDir: string; queue?: string }>()
  const rendererDir = options.rendererDir
  if (!existsSync(rendererDir)) {
    console.error(`The UI is not built (${rendererDir} is missing): run "npm run build" first.`)
    process.exit(1)
  }
  if (!LOOPBACK_HOSTS.has(options.host)) {
    console.warn(
      `WARNING: listening on ${options.host}, not only on this machine: anyone on that network who learns the token can train and read runs. ` +
        'The connection is plain HTTP; prefer an SSH tunnel (ssh -L) to a loopback-only server.',
    )
  }
  const workbench = await createWorkbench({ dataDir: options.dataDir, launchWorker: createNodeWorkerLauncher(), launchInference: createNodeWorkerLauncher('inferenceWorker'), mode: 'web', queue: options.queue })
  const server = await startWebServer({ workbench, rendererDir, host: options.host, port: Number(options.port), allowedHostnames: options.allowHost })
  console.log(`CNN Workbench is serving its UI at ${server.url}`)
  const shutdown = () => {
    void Promise.all([workbench.close(), server.close()]).finally(() => process.exit(0))
  }
  process.on('SIGINT', shutdown)
  process.on('SIGTERM', shutdown)
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  runWebMode().catch((error: unknown) => {
    console.error(`web mode failed to start: ${(error as Error).message}`)
    process.exit(1)
  })
}
