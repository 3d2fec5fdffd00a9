/**
 * The API's runtime schemas and the types inferred from them, one file per domain under schemas/; importers
 * name this file only, so the domains can be regrouped without touching them.
 */
export * from './schemas/vocabulary'
export * from './schemas/trainConfig'
export * from './schemas/status'
export * from './schemas/runs'
export * from './schemas/system'
export * from './schemas/models'
export * from './schemas/data'
