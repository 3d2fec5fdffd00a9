import { mkdtemp, mkdir, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import WebSocket from 'ws'
import { createWorkbench, type Workbench } from '../../main/services/workbench'
import { createNodeWorkerLauncher } from '../../main/training/workerLauncher'
import { startWebServer, type RunningWebServer } from '../../main/web/webServer'

export async function startTestServer(rendererDir?: string): Promise<{ server: RunningWebServer; workbench: Workbench; dataDir: string }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'workbench-test-'))
  let dir = rendererDir
  if (!dir) {
    dir = join(dataDir, 'renderer')
    await mkdir(dir, { recursive: true })
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>CNN Workbench</title>')
  }
  const workbench = await createWorkbench({ dataDir, launchWorker: createNodeWorkerLauncher(), mode: 'web' })
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
