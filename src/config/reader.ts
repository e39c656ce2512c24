import { ENV_PREFIX, type EnvSource } from "./env"

/** Raised for a value that cannot work (a port of 70000): start-up stops with this one-line message. */
export class ConfigError extends Error {
  override name = "ConfigError"
}

const TRUE_WORDS = new Set(["1", "true", "yes", "on"])
const FALSE_WORDS = new Set(["0", "false", "no", "off"])

/** Reads env vars by their short name (without the prefix), collecting warnings for malformed values. */
export class EnvReader {
  readonly warnings: string[] = []
  private readonly env: EnvSource

  constructor(env: EnvSource) {
    this.env = env
  }

  /** Trimmed value; empty counts as unset. `name` is given without the prefix unless `raw` is set. */
  string(name: string, opts: { raw?: boolean } = {}): string | undefined {
    const value = this.env[opts.raw ? name : ENV_PREFIX + name]?.trim()
    return value ? value : undefined
  }

  /** Distinguishes "set to an empty value" (returns "") from unset (undefined). */
  stringOrEmpty(name: string): string | undefined {
    const value = this.env[ENV_PREFIX + name]
    return value === undefined ? undefined : value.trim()
  }

  bool(name: string, fallback: boolean, opts: { raw?: boolean } = {}): boolean {
    const value = this.string(name, opts)?.toLowerCase()
    if (value === undefined) return fallback
    if (TRUE_WORDS.has(value)) return true
    if (FALSE_WORDS.has(value)) return false
    this.warn(name, value, String(fallback), opts.raw)
    return fallback
  }

  int(name: string, fallback: number, range: { min?: number; max?: number } = {}): number {
    const value = this.string(name)
    if (value === undefined) return fallback
    if (!/^[+-]?\d+$/.test(value)) {
      this.warn(name, value, String(fallback))
      return fallback
    }
    return this.checkRange(name, Number(value), range)
  }

  number(name: string, fallback: number, range: { min?: number; max?: number; exclusiveMin?: number } = {}): number {
    const value = this.string(name)
    if (value === undefined) return fallback
    const parsed = Number(value)
    if (!Number.isFinite(parsed)) {
      this.warn(name, value, String(fallback))
      return fallback
    }
    if (range.exclusiveMin !== undefined && parsed <= range.exclusiveMin) {
      throw new ConfigError(`${ENV_PREFIX}${name}=${value} is invalid: it must be greater than ${range.exclusiveMin}.`)
    }
    return this.checkRange(name, parsed, range)
  }

  list(name: string): string[] | undefined {
    const value = this.string(name)
    if (value === undefined) return undefined
    return splitList(value)
  }

  warn(name: string, value: string, fallback: string, raw = false): void {
    const full = raw ? name : ENV_PREFIX + name
    this.warnings.push(`${full}=${JSON.stringify(value)} is not valid; using the default ${fallback}.`)
  }

  private checkRange(name: string, value: number, range: { min?: number; max?: number }): number {
    const { min, max } = range
    if ((min !== undefined && value < min) || (max !== undefined && value > max)) {
      const bounds =
        max === undefined ? `at least ${min}` : min === undefined ? `at most ${max}` : `between ${min} and ${max}`
      throw new ConfigError(`${ENV_PREFIX}${name}=${value} is invalid: it must be ${bounds}.`)
    }
    return value
  }
}

export function splitList(value: string): string[] {
  return value
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean)
}
