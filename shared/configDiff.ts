/**
 * Config diffs for comparing runs: a config flattened to dotted paths (`knobs.activation`,
 * `augment.flip`), and the paths whose values are not the same in every config.
 */

export type FlatValue = string | number | boolean | null | undefined

/** `{ knobs: { activation: 'relu' } }` → `{ 'knobs.activation': 'relu' }`; arrays become JSON text. */
export function flattenConfig(value: unknown, prefix = '', into: Record<string, FlatValue> = {}): Record<string, FlatValue> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>)
    if (!entries.length && prefix) into[prefix] = undefined
    for (const [key, inner] of entries) flattenConfig(inner, prefix ? `${prefix}.${key}` : key, into)
  } else if (prefix) {
    into[prefix] = Array.isArray(value) ? JSON.stringify(value) : (value as FlatValue)
  }
  return into
}

export interface ConfigDiffRow {
  field: string
  /** One value per config, in order; `undefined` where a config does not set the field. */
  values: FlatValue[]
  differs: boolean
}

/** Every field any config sets, in a stable order, each marked whether its value differs between configs. */
export function diffConfigs(configs: readonly unknown[]): ConfigDiffRow[] {
  const flat = configs.map((config) => flattenConfig(config))
  const fields = [...new Set(flat.flatMap((entry) => Object.keys(entry)))]
  return fields
    .filter((field) => flat.some((entry) => entry[field] !== undefined))
    .map((field) => {
      const values = flat.map((entry) => entry[field])
      return { field, values, differs: values.some((value) => value !== values[0]) }
    })
}

/** Only the fields whose values differ. */
export function differingFields(configs: readonly unknown[]): string[] {
  return diffConfigs(configs)
    .filter((row) => row.differs)
    .map((row) => row.field)
}
