/**
 * How many of the generated photographed digits (test/helpers/photographedDigits) a trained MNIST run
 * reads correctly, through the same preparation Predict uses, then 0-9 written with a marker at each of
 * MARKER_WIDTHS (the pen's width as a fraction of the digit's height; MNIST's strokes are about 0.13 of
 * theirs), each with its stroke width as measured before the fit, in pixels of MNIST's 20x20 box.
 * A measurement, not a test: its number depends on the run.
 * Usage: tsx test/bench/photographedDigitsAccuracy.ts <runId> [dataDir]
 * (dataDir defaults to WORKBENCH_DATA_DIR or the app's data folder, where `npm run cli -- train` put the run).
 */
import { Predictor } from '../../main/predict/predictor'
import { RunStore } from '../../main/storage/runStore'
import { defaultDataDir } from '../../main/storage/dataDir'
import { fillingDigits, markerDigits, MARKER_WIDTHS, photographedDigits, type DigitImage } from '../helpers/photographedDigits'
import { markerStrokeWidth } from '../helpers/markerStrokeWidth'
import { MNIST_STROKE_WIDTH } from '../../main/predict/strokeWidth'

const [runId, dataDir = defaultDataDir()] = process.argv.slice(2)
if (!runId) {
  console.error('usage: tsx test/bench/photographedDigitsAccuracy.ts <runId> [dataDir]')
  process.exit(1)
}
const predictor = new Predictor(new RunStore(dataDir))

async function read(name: string, images: DigitImage[]): Promise<void> {
  let right = 0
  const wrong: string[] = []
  for (const image of images) {
    const { top } = await predictor.predict(runId, image.fileName, image.bytes, 1)
    if (top[0]!.label === String(image.digit)) right++
    else wrong.push(`${image.fileName} read as ${top[0]!.label}`)
  }
  console.log(`${name}: ${right}/${images.length}${wrong.length ? ` (wrong: ${wrong.join(', ')})` : ''}`)
}

await read('photographed (small/off-centre, shadow, marker near a corner)', await photographedDigits())
await read('filling the image', await fillingDigits())
for (const fraction of MARKER_WIDTHS) {
  const images = await markerDigits(fraction)
  const widths = await Promise.all(images.map((image) => markerStrokeWidth(image.bytes)))
  const median = [...widths].sort((a, b) => a - b)[Math.floor(widths.length / 2)]
  await read(`marker ${Math.round(fraction * 100)}% of the digit's height (stroke ${median.toFixed(1)} px of 20; MNIST's ${MNIST_STROKE_WIDTH})`, images)
}
