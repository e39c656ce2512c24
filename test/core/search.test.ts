import { describe, expect, test } from "bun:test"
import { promptMatches, type SearchInput, searchImages, searchWords } from "@/core/images/search"
import type { Store } from "@/storage"
import { tmpdir } from "../fixture/tmpdir"
import { openTestStorage } from "../helpers/storage"

// What the store answers is the storage contract's (test/storage/contract/images.ts); these are the words and checks
// around it.

async function withStore(fn: (store: Store) => Promise<void>): Promise<void> {
  await using dir = await tmpdir()
  await using storage = await openTestStorage(dir.path)
  await fn(storage.store)
}

describe("search words", () => {
  test("split on whitespace; chunks without a letter or digit are dropped", () => {
    expect(searchWords("  Lighthouse  at\tdusk ")).toEqual(["Lighthouse", "at", "dusk"])
    expect(searchWords('"quoted" - * NEAR( a:b')).toEqual(['"quoted"', "NEAR(", "a:b"])
    expect(searchWords("!!! ... ***")).toEqual([])
  })

  test("the in-memory match agrees with the index: case, accents, phrases, prefix on the last word", () => {
    expect(promptMatches("A Café by the SEA", ["cafe", "sea"])).toBe(true)
    expect(promptMatches("render via sd_webui", ["SD_WEBUI"])).toBe(true)
    expect(promptMatches("a lighthouse at dusk", ["light"])).toBe(true)
    expect(promptMatches("a lighthouse at dusk", ["light", "dusk"])).toBe(false)
    expect(promptMatches("a lighthouse at dusk", ["dusk", "light"])).toBe(true)
    expect(promptMatches("webui sd", ["sd_webui"])).toBe(false)
  })
})

describe("search_images refuses bad input before asking the store", () => {
  test.each([
    [
      { since: "yesterday" },
      "since must be an ISO-8601 date (2026-03-24) or timestamp (2026-03-24T10:00:00Z); got 'yesterday'.",
    ],
    [{ until: "2026-02-30" }, "until must be an ISO-8601 date"],
    [{ since: "2026-02-30T10:00:00Z" }, "since must be an ISO-8601 date"],
    [{ since: "2026-03-25", until: "2026-03-24" }, "since (2026-03-25) is later than until (2026-03-24)."],
    [{ limit: 0 }, "limit must be an integer from 1 to 100; got 0."],
    [{ limit: 101 }, "limit must be an integer from 1 to 100; got 101."],
    [{ query: " !! " }, "query must contain at least one word (letters or digits); got ' !! '."],
  ] as [Partial<SearchInput>, string][])("refuses %o clearly", async (input, message) => {
    await withStore(async (store) => {
      await expect(searchImages(store.images, { query: "castle", ...input })).rejects.toThrow(message)
    })
  })
})
