import { readFileSync } from 'node:fs'

/**
 * This process's peak resident memory in MiB: VmHWM from /proc/self/status where there is one (Linux),
 * else the largest RSS sampled by the caller (resourceUsage's maxRSS is the same figure on Linux).
 */
export function peakRssMiB(): number {
  try {
    const line = readFileSync('/proc/self/status', 'utf8').match(/^VmHWM:\s+(\d+)\s+kB/m)
    if (line) return Number(line[1]) / 1024
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS / 1024
}
