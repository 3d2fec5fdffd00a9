import type { ResponseOf } from '../../shared/api/contract'
import type { ApiHandlers, ServiceSet } from './apiHandlerTypes'

type DataMethods = 'data.list' | 'data.describe' | 'data.samples' | 'data.download' | 'data.cancel'

/** Data sets: what there is, what is in one, and fetching or scanning one. */
export function createDataHandlers({ data }: Pick<ServiceSet, 'data'>): Pick<ApiHandlers, DataMethods> {
  return {
    'data.list': async () => data.list() as ResponseOf<'data.list'>,
    'data.describe': (request) => data.describe(request),
    'data.samples': (request) => data.samples(request),
    'data.download': async ({ dataset }) => ({ path: await data.download(dataset) }),
    'data.cancel': async ({ dataset }) => ({ cancelled: data.cancelScan(await data.prepare(dataset), 'cancelled') }),
  }
}
