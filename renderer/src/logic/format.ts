/** Small, pure formatters shared by the views. */

/** Seconds as `mm:ss` (or `h:mm:ss` from one hour on); `--:--` when unknown. */
export function formatDuration(seconds: number | undefined | null): string {
  if (seconds === undefined || seconds === null || !Number.isFinite(seconds) || seconds < 0) return '--:--'
  const total = Math.round(seconds)
  const hours = Math.floor(total / 3600)
  const minutes = Math.floor((total % 3600) / 60)
  const secs = total % 60
  const mmss = `${String(minutes).padStart(2, '0')}:${String(secs).padStart(2, '0')}`
  return hours > 0 ? `${hours}:${mmss}` : mmss
}

/** A 0-1 fraction as a percentage with one decimal: `0.9781` -> `97.8%`. */
export function formatPercent(fraction: number, digits = 1): string {
  if (!Number.isFinite(fraction)) return '–'
  return `${(fraction * 100).toFixed(digits)}%`
}

/** Integer with thousands separators, independent of the machine's locale. */
export function formatCount(value: number): string {
  if (!Number.isFinite(value)) return '–'
  return Math.round(value).toLocaleString('en-US')
}

/** A loss value with four significant decimals. */
export function formatLoss(value: number): string {
  if (!Number.isFinite(value)) return '–'
  // A diverged run's loss (1e7) in fixed notation overflows its box.
  return Math.abs(value) >= 1e4 ? value.toExponential(2) : value.toFixed(4)
}

/** Elapsed training time: `42.3 s` below a minute, otherwise `mm:ss`. */
export function formatElapsed(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '–'
  return seconds < 60 ? `${seconds.toFixed(1)} s` : formatDuration(seconds)
}

/** Bytes in KiB / MiB / GiB for notices and the System panel. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KiB`
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`
  return `${(bytes / 1024 ** 3).toFixed(1)} GiB`
}

/** ISO timestamp as `05-01 14:03` (month-day), in local time, for dense lists. */
export function formatShortTimestamp(iso: string): string {
  const full = formatTimestamp(iso)
  return /^\d{4}-/.test(full) ? full.slice(5) : full
}

/** ISO timestamp as `2024-05-01 14:03`, in local time. */
export function formatTimestamp(iso: string): string {
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return iso
  const pad = (n: number): string => String(n).padStart(2, '0')
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}`
}

/** A chart tick or tooltip number: 1.5k, 2.3M, or the value to at most three decimals. */
export function formatChartNumber(value: number): string {
  if (Math.abs(value) >= 1_000_000) return `${+(value / 1_000_000).toFixed(1)}M`
  if (Math.abs(value) >= 1000) return `${+(value / 1000).toFixed(1)}k`
  return String(+value.toFixed(3))
}
