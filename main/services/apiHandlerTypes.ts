import type { MethodName, ParsedRequestOf, ResponseOf } from '../../shared/api/contract'

/** One handler per contract method; apiHandlers.ts builds them, the handler groups (exchangeHandlers.ts) fill parts. */
export type ApiHandlers = { [M in MethodName]: (request: ParsedRequestOf<M>) => Promise<ResponseOf<M>> }
