import type { SettingSpec, SettingValues } from "@/providers/definition"
import { PROVIDER_DEFINITIONS } from "@/providers/index"
import { ENV_PREFIX } from "./env"
import { ConfigError, type EnvReader } from "./reader"

/** Every provider's settings, read from the environment as its definition declares them. */
export function readProviderSettings(
  r: EnvReader,
  expandHome: (path: string | undefined) => string | undefined,
): Record<string, SettingValues> {
  const out: Record<string, SettingValues> = {}
  for (const definition of PROVIDER_DEFINITIONS) {
    const values: Record<string, string | number | boolean | undefined> = {}
    for (const spec of definition.settings) values[spec.key] = readSetting(r, spec, expandHome)
    out[definition.name] = Object.freeze(values)
  }
  return out
}

function readSetting(
  r: EnvReader,
  spec: SettingSpec,
  expandHome: (path: string | undefined) => string | undefined,
): string | number | boolean | undefined {
  const name = sourceName(r, spec)
  switch (spec.type) {
    case "bool":
      return r.bool(name, Boolean(spec.default ?? false))
    case "int":
      return r.int(name, Number(spec.default ?? 0), { min: spec.min })
    case "seconds":
      return r.number(name, Number(spec.default ?? 0), { exclusiveMin: 0 })
    case "path":
      return expandHome(r.string(name)) ?? stringDefault(spec)
    case "url":
      return checkUrl(name, r.string(name)) ?? stringDefault(spec)
    default:
      return r.string(name) ?? stringDefault(spec)
  }
}

/** The name to read: the setting's own, or a deprecated alias (with a warning) when only that is set. */
function sourceName(r: EnvReader, spec: SettingSpec): string {
  if (r.string(spec.env) !== undefined) return spec.env
  const alias = spec.deprecatedAliases?.find((a) => r.string(a) !== undefined)
  if (alias === undefined) return spec.env
  r.warnings.push(`${ENV_PREFIX}${alias} is deprecated; use ${ENV_PREFIX}${spec.env} instead.`)
  return alias
}

const stringDefault = (spec: SettingSpec) => (spec.default === undefined ? undefined : String(spec.default))

/** An http(s) URL; anything else stops start-up. */
export function checkUrl(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined
  if (!URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol)) {
    throw new ConfigError(`${ENV_PREFIX}${name} is invalid: expected an http:// or https:// URL.`)
  }
  return value
}
