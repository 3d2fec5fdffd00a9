import { isGrayPixels, type ImageProfile } from './modelPick'

/** The side images are shrunk to before their colours are read: enough to tell ink on paper from a photo. */
const SAMPLE_SIDE = 48

/** A dropped image's size and greyness, decoded in the page; undefined when the browser cannot decode it. */
export async function profileImage(file: Blob): Promise<ImageProfile | undefined> {
  try {
    const bitmap = await createImageBitmap(file)
    const { width, height } = bitmap
    const scale = Math.min(1, SAMPLE_SIDE / Math.max(width, height))
    const canvas = document.createElement('canvas')
    canvas.width = Math.max(1, Math.round(width * scale))
    canvas.height = Math.max(1, Math.round(height * scale))
    const context = canvas.getContext('2d', { willReadFrequently: true })
    if (!context) return undefined
    context.drawImage(bitmap, 0, 0, canvas.width, canvas.height)
    bitmap.close()
    return { width, height, gray: isGrayPixels(context.getImageData(0, 0, canvas.width, canvas.height).data) }
  } catch {
    return undefined
  }
}

/** The profiles of the images that decode, in at most `limit` of them (a sample says enough). */
export async function profileImages(files: readonly Blob[], limit = 24): Promise<ImageProfile[]> {
  const profiles = await Promise.all(files.slice(0, limit).map(profileImage))
  return profiles.filter((profile): profile is ImageProfile => !!profile)
}
