/**
 * How many of the generated photographed digits (test/helpers/photographedDigits) a trained MNIST run
 * reads correctly, through the same preparation Predict uses. A measurement, not a test: its number
 * depends on the run. Usage: tsx test/bench/photographedDigitsAccuracy.ts <runId> [dataDir]
 * (dataDir defaults to WORKBENCH_DATA_DIR or the app's data folder).
 */
import { Predictor } from '../../main/predict/predictor'
import { RunStore } from '../../main/storage/runStore'
import { defaultDataDir } from '../../main/storage/dataDir'
import { fillingDigits, photographedDigits } from '../helpers/photographedDigits'

const [runId, dataDir = defaultDataDir()] = process.argv.slice(2)
if (!runId) {
  console.error('usage: tsx test/bench/photographedDigitsAccuracy.ts <runId> [dataDir]')
  process.exit(1)
}
const predictor = new Predictor(new RunStore(dataDir))
for (const [name, images] of [
  ['photographed (small/off-centre, shadow, marker near a corner)', await photographedDigits()],
  ['filling the image', await fillingDigits()],
] as const) {
  let right = 0
  const wrong: string[] = []
  for (const image of images) {
    const { top } = await predictor.predict(runId, image.fileName, image.bytes, 1)
    if (top[0]!.label === String(image.digit)) right++
    else wrong.push(`${image.fileName} read as ${top[0]!.label}`)
  }
  console.log(`${name}: ${right}/${images.length}${wrong.length ? ` (wrong: ${wrong.join(', ')})` : ''}`)
}
