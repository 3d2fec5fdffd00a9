import type { AugmentConfig } from '../../../shared/api/schemas'

/** The Data view's augmentation checkboxes. */
export interface AugmentChoice {
  crop: boolean
  flip: boolean
  jitter: boolean
  pca: boolean
}

/** Digits read differently mirrored (a flipped 2 is no 2): no flip for them by default. */
export function isDigitDataset(dataset: string): boolean {
  return dataset === 'mnist'
}

export function defaultAugmentChoice(dataset: string): AugmentChoice {
  return { crop: true, flip: !isDigitDataset(dataset), jitter: true, pca: false }
}

/** The checkboxes as the pipeline's settings (the same numbers the preview is drawn with). */
export function augmentFromChoice(choice: AugmentChoice): AugmentConfig {
  return {
    cropPadding: choice.crop ? 4 : 0,
    flip: choice.flip,
    brightness: choice.jitter ? 0.25 : 0,
    contrast: choice.jitter ? 0.25 : 0,
    pcaNoise: choice.pca ? 0.1 : 0,
  }
}

/** `crop + pad 4 px, flip, brightness/contrast ±0.25`, or `none`. */
export function describeAugment(config: AugmentConfig | undefined): string {
  if (!config) return 'none'
  const parts: string[] = []
  if (config.cropPadding) parts.push(`crop + pad ${config.cropPadding} px`)
  if (config.flip) parts.push('flip')
  if (config.brightness || config.contrast) parts.push(`brightness/contrast ±${Math.max(config.brightness, config.contrast)}`)
  if (config.pcaNoise) parts.push(`PCA colour noise ${config.pcaNoise}`)
  return parts.length ? parts.join(', ') : 'none'
}
