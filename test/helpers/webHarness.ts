import { mkdtemp, mkdir, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { request } from 'node:http'
import { afterAll, beforeAll } from 'vitest'
import WebSocket from 'ws'
import { createWorkbench, type Workbench } from '../../main/services/workbench'
import { createNodeWorkerLauncher } from '../../main/processes/workerLauncher'
import { startWebServer, type RunningWebServer } from '../../main/web/webServer'

type WorkbenchOptions = Parameters<typeof createWorkbench>[0]

export async function startTestServer(
  rendererDir?: string,
  options: Partial<WorkbenchOptions> = {},
): Promise<{ server: RunningWebServer; workbench: Workbench; dataDir: string }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'workbench-test-'))
  let dir = rendererDir
  if (!dir) {
    dir = join(dataDir, 'renderer')
    await mkdir(dir, { recursive: true })
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>CNN Workbench</title>')
  }
  const workbench = await createWorkbench({ dataDir, launchWorker: createNodeWorkerLauncher(), launchInference: createNodeWorkerLauncher('inferenceWorker'), mode: 'web', ...options })
  const server = await startWebServer({ workbench, rendererDir: dir })
  return { server, workbench, dataDir }
}

/** A minimal WebSocket client speaking the bridge's wire protocol, for tests. */
export async function connectClient(server: RunningWebServer, token = server.token) {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws?token=${token}`)
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve())
    ws.once('error', reject)
  })
  const events: { event: string; payload: unknown }[] = []
  const pending = new Map<number, (result: unknown) => void>()
  ws.on('message', (data) => {
    const message = JSON.parse(data.toString())
    if (message.type === 'event') events.push({ event: message.event, payload: message.payload })
    else pending.get(message.id)?.(message.result)
  })
  let nextId = 1
  return {
    ws,
    events,
    call(method: string, request: unknown): Promise<{ ok: boolean; value?: unknown; error?: { code: string; message: string } }> {
      const id = nextId++
      return new Promise((resolve) => {
        pending.set(id, resolve as (r: unknown) => void)
        ws.send(JSON.stringify({ type: 'call', id, method, request }))
      })
    },
    sendRaw(text: string, id: number): Promise<unknown> {
      return new Promise((resolve) => {
        pending.set(id, resolve)
        ws.send(text)
      })
    },
    close: () => ws.close(),
  }
}

/** A real workbench behind a real web server for the tests of one describe block, closed after them. */
export function useTestServer(
  rendererDir?: string,
  options: () => Partial<WorkbenchOptions> = () => ({}),
): { server: RunningWebServer; workbench: Workbench; dataDir: string } {
  const context = {} as { server: RunningWebServer; workbench: Workbench; dataDir: string }
  beforeAll(async () => {
    Object.assign(context, await startTestServer(rendererDir, options()))
  })
  afterAll(async () => {
    context.workbench?.close()
    await context.server?.close()
  })
  return context
}

export function httpGet(port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      let body = ''
      res.on('data', (chunk) => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

/** Whether a WebSocket handshake to `url` with these headers is accepted. */
export function webSocketOpens(url: string, headers: Record<string, string> = {}): Promise<boolean> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers })
    ws.once('open', () => {
      ws.close()
      resolve(true)
    })
    ws.once('error', () => resolve(false))
  })
}

type TestClient = Awaited<ReturnType<typeof connectClient>>

/**
 * Trains one small lenet-relu run on MNIST per seed, one after another, and returns their ids once each
 * has completed: the trained models the Predict and Inspect end-to-end tests work on.
 */
export async function trainTinyRuns(client: TestClient, { limit, seeds = [1, 2], timeoutMs = 180_000 }: { limit: number; seeds?: number[]; timeoutMs?: number }): Promise<string[]> {
  const runIds: string[] = []
  for (const seed of seeds) {
    const started = await client.call('training.start', { arch: 'lenet-relu', dataset: 'mnist', epochs: 1, batchSize: 64, learningRate: 0.002, limit, seed })
    if (!started.ok) throw new Error(`training.start failed: ${JSON.stringify(started.error)}`)
    const { runId } = started.value as { runId: string }
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const status = ((await client.call('runs.get', { runId })).value as { status: string }).status
      if (status === 'completed') break
      if (status === 'failed' || Date.now() > deadline) throw new Error(`run ${runId} is ${status}, not completed`)
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
    runIds.push(runId)
  }
  return runIds
}
