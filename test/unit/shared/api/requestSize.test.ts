import { describe, expect, it, vi } from 'vitest'
import { createApiClient, type Transport } from '../../../../shared/api/client'
import { WorkbenchError } from '../../../../shared/api/contract'
import { MAX_MESSAGE_BYTES, requestSizeProblem, utf8ByteLength } from '../../../../shared/api/wire'

describe('request size limit', () => {
  it('counts UTF-8 bytes', () => {
    expect(utf8ByteLength('abc')).toBe(3)
    expect(utf8ByteLength('é')).toBe(2)
    expect(utf8ByteLength('€')).toBe(3)
    expect(utf8ByteLength('😀')).toBe(4)
    expect(utf8ByteLength('😀')).toBe(Buffer.byteLength('😀'))
  })

  it('accepts what fits and names the size of what does not', () => {
    expect(requestSizeProblem('runs.list', {})).toBeUndefined()
    expect(requestSizeProblem('predict.image', { imageBase64: 'A'.repeat(16 * 1024 * 1024) })).toBeUndefined()
    expect(requestSizeProblem('predict.image', { imageBase64: 'A'.repeat(MAX_MESSAGE_BYTES) })).toMatch(
      /^predict\.image: the request is 20 MiB, more than the 20 MiB the workbench accepts$/,
    )
    // Multi-byte text: under the limit in UTF-16 units, over it in bytes.
    expect(requestSizeProblem('x', { text: '€'.repeat(8 * 1024 * 1024) }, MAX_MESSAGE_BYTES)).toMatch(/24 MiB/)
    // Only image uploads get megabytes: any other method is held to 1 MiB.
    expect(requestSizeProblem('runs.update', { runId: 'abc', name: 'x'.repeat(2 * 1024 * 1024) })).toMatch(/^runs\.update: the request is 2 MiB, more than the 1 MiB/)
    expect(requestSizeProblem('x', { big: 10n })).toMatch(/not plain JSON/)
  })

  it('the renderer-side client refuses an oversized request before it reaches the transport', async () => {
    const send = vi.fn<Transport['send']>(async () => ({ ok: true, value: {} }))
    const api = createApiClient({ send, subscribe: () => () => undefined })
    const call = api.call('predict.image', { runId: 'abc', fileName: 'x.png', imageBase64: 'A'.repeat(MAX_MESSAGE_BYTES) })
    await expect(call).rejects.toBeInstanceOf(WorkbenchError)
    await expect(call).rejects.toMatchObject({ code: 'invalid-request', message: expect.stringMatching(/more than the 20 MiB/) })
    expect(send).not.toHaveBeenCalled()
  })
})
