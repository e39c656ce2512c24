import type { PriceRow, PriceSource, ProviderDefinition } from "@/providers/definition"
import { PROVIDER_DEFINITIONS } from "@/providers/index"
import { toMicros } from "./money"

/** A price row from the prices file: the same as a built-in one, for any provider. */
export interface FilePriceRow extends PriceRow {
  readonly provider: string
}

/** Where a call's price came from; `unknown` when nothing prices it. */
export type PriceOrigin = "table" | "file" | "free" | "unknown"

export interface PriceLookup {
  provider: string
  model: string | null
  size: string | null
  quality: string
}

export interface Price {
  /** Per image; null when unknown. */
  micros: number | null
  origin: PriceOrigin
}

/** The live previews one request asks for, and what each one sent costs. */
export interface PreviewPrice {
  count: number
  eachMicros: number
}

export const NO_PREVIEWS: PreviewPrice = { count: 0, eachMicros: 0 }

/**
 * List prices per image: rows of the prices file first, then the provider's built-in dated table. A provider
 * marked free costs nothing; anything else without a row has no known price (docs/decisions.md#usage-ledger).
 */
export class PriceTable {
  private readonly fileRows: readonly FilePriceRow[]
  private readonly definitions: readonly ProviderDefinition[]

  constructor(
    fileRows: readonly FilePriceRow[] = [],
    definitions: readonly ProviderDefinition[] = PROVIDER_DEFINITIONS,
  ) {
    this.fileRows = fileRows
    this.definitions = definitions
  }

  /** The size the provider bills this request by (`1536x1024`, `2K`), when it has one. */
  billedSize(provider: string, model: string | null, aspectRatio: string, quality: string): string | null {
    const pricing = this.definition(provider)?.pricing
    if (!model || !pricing || pricing === "free") return null
    return pricing.billedSize(model, aspectRatio, quality)
  }

  price(call: PriceLookup): Price {
    const own = bestRow(
      this.fileRows.filter((row) => row.provider === call.provider),
      call,
    )
    if (own) return { micros: toMicros(own.usd), origin: "file" }
    const definition = this.definition(call.provider)
    const pricing = definition?.pricing ?? (definition && !definition.paidByDefault ? "free" : undefined)
    if (pricing === "free") return { micros: 0, origin: "free" }
    const listed = pricing && bestRow(pricing.rows, call)
    return listed ? { micros: toMicros(listed.usd), origin: "table" } : { micros: null, origin: "unknown" }
  }

  /**
   * What live previews add to a request of `n` images priced at `price`; null when their price is unknown. A row of
   * the prices file is the user's whole price per image, previews included; a free provider's previews are free.
   */
  previews(provider: string, model: string | null, n: number, price: Price): PreviewPrice | null {
    if (price.origin === "file" || price.origin === "free") return NO_PREVIEWS
    const pricing = this.definition(provider)?.pricing
    if (!pricing || pricing === "free" || !pricing.previews) return NO_PREVIEWS
    const asked = model ? pricing.previews(model, n) : null
    return asked && { count: asked.count, eachMicros: toMicros(asked.usdEach) }
  }

  /** The dated sources of the built-in table, by provider. */
  sources(): { provider: string; sources: readonly PriceSource[] }[] {
    return this.definitions.flatMap((d) =>
      d.pricing && d.pricing !== "free" ? [{ provider: d.name, sources: d.pricing.sources }] : [],
    )
  }

  private definition(provider: string): ProviderDefinition | undefined {
    return this.definitions.find((d) => d.name === provider)
  }
}

/** The most specific row for the call: size and quality both named beats size alone, which beats quality alone. */
function bestRow<R extends PriceRow>(rows: readonly R[], call: PriceLookup): R | undefined {
  let best: R | undefined
  let bestScore = -1
  for (const row of rows) {
    if (row.model !== call.model) continue
    if (row.size !== undefined && row.size !== call.size) continue
    if (row.quality !== undefined && row.quality !== call.quality) continue
    const score = (row.size === undefined ? 0 : 2) + (row.quality === undefined ? 0 : 1)
    if (score > bestScore) [best, bestScore] = [row, score]
  }
  return best
}
