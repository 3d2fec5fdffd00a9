/** A small image as the API sends it: 0-255 values, row-major, channels interleaved (1 = gray, 3 = RGB). */
export interface PixelImage {
  width: number
  height: number
  channels?: number
  pixels: readonly number[]
}

/** Draws the image at its own resolution; CSS scales the canvas up (`image-rendering: pixelated`). */
export function drawPixels(canvas: HTMLCanvasElement | undefined, image: PixelImage): void {
  const context = canvas?.getContext('2d')
  if (!canvas || !context) return
  const { width, height, pixels } = image
  const channels = image.channels ?? 1
  canvas.width = width
  canvas.height = height
  const data = context.createImageData(width, height)
  for (let i = 0; i < width * height; i++) {
    for (let c = 0; c < 3; c++) data.data[i * 4 + c] = pixels[i * channels + (channels >= 3 ? c : 0)] ?? 0
    data.data[i * 4 + 3] = 255
  }
  context.putImageData(data, 0, 0)
}
