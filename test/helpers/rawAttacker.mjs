// A separate process that sends raw WebSocket messages to the web bridge and prints each answer as a JSON
// line: the attacker's own work (building and masking megabytes) must not run on the server's event loop.
// Usage: node rawAttacker.mjs <ws-url> <kind>...   kinds: keys (16 MB, 1.3M keys), pixels (13 MB of arrays)
import WebSocket from 'ws'

const [url, ...kinds] = process.argv.slice(2)
const keysMessage = (id) => {
  const keys = []
  for (let i = 0; i < 1_300_000; i++) keys.push(`"k${i}":0`)
  return `{"type":"call","id":${id},"method":"predict.image","request":{"runId":"no-such-run","fileName":"a.png","imageBase64":"AAAA",${keys.join(',')}}}`
}
const pixelsMessage = (id) => {
  const row = `[${new Array(28).fill(255).join(',')}]`
  const image = `[${new Array(28).fill(row).join(',')}]`
  return `{"type":"call","id":${id},"method":"predict.image","request":{"runId":"no-such-run","fileName":"a.png","imageBase64":"AAAA","pixels":[${new Array(4_000).fill(image).join(',')}]}}`
}
const messages = kinds.map((kind, index) => (kind === 'keys' ? keysMessage : pixelsMessage)(101 + index))
const ws = new WebSocket(url)
let answered = 0
ws.on('open', () => {
  console.log(JSON.stringify({ ready: true, sizes: messages.map((text) => text.length) }))
  for (const text of messages) ws.send(text)
})
ws.on('message', (data) => {
  const message = JSON.parse(data.toString())
  if (message.type !== 'result') return
  console.log(JSON.stringify(message))
  if (++answered === messages.length) ws.close()
})
ws.on('error', (error) => {
  console.error(error.message)
  process.exit(1)
})
