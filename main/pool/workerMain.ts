import { Command, InvalidArgumentError } from 'commander'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { defaultDataDir } from '../storage/dataDir'
import { createNodeWorkerLauncher } from '../processes/workerLauncher'
import { PoolWorker } from './poolWorker'
import { checkRedis, insecureRedisWarning, queueUrlFromEnvironment, redactRedisUrl } from './redisConnection'
import { setLibraryThreads } from '../config/environment'

function wholeNumber(value: string): number {
  const parsed = Number(value)
  if (!Number.isInteger(parsed) || parsed < 1) throw new InvalidArgumentError(`expected a whole number >= 1, got "${value}"`)
  return parsed
}

/** `npm run worker -- --queue redis://host:6379`: a headless training worker of the pool. */
export async function runPoolWorker(argv = process.argv): Promise<void> {
  const options = new Command('worker')
    .description('train runs from a Redis pool queue (BullMQ) for CNN Workbench')
    .requiredOption('--queue <url>', 'the pool: redis://[:password@]host:port, or rediss:// for TLS (default: WORKBENCH_QUEUE, or the file WORKBENCH_QUEUE_FILE names)', queueUrlFromEnvironment())
    .option('--concurrency <n>', 'runs trained side by side', wholeNumber, 1)
    .option('--threads <n>', 'compute threads per run (default: the cores shared between concurrent runs)', wholeNumber)
    .option('--name <name>', 'how the worker is shown (default: host name and process id)')
    .option('--data-dir <dir>', 'scratch folder for runs in training and data set caches', join(defaultDataDir(), 'pool-worker'))
    .option('--lock-ms <ms>', 'how long a silent worker keeps its run before another takes it over', wholeNumber, 30_000)
    .option('--share-reference-samples', "send each run's reference image (one test image) back with its model, also for folder data sets on this machine")
    .showHelpAfterError()
    .parse(argv)
    .opts<{ queue: string; concurrency: number; threads?: number; name?: string; dataDir: string; lockMs: number; shareReferenceSamples?: boolean }>()

  await checkRedis(options.queue)
  const warning = insecureRedisWarning(options.queue)
  if (warning) console.warn(warning)
  if (options.threads) {
    // Inherited by the training processes: BLAS and OpenMP pools stay within the thread share too.
    setLibraryThreads(options.threads)
  }
  const worker = new PoolWorker({
    queueUrl: options.queue,
    concurrency: options.concurrency,
    threads: options.threads,
    dataDir: options.dataDir,
    name: options.name,
    lockMs: options.lockMs,
    shareReferenceSamples: options.shareReferenceSamples,
    // One thread means one: BLAS, OpenMP, our kernels and V8's own background threads all stay on it.
    launchWorker: createNodeWorkerLauncher('trainingWorker', { singleThreaded: options.threads === 1 }),
  })
  await worker.start()
  console.log(`pool worker ${worker.id} takes runs from ${redactRedisUrl(options.queue)} (concurrency ${options.concurrency}${options.threads ? `, ${options.threads} thread(s) each` : ''})`)
  let leaving = false
  const leave = () => {
    if (leaving) return process.exit(130)
    leaving = true
    console.log(`pool worker ${worker.id}: handing its runs back to the queue (Ctrl-C again to quit at once)`)
    void worker.close().then((stranded) => {
      for (const runId of stranded) console.log(`pool worker ${worker.id}: could not hand run ${runId} back (Redis unreachable); another worker takes it over from its last checkpoint once its lock expires`)
      process.exit(0)
    })
  }
  process.on('SIGINT', leave)
  process.on('SIGTERM', leave)
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  runPoolWorker().catch((error: unknown) => {
    console.error(`worker: ${error instanceof Error ? error.message : String(error)}`)
    process.exit(1)
  })
}
