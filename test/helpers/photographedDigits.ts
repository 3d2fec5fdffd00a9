import sharp from 'sharp'
// The data pipeline's mulberry32: every run of the tests draws the same pages.
import { createRandom } from '../../main/data/pipeline/seededRandom'

/**
 * Digits as a user photographs or scans them, generated reproducibly (no photos ship with the repo):
 * printed glyphs in the fonts every Debian box has (DejaVu, via fontconfig), then placed the ways that
 * defeat a naive "stretch the page to 28x28": small and off-centre on a page, under a shadow gradient,
 * written with a thick marker near a corner. JPEG at the end, as a phone would save them.
 */
export interface DigitImage {
  digit: number
  /** e.g. `7_shadow.jpg`: the true label first, as users name their files. */
  fileName: string
  kind: 'small-off-centre' | 'shadow' | 'marker-corner' | 'filling' | 'marker-width'
  bytes: Buffer
}

/** A felt-tip's letters: the thinnest DejaVu, so the pen's stroke (not the font's) sets the width. */
const PEN_FONT = { family: 'DejaVu Sans', weight: '200', style: 'normal' } as const
/** DejaVu's digits stand this fraction of the font size tall. */
const DIGIT_HEIGHT = 0.73

const FONTS = [
  { family: 'DejaVu Sans', weight: 'normal', style: 'normal' },
  { family: 'DejaVu Serif', weight: 'normal', style: 'normal' },
  { family: 'DejaVu Sans', weight: 'bold', style: 'normal' },
  { family: 'DejaVu Sans Mono', weight: 'normal', style: 'normal' },
  { family: 'DejaVu Sans', weight: 'normal', style: 'oblique' },
] as const

interface Glyph {
  digit: number
  font: (typeof FONTS)[number] | typeof PEN_FONT
  /** Glyph height in page pixels (font size; digits are ~0.73 of it). */
  size: number
  /** Baseline-left anchor of the glyph on the page. */
  x: number
  y: number
  /** Extra outline width: a marker's thick stroke. */
  strokeWidth?: number
}

