import { describe, expect, it } from 'vitest'
import { latestRequest } from '../../../../renderer/src/logic/latestRequest'

/** A promise settled by the test, when it chooses. */
function deferred<T>() {
  let resolve!: (value: T) => void
  let reject!: (cause: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

/**
 * The Data view's loading, as DataView.vue does it: each selection begins a ticket and clears what was
 * shown; a data set that needs a download asks nothing; an answer or a failure shows only while its
 * ticket is current.
 */
function dataView() {
  const loads = latestRequest()
  const view = { description: null as string | null, error: null as string | null }
  async function select(answer: Promise<string> | 'needs download'): Promise<void> {
    const ticket = loads.begin()
    view.description = null
    view.error = null
    if (answer === 'needs download') return
    try {
      const read = await answer
      if (ticket.current) view.description = read
    } catch (cause) {
      if (ticket.current) view.error = String(cause)
    }
  }
  return { view, select }
}

describe('only the latest selection is shown in the Data view', () => {
  it('drops MNIST\u2019s late description once CIFAR-10 (to download) was chosen', async () => {
    const { view, select } = dataView()
    const mnist = deferred<string>()
    const loadingMnist = select(mnist.promise)
    await select('needs download')
    mnist.resolve('MNIST: 10 classes, 28×28 grayscale')
    await loadingMnist
    expect(view.description).toBeNull()
  })

  it('shows the newer answer even when the older one arrives after it', async () => {
    const { view, select } = dataView()
    const mnist = deferred<string>()
    const fashion = deferred<string>()
    const first = select(mnist.promise)
    const second = select(fashion.promise)
    fashion.resolve('Fashion-MNIST')
    await second
    mnist.resolve('MNIST')
    await first
    expect(view.description).toBe('Fashion-MNIST')
  })

  it('drops an old selection\u2019s failure and keeps the current one\u2019s', async () => {
    const { view, select } = dataView()
    const folder = deferred<string>()
    const first = select(folder.promise)
    await select(Promise.resolve('MNIST'))
    folder.reject(new Error('folder unreadable'))
    await first
    expect(view).toEqual({ description: 'MNIST', error: null })
    await select(Promise.reject(new Error('offline')))
    expect(view.error).toBe('Error: offline')
  })

  it('the newest ticket is current, every earlier one stale', () => {
    const loads = latestRequest()
    const tickets = [loads.begin(), loads.begin(), loads.begin()]
    expect(tickets.map((ticket) => ticket.current)).toEqual([false, false, true])
  })
})
