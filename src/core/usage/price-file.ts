import { isTomlTable, readTomlFile, tomlFileError } from "@/config/toml-file"
import { canonicalProviderName } from "@/providers/index"
import type { FilePriceRow } from "./prices"

export const PRICES_SETTING = "IMAGE_GENERATION_MCP_PRICES_FILE"
const FIELDS = new Set(["provider", "model", "size", "quality", "usd"])

/**
 * The rows of a prices file, each an `[[price]]` table:
 *
 *     [[price]]
 *     provider = "openai"
 *     model = "gpt-image-2.6-sunburst"
 *     size = "1536x1024"     # optional: any size
 *     quality = "standard"   # optional: any quality
 *     usd = 0.05             # per image
 *
 * Anything else (an unknown key, a negative or missing price, a file that does not parse) stops start-up with a
 * message naming the file and the entry.
 */
export async function readPriceFile(path: string): Promise<FilePriceRow[]> {
  const doc = await readTomlFile(PRICES_SETTING, path)
  const fail = (problem: string) => tomlFileError(PRICES_SETTING, path, problem)
  const extra = Object.keys(doc).filter((key) => key !== "price")
  if (extra.length) throw fail(`unknown top-level key '${extra[0]}'; prices go in [[price]] tables`)
  const entries = doc.price ?? []
  if (!Array.isArray(entries)) throw fail("'price' must be an array of tables ([[price]])")
  return entries.map((entry, i) => priceRow(entry, (problem) => fail(`[[price]] #${i + 1}: ${problem}`)))
}

function priceRow(entry: unknown, fail: (problem: string) => Error): FilePriceRow {
  if (!isTomlTable(entry)) throw fail("must be a table")
  const unknown = Object.keys(entry).filter((key) => !FIELDS.has(key))
  if (unknown.length) throw fail(`unknown key '${unknown[0]}' (expected ${[...FIELDS].join(", ")})`)
  const text = (key: string, required: boolean): string | undefined => {
    const value = entry[key]
    if (value === undefined && !required) return undefined
    if (typeof value !== "string" || !value.trim()) throw fail(`'${key}' must be a non-empty string`)
    return value.trim()
  }
  const usd = entry.usd
  if (typeof usd !== "number" || !Number.isFinite(usd)) throw fail("'usd' must be a number (USD per image)")
  if (usd < 0) throw fail(`'usd' is ${usd}: a price cannot be negative`)
  const provider = canonicalProviderName((text("provider", true) as string).toLowerCase())
  const row: FilePriceRow = { provider, model: text("model", true) as string, usd }
  const size = text("size", false)
  const quality = text("quality", false)
  return { ...row, ...(size !== undefined && { size }), ...(quality !== undefined && { quality }) }
}
