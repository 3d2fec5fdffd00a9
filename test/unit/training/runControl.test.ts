import { describe, expect, it } from 'vitest'
import { RunControl } from '../../../main/training/runControl'

/** A clock the test moves by hand. */
function manualClock() {
  const clock = { ms: 1000, read: () => clock.ms }
  return clock
}

describe('RunControl: the run clock stands still while paused', () => {
  it('runs with its clock, stops at a pause and goes on from where it stopped', async () => {
    const clock = manualClock()
    const control = new RunControl(clock.read)
    const origin = control.now()
    clock.ms += 250
    expect(control.now() - origin).toBe(250)
    control.pause()
    // Asked for but not yet reached: the loop still trains until it waits.
    clock.ms += 50
    expect(control.now() - origin).toBe(300)
    const waiting = control.untilResumed()
    clock.ms += 4000
    expect(control.now() - origin).toBe(300)
    control.resume()
    await waiting
    expect(control.now() - origin).toBe(300)
    clock.ms += 100
    expect(control.now() - origin).toBe(400)
  })

  it('counts every pause, and a stop ends a pause like a resume', async () => {
    const clock = manualClock()
    const control = new RunControl(clock.read)
    const origin = control.now()
    for (const pausedFor of [1500, 700]) {
      control.pause()
      const waiting = control.untilResumed()
      clock.ms += pausedFor
      control.resume()
      await waiting
      clock.ms += 10
    }
    control.pause()
    const waiting = control.untilResumed()
    clock.ms += 9000
    control.stop()
    await waiting
    expect(control.shouldStop).toBe(true)
    expect(control.now() - origin).toBe(20)
  })

  it('resolves at once and keeps time when no pause was asked for', async () => {
    const clock = manualClock()
    const control = new RunControl(clock.read)
    const origin = control.now()
    await control.untilResumed()
    clock.ms += 30
    expect(control.now() - origin).toBe(30)
  })
})
