import type { LayerSpec, PrimitiveLayer } from '../layers'
import type { ArchKnobs } from '../types'

export function conv(filters: number, kernelSize: number, stride = 1, padding = 0): PrimitiveLayer {
  return { kind: 'conv2d', filters, kernelSize, stride, padding }
}

/** Batch norm, when switched on, sits between the affine layer and its activation (as in the notes). */
export function normAct(knobs: ArchKnobs): LayerSpec[] {
  return [...(knobs.batchNorm ? [{ kind: 'batchNorm' } as const] : []), { kind: 'activation', fn: knobs.activation }]
}

/** Convolution, optional batch norm, activation. */
export function convUnit(knobs: ArchKnobs, filters: number, kernelSize: number, stride = 1, padding = 0): LayerSpec[] {
  return [conv(filters, kernelSize, stride, padding), ...normAct(knobs)]
}

/** Dense, optional batch norm, activation, optional dropout. */
export function denseUnit(knobs: ArchKnobs, units: number): LayerSpec[] {
  return [{ kind: 'dense', units }, ...normAct(knobs), ...dropout(knobs)]
}

export function dropout(knobs: ArchKnobs): LayerSpec[] {
  return knobs.dropout > 0 ? [{ kind: 'dropout', rate: knobs.dropout }] : []
}

export const BASE_KNOBS: ArchKnobs = {
  activation: 'relu',
  pooling: 'max',
  batchNorm: false,
  dropout: 0,
  lrn: false,
  residual: true,
  reductions: true,
  width: 1,
}
