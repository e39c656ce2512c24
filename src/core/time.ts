/** ISO-8601 UTC with an explicit offset, as the reference writes it: `2026-03-24T10:00:00.123000+00:00`. */
export function isoTimestamp(epochSeconds: number): string {
  const ms = Math.round(epochSeconds * 1000)
  const base = new Date(ms).toISOString().slice(0, 19)
  const micros = (ms % 1000) * 1000
  return micros ? `${base}.${String(micros).padStart(6, "0")}+00:00` : `${base}+00:00`
}

/** Parses an ISO timestamp (with or without offset; naive means UTC) to epoch seconds, or undefined. */
export function parseIsoTimestamp(text: string): number | undefined {
  const match = text.match(/^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/)
  if (!match) return undefined
  const [, day, time, fraction = "", zone = "Z"] = match
  const ms = Date.parse(`${day}T${time}${zone === "Z" ? "Z" : zone}`)
  if (Number.isNaN(ms)) return undefined
  return ms / 1000 + Number(`0.${fraction || "0"}`)
}

export function nowSeconds(): number {
  return Date.now() / 1000
}
