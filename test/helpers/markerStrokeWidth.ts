import sharp from 'sharp'
import { inkStrength, keepDigit, polarity } from '../../main/predict/digitInk'
import { measureStrokes, MNIST_FIT } from '../../main/predict/strokeWidth'

/**
 * The stroke width of the digit in an image as drawn, before any thinning, in pixels of MNIST's 20x20 box
 * (the unit of MNIST_STROKE_WIDTH): found and cropped as Predict finds it, measured at the crop's own size.
 */
export async function markerStrokeWidth(bytes: Uint8Array): Promise<number> {
  const { data, info } = await sharp(bytes).grayscale().raw().toBuffer({ resolveWithObject: true })
  const gray = { data: data.subarray(0, info.width * info.height), width: info.width, height: info.height }
  const ink = inkStrength(gray, polarity(gray).darkInk)
  const box = keepDigit(ink, gray.width, gray.height)
  if (!box) return 0
  const crop = new Float32Array(box.width * box.height)
  for (let y = 0; y < box.height; y++) for (let x = 0; x < box.width; x++) crop[y * box.width + x] = ink[(y + box.top) * gray.width + x + box.left]
  return (measureStrokes(crop, box.width, box.height).width * MNIST_FIT) / Math.max(box.width, box.height)
}
