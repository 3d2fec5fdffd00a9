import type { InspectedLayer } from '../../../shared/api/inspect'

/** The unit whose receptive field Inspect draws: a layer, a position in its output, and the clicked channel. */
export interface InspectUnit {
  layer: string
  row: number
  col: number
  /** The feature map that was clicked; absent for a layer's default unit (outlined on every channel). */
  channel?: number
}

/** Where a unit sits on a feature map, as fractions of the map (the map may be downsampled from the layer). */
export interface MapMark {
  top: number
  left: number
  height: number
  width: number
}

type SpatialLayer = Pick<InspectedLayer, 'name' | 'outputShape'>

/** The unit at the centre of a layer's output. */
export function centreUnit(layer: SpatialLayer): InspectUnit {
  return { layer: layer.name, row: Math.floor(layer.outputShape[0]! / 2), col: Math.floor(layer.outputShape[1]! / 2) }
}

/** The unit under a click on a feature map of `mapHeight` x `mapWidth` pixels, scaled back to the layer's output. */
export function unitAt(layer: SpatialLayer, channel: number, mapHeight: number, mapWidth: number, row: number, col: number): InspectUnit {
  const [h, w] = layer.outputShape as [number, number]
  return {
    layer: layer.name,
    channel,
    row: Math.min(h - 1, Math.floor(((row + 0.5) * h) / mapHeight)),
    col: Math.min(w - 1, Math.floor(((col + 0.5) * w) / mapWidth)),
  }
}

/** The chosen unit outlined on one channel's map: the clicked channel, or every channel of the layer before any click. */
export function unitMark(unit: InspectUnit | null, layer: SpatialLayer, channel: number): MapMark | null {
  if (!unit || unit.layer !== layer.name || (unit.channel !== undefined && unit.channel !== channel)) return null
  const [h, w] = layer.outputShape
  if (!h || !w) return null
  return { top: unit.row / h, left: unit.col / w, height: 1 / h, width: 1 / w }
}

/** Whether a layer's units have a receptive field on the input (a map per channel), so a unit can be picked. */
export function isSpatial(layer: Pick<InspectedLayer, 'receptiveField' | 'outputShape'>): boolean {
  return !!layer.receptiveField && layer.outputShape.length === 3
}