/** A white page with one dark digit, as 8-bit gray pixels. */
async function renderPage(width: number, height: number, glyph: Glyph, paper = 238, ink = 28): Promise<Uint8Array> {
  const { font } = glyph
  const stroke = glyph.strokeWidth ? ` stroke="rgb(${ink},${ink},${ink})" stroke-width="${glyph.strokeWidth}" stroke-linejoin="round"` : ''
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <rect width="100%" height="100%" fill="rgb(${paper},${paper},${paper})"/>
    <text x="${glyph.x}" y="${glyph.y}" font-family="${font.family}" font-weight="${font.weight}" font-style="${font.style}"
      font-size="${glyph.size}" fill="rgb(${ink},${ink},${ink})"${stroke}>${glyph.digit}</text>
  </svg>`
  return sharp(Buffer.from(svg)).grayscale().raw().toBuffer()
}

async function toJpeg(pixels: Uint8Array, width: number, height: number, quality: number): Promise<Buffer> {
  return sharp(Buffer.from(pixels), { raw: { width, height, channels: 1 } }).jpeg({ quality }).toBuffer()
}

function addNoise(pixels: Uint8Array, random: () => number, amplitude: number): void {
  for (let i = 0; i < pixels.length; i++) pixels[i] = Math.max(0, Math.min(255, Math.round(pixels[i] + (random() - 0.5) * 2 * amplitude)))
}

/** 10 small digits somewhere off-centre on a 400x300 page, as a phone shot of a sheet with one digit on it. */
async function smallOffCentre(digit: number, random: () => number): Promise<DigitImage> {
  const width = 400
  const height = 300
  const size = 44 + Math.round(random() * 16)
  // Keep clear of the centre: one of the four quadrants, away from the page edge.
  const right = random() < 0.5
  const bottom = random() < 0.5
  const x = (right ? 250 : 40) + Math.round(random() * 60)
  const y = (bottom ? 210 : 70) + Math.round(random() * 40)
  const pixels = await renderPage(width, height, { digit, font: FONTS[digit % FONTS.length], size, x, y })
  addNoise(pixels, random, 6)
  return { digit, fileName: `${digit}_small.jpg`, kind: 'small-off-centre', bytes: await toJpeg(pixels, width, height, 75) }
}

/** A mid-sized digit with the shadow of a hand or phone darkening one side of the page to about a third. */
async function underShadow(digit: number, random: () => number): Promise<DigitImage> {
  const width = 300
  const height = 300
  const size = 110 + Math.round(random() * 30)
  const x = 70 + Math.round(random() * 90)
  const y = 150 + Math.round(random() * 80)
  const pixels = await renderPage(width, height, { digit, font: FONTS[(digit + 2) % FONTS.length], size, x, y })
  const angle = random() * Math.PI * 2
  const [dx, dy] = [Math.cos(angle), Math.sin(angle)]
  const darkest = 0.3 + random() * 0.1
  for (let py = 0; py < height; py++) {
    for (let px = 0; px < width; px++) {
      // 0 on the lit side, 1 on the shadowed side, along a random direction.
      const t = Math.min(1, Math.max(0, ((px - width / 2) * dx + (py - height / 2) * dy) / (width * 0.6) + 0.5))
      pixels[py * width + px] = Math.round(pixels[py * width + px] * (1 - (1 - darkest) * t))
    }
  }
  addNoise(pixels, random, 5)
  return { digit, fileName: `${digit}_shadow.jpg`, kind: 'shadow', bytes: await toJpeg(pixels, width, height, 70) }
}

/** A digit in thick marker near one corner of the page, with a mild light fall-off. */
async function markerNearCorner(digit: number, random: () => number): Promise<DigitImage> {
  const width = 320
  const height = 320
  const size = 90 + Math.round(random() * 20)
  const corner = Math.floor(random() * 4)
  const x = corner % 2 === 0 ? 14 + Math.round(random() * 16) : width - size * 0.75 - 14 - Math.round(random() * 16)
  const y = corner < 2 ? size * 0.8 + 14 + Math.round(random() * 12) : height - 18 - Math.round(random() * 12)
  const pixels = await renderPage(width, height, { digit, font: FONTS[(digit + 1) % FONTS.length], size, x, y, strokeWidth: 4 + Math.round(random() * 2) }, 225, 20)
  for (let py = 0; py < height; py++) {
    for (let px = 0; px < width; px++) {
      const r = Math.hypot(px - width / 2, py - height / 2) / (width * 0.7)
      pixels[py * width + px] = Math.round(pixels[py * width + px] * (1 - 0.25 * r))
    }
  }
  addNoise(pixels, random, 6)
  return { digit, fileName: `${digit}_marker.jpg`, kind: 'marker-corner', bytes: await toJpeg(pixels, width, height, 70) }
}

/**
 * A digit written with a marker whose pen is `penFraction` of the digit's height wide (MNIST's strokes are
 * about 0.13 of theirs), somewhere on a 320x320 page under a mild light fall-off, saved as a JPEG.
 */
async function markerOfWidth(digit: number, penFraction: number, random: () => number): Promise<DigitImage> {
  const width = 320
  const height = 320
  const size = 120 + Math.round(random() * 40)
  const x = 40 + Math.round(random() * (width - 80 - size * 0.65))
  const y = size * DIGIT_HEIGHT + 40 + Math.round(random() * (height - 80 - size * DIGIT_HEIGHT))
  const strokeWidth = penFraction * size * DIGIT_HEIGHT
  const pixels = await renderPage(width, height, { digit, font: PEN_FONT, size, x, y, strokeWidth }, 230, 25)
  for (let py = 0; py < height; py++) {
    for (let px = 0; px < width; px++) pixels[py * width + px] = Math.round(pixels[py * width + px] * (1 - 0.2 * (Math.hypot(px - width / 2, py - height / 2) / (width * 0.7))))
  }
  addNoise(pixels, random, 5)
  const percent = Math.round(penFraction * 100)
  return { digit, fileName: `${digit}_marker${percent}.jpg`, kind: 'marker-width', bytes: await toJpeg(pixels, width, height, 75) }
}

/** The marker widths the bench reads, as fractions of the digit's height: MNIST-like, thick, very thick, fat. */
export const MARKER_WIDTHS = [0.12, 0.18, 0.24, 0.3] as const

/** 0-9 written with a marker `penFraction` of the digit's height wide (see markerOfWidth). */
export async function markerDigits(penFraction: number, seed = 23): Promise<DigitImage[]> {
  const random = createRandom(seed)
  const images: DigitImage[] = []
  for (let digit = 0; digit < 10; digit++) images.push(await markerOfWidth(digit, penFraction, random))
  return images
}

/** A printed digit that fills its image, the case the old preparation already handled. */
async function filling(digit: number, fontIndex: number): Promise<DigitImage> {
  const width = 90
  const height = 110
  const size = 130
  const font = FONTS[fontIndex % FONTS.length]
  const pixels = await renderPage(width, height, { digit, font, size, x: 4, y: 100 })
  return { digit, fileName: `${digit}_fill${fontIndex}.png`, kind: 'filling', bytes: await sharp(Buffer.from(pixels), { raw: { width, height, channels: 1 } }).png().toBuffer() }
}

/** The 30 "photographed" digits: 0-9 small and off-centre, 0-9 under a shadow, 0-9 in marker near a corner. */
export async function photographedDigits(seed = 11): Promise<DigitImage[]> {
  const random = createRandom(seed)
  const images: DigitImage[] = []
  for (let digit = 0; digit < 10; digit++) images.push(await smallOffCentre(digit, random))
  for (let digit = 0; digit < 10; digit++) images.push(await underShadow(digit, random))
  for (let digit = 0; digit < 10; digit++) images.push(await markerNearCorner(digit, random))
  return images
}

/** 20 printed digits that fill their image: 0-9 in two fonts. */
export async function fillingDigits(): Promise<DigitImage[]> {
  const images: DigitImage[] = []
  for (const fontIndex of [0, 1]) for (let digit = 0; digit < 10; digit++) images.push(await filling(digit, fontIndex + digit))
  return images
}
