/** A request's place in line: current until a newer one begins. */
export interface RequestTicket {
  readonly current: boolean
}

/**
 * Only the newest request's answer counts: each `begin()` makes every earlier ticket stale, so a slow answer
 * for a previous selection (MNIST's description arriving after the user picked CIFAR-10) is dropped rather
 * than shown under the current one. Its failure is dropped too.
 */
export function latestRequest() {
  let newest = 0
  return {
    begin(): RequestTicket {
      const id = ++newest
      return {
        get current() {
          return id === newest
        },
      }
    },
  }
}
