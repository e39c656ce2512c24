import { describe, expect, test } from "bun:test"
import { existsSync } from "node:fs"
import { writeFile } from "node:fs/promises"
import { join } from "node:path"
import { ConfigError } from "@/config/config"
import { createServices } from "@/core/services"
import { readPriceFile } from "@/core/usage/price-file"
import { PriceTable } from "@/core/usage/prices"
import { PROVIDER_DEFINITIONS } from "@/providers/index"
import { tmpdir } from "../fixture/tmpdir"
import { testConfig } from "../helpers/services"
import { rejection } from "../providers/openai-helpers"

const lookup = (provider: string, model: string | null, size: string | null, quality = "standard") => ({
  provider,
  model,
  size,
  quality,
})

describe("the built-in price table", () => {
  const table = new PriceTable()

  test("prices gpt-image-2 per image at the sizes OpenAI publishes, standard as medium and hd as high", () => {
    expect(table.billedSize("openai", "gpt-image-2", "1:1", "standard")).toBe("1024x1024")
    expect(table.price(lookup("openai", "gpt-image-2", "1024x1024"))).toEqual({ micros: 53_000, origin: "table" })
    expect(table.price(lookup("openai", "gpt-image-2-2026-04-21", "1536x1024", "hd"))).toEqual({
      micros: 165_000,
      origin: "table",
    })
  })

  test("a size or model without a published price is unknown, never scaled from another", () => {
    const wide = table.billedSize("openai", "gpt-image-2", "16:9", "standard")
    expect(wide).toBe("1536x864")
    expect(table.price(lookup("openai", "gpt-image-2", wide))).toEqual({ micros: null, origin: "unknown" })
    const sunburst = table.billedSize("openai", "gpt-image-2.6-sunburst", "1:1", "standard")
    expect(table.price(lookup("openai", "gpt-image-2.6-sunburst", sunburst))).toEqual({
      micros: null,
      origin: "unknown",
    })
    expect(table.price(lookup("gemini", "gemini-nano-banana-2.1", "1K"))).toEqual({ micros: null, origin: "unknown" })
    expect(table.price(lookup("openai", null, null))).toEqual({ micros: null, origin: "unknown" })
  })

  test("Gemini bills by the imageSize tier the quality chooses", () => {
    expect(table.billedSize("gemini", "gemini-3-pro-image", "16:9", "hd")).toBe("2K")
    expect(table.price(lookup("gemini", "gemini-3-pro-image", "2K", "hd"))).toEqual({
      micros: 134_000,
      origin: "table",
    })
    expect(table.billedSize("gemini", "gemini-3.1-flash-image", "1:1", "standard")).toBe("1K")
    expect(table.price(lookup("gemini", "gemini-3.1-flash-image", "1K"))).toEqual({ micros: 67_000, origin: "table" })
  })

  test("local providers cost nothing; a provider nobody defines has no known price", () => {
    expect(table.price(lookup("placeholder", "placeholder", null))).toEqual({ micros: 0, origin: "free" })
    expect(table.price(lookup("sd_webui", null, null))).toEqual({ micros: 0, origin: "free" })
    expect(table.price(lookup("fake", "fake-model", null))).toEqual({ micros: null, origin: "unknown" })
  })

  test("every source is dated and every priced model is one the catalog knows", () => {
    for (const { sources } of table.sources()) {
      for (const source of sources) {
        expect(source.url).toStartWith("https://")
        expect(source.checked).toMatch(/^\d{4}-\d{2}-\d{2}$/)
      }
    }
    expect(table.sources().map((s) => s.provider)).toEqual(["openai", "gemini"])
    for (const definition of PROVIDER_DEFINITIONS) {
      const pricing = definition.pricing
      if (!pricing || pricing === "free") continue
      const known = definition.catalog.map((m) => m.model_id)
      const sourced = pricing.sources.flatMap((s) => s.models)
      for (const row of pricing.rows) {
        expect(known).toContain(row.model)
        expect(sourced).toContain(row.model)
      }
    }
  })
})

describe("the prices file", () => {
  test("its rows win over the table, the most specific row first, and can price any provider", async () => {
    await using dir = await tmpdir()
    const path = join(dir.path, "prices.toml")
    await writeFile(
      path,
      `# what our contract says
[[price]]
provider = "openai"
model = "gpt-image-2"
usd = 0.05

[[price]]
provider = "OpenAI"
model = "gpt-image-2"
size = "1536x864"
quality = "standard"
usd = 0.04

[[price]]
provider = "fake"
model = "fake-model"
usd = 1
`,
    )
    const table = new PriceTable(await readPriceFile(path))
    expect(table.price(lookup("openai", "gpt-image-2", "1536x864"))).toEqual({ micros: 40_000, origin: "file" })
    expect(table.price(lookup("openai", "gpt-image-2", "1024x1024"))).toEqual({ micros: 50_000, origin: "file" })
    expect(table.price(lookup("openai", "gpt-image-2", "1024x1024", "hd"))).toEqual({ micros: 50_000, origin: "file" })
    expect(table.price(lookup("fake", "fake-model", null))).toEqual({ micros: 1_000_000, origin: "file" })
    expect(table.price(lookup("gemini", "gemini-3-pro-image", "4K"))).toEqual({ micros: 240_000, origin: "table" })
  })

  const bad: [string, string, string][] = [
    ["a line that does not parse", '[[price]]\nprovider = "openai"\nusd = 0.1.2\n', "not valid TOML at line 3: "],
    ["a value missing", '[[price]]\nprovider = "openai"\nmodel = \n', "not valid TOML at line 3: Missing value"],
    ["a negative price", '[[price]]\nprovider = "x"\nmodel = "m"\nusd = -1\n', "[[price]] #1: 'usd' is -1"],
    ["no price", '[[price]]\nprovider = "x"\nmodel = "m"\n', "[[price]] #1: 'usd' must be a number"],
    ["an unknown key", '[[price]]\nprovider = "x"\nmodel = "m"\nusd = 1\ncurrency = "EUR"\n', "unknown key 'currency'"],
    ["a stray table", "[prices]\nx = 1\n", "unknown top-level key 'prices'"],
  ]
  for (const [what, text, message] of bad) {
    test(`${what} stops start-up with a message naming the file, and nothing is written`, async () => {
      await using dir = await tmpdir()
      const path = join(dir.path, "prices.toml")
      await writeFile(path, text)
      const config = testConfig(dir.path, { IMAGE_GENERATION_MCP_PRICES_FILE: path })
      const error = await rejection(createServices(config))
      expect(error).toBeInstanceOf(ConfigError)
      expect((error as Error).message).toStartWith(`IMAGE_GENERATION_MCP_PRICES_FILE (${path}): `)
      expect((error as Error).message).toContain(message)
      expect(existsSync(config.dbPath)).toBe(false)
    })
  }

  test("a file that does not exist is named", async () => {
    await using dir = await tmpdir()
    const path = join(dir.path, "missing.toml")
    expect(rejection(readPriceFile(path))).resolves.toHaveProperty(
      "message",
      `IMAGE_GENERATION_MCP_PRICES_FILE (${path}): the file does not exist.`,
    )
  })
})
