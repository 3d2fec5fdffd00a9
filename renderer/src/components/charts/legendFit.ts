/**
 * A legend label that would not fit its chart is shortened in the middle, keeping its start (the
 * architecture) and its end (what differs, "· test"), and its full text shows as the canvas's tooltip.
 */
export function fitLabel(text: string, maxWidth: number, measure: (text: string) => number): string {
  if (measure(text) <= maxWidth) return text
  const chars = [...text]
  // The longest head + … + tail that fits, the head taking the extra character.
  let low = 0
  let high = chars.length - 1
  let best = '…'
  while (low <= high) {
    const keep = Math.floor((low + high) / 2)
    const head = Math.ceil(keep / 2)
    const candidate = `${chars.slice(0, head).join('').trimEnd()}…${chars.slice(chars.length - (keep - head)).join('').trimStart()}`
    if (measure(candidate) <= maxWidth) {
      best = candidate
      low = keep + 1
    } else {
      high = keep - 1
    }
  }
  return best
}
