/**
 * IEEE half precision rounding (round to nearest, ties to even; subnormals; overflow to infinity) of a
 * float, as WGSL's f16(x) does: Node 20 has no Math.f16round.
 */
export function f16round(x: number): number {
  if (!Number.isFinite(x) || x === 0) return x
  const sign = x < 0 ? -1 : 1
  const a = Math.abs(x)
  let e = Math.floor(Math.log2(a))
  if (2 ** e > a) e--
  if (2 ** (e + 1) <= a) e++
  // 10 fraction bits; below 2^-14 the spacing stays 2^-24 (subnormals).
  const quantum = 2 ** (Math.max(e, -14) - 10)
  const scaled = a / quantum
  let rounded = Math.round(scaled)
  if (rounded - scaled === 0.5 && rounded % 2 !== 0) rounded--
  const value = rounded * quantum
  return value > 65504 ? sign * Infinity : sign * value
}

export function f16roundAll(values: Float32Array): Float32Array {
  return values.map(f16round)
}
