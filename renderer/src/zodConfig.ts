import { z } from 'zod'

// The CSP forbids eval. Zod probes `new Function` for its JIT when schemas are built, which the CSP
// reports on every load; turn the JIT off before any schema module is evaluated (import this first).
z.config({ jitless: true })
