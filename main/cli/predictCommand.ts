import type { Command } from 'commander'
import { basename } from 'node:path'
import { MAX_IMAGE_BASE64_LENGTH } from '../../shared/api/schemas'
import { readRegularFile } from '../storage/regularFile'
import { apiCaller, type Fail, type OpenWorkbench } from './apiCall'

/** `predict`: the top classes of an image file with a trained run. */
export function registerPredictCommand(program: Command, open: OpenWorkbench, fail: Fail): void {
  const call = apiCaller(open, fail)
  program
    .command('predict')
    .description('classify an image with a trained run')
    .argument('<runId>', 'a completed run')
    .argument('<image>', 'image file (PNG, JPEG, WebP, GIF, TIFF)')
    .option('--json', 'print JSON')
    .action(async (runId: string, image: string, flags: { json?: boolean }) => {
      // Checked before reading: a FIFO or device given as the image must not hang the command.
      const bytes = await readRegularFile(image, (MAX_IMAGE_BASE64_LENGTH / 4) * 3).catch((error: Error) => fail(`cannot read ${image}: ${error.message}`))
      const prediction = await call<{ top: { label: string; probability: number }[]; preview: { warning?: string } }>('predict.image', {
        runId,
        fileName: basename(image),
        imageBase64: bytes.toString('base64'),
      })
      // On stderr, so that --json output keeps its shape while nobody misses it.
      if (prediction.preview.warning) console.error(`warning: ${basename(image)}: ${prediction.preview.warning}`)
      if (flags.json) return console.log(JSON.stringify(prediction.top))
      for (const entry of prediction.top) console.log(`${entry.label.padEnd(12)} ${(entry.probability * 100).toFixed(1)}%`)
    })
}
