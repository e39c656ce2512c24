/** Micro-dollars (USD × 1e6) in the ledger: integers, so sums and comparisons with a budget are exact. */
export function toMicros(usd: number): number {
  return Math.round(usd * 1_000_000)
}

export function toUsd(micros: number): number {
  return micros / 1_000_000
}

/** `$1.00`, `$0.053`, `$0.0336`: cents always, more digits only where the amount has them (at most 6). */
export function formatUsd(micros: number): string {
  const fixed = toUsd(micros).toFixed(6).replace(/0+$/, "")
  const [whole, fraction = ""] = fixed.split(".")
  return `$${whole}.${fraction.padEnd(2, "0")}`
}
