import sharp from 'sharp'
import type { Page } from 'playwright-core'

/** A dark "1" on a light 80x80 background, as a PNG: an image a digit model has something to say about. */
export async function digitPng(): Promise<Buffer> {
  const pixels = Buffer.alloc(80 * 80, 245)
  for (let y = 12; y < 68; y++) for (let x = 36; x < 44; x++) pixels[y * 80 + x] = 15
  return sharp(pixels, { raw: { width: 80, height: 80, channels: 1 } }).png().toBuffer()
}

/** Drops files on the page's drop zone, as a user dragging them from the desktop would. */
export async function dropFiles(page: Page, files: { name: string; bytes: Buffer; type: string }[]): Promise<void> {
  const dataTransfer = await page.evaluateHandle((list) => {
    const transfer = new DataTransfer()
    for (const { name, base64, type } of list) transfer.items.add(new File([Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))], name, { type }))
    return transfer
  }, files.map((f) => ({ name: f.name, base64: f.bytes.toString('base64'), type: f.type })))
  await page.dispatchEvent('[data-testid=drop-zone]', 'dragover', { dataTransfer })
  await page.dispatchEvent('[data-testid=drop-zone]', 'drop', { dataTransfer })
}

/** Ticks exactly these runs in Predict's model list (and unticks the rest), as a user would. */
export async function chooseModels(page: Page, runIds: readonly string[]): Promise<void> {
  const choices = page.getByTestId('run-select').getByTestId('run-choice')
  for (let i = 0; i < (await choices.count()); i++) {
    const choice = choices.nth(i)
    const wanted = runIds.includes((await choice.getAttribute('data-run-id')) ?? '')
    await choice.locator('input').setChecked(wanted)
  }
}
