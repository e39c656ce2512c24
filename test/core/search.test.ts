import { Database } from "bun:sqlite"
import { describe, expect, test } from "bun:test"
import { join } from "node:path"
import { MIGRATIONS } from "@/assets"
import { promptMatches, type SearchInput, searchImages, searchWords } from "@/core/images/search"
import { isoTimestamp } from "@/core/time"
import type { ImageRecord, ImageStore, Store } from "@/storage"
import { imageToRow } from "@/storage/rows"
import { insertSql } from "@/storage/sqlite/search-sql"
import { tmpdir } from "../fixture/tmpdir"
import { openTestStorage } from "../helpers/storage"

const DAY = 86_400
/** 2026-03-24T00:00:00Z */
const MARCH_24 = 1_774_310_400

let seq = 0
function record(prompt: string, fields: Partial<ImageRecord> = {}): ImageRecord {
  const id = (++seq).toString(16).padStart(12, "0")
  const createdEpoch = fields.createdEpoch ?? MARCH_24 + seq
  return {
    id,
    prompt,
    negativePrompt: null,
    provider: "placeholder",
    aspectRatio: "1:1",
    quality: "standard",
    background: "opaque",
    contentType: "image/png",
    originalFilename: `${id}-original.png`,
    originalSizeBytes: 100,
    width: 8,
    height: 8,
    providerMetadata: {},
    createdAt: isoTimestamp(createdEpoch),
    createdEpoch,
    sourceImageIds: [],
    origin: "generated",
    originSource: null,
    ...fields,
  }
}

async function withStore(fn: (store: Store) => Promise<void>): Promise<void> {
  await using dir = await tmpdir()
  await using storage = await openTestStorage(dir.path)
  await fn(storage.store)
}

const prompts = (images: ImageStore, input: SearchInput) =>
  searchImages(images, input).then((r) => ({ total: r.total, prompts: r.records.map((x) => x.prompt) }))

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

describe("search_images over the FTS index", () => {
  test("every word must match; results are newest first; total counts all matches", async () => {
    await withStore(async (store) => {
      await store.images.insertMany([
        record("a lighthouse at dusk, oil painting"),
        record("a red barn at dusk"),
        record("Lighthouse keeper portrait"),
        record("lighthouses of Brittany"),
      ])
      expect(await prompts(store.images, { query: "lighthouse" })).toEqual({
        total: 3,
        prompts: ["lighthouses of Brittany", "Lighthouse keeper portrait", "a lighthouse at dusk, oil painting"],
      })
      expect(await prompts(store.images, { query: "dusk lighthouse" })).toEqual({
        total: 1,
        prompts: ["a lighthouse at dusk, oil painting"],
      })
      const limited = await prompts(store.images, { query: "light", limit: 1 })
      expect(limited).toEqual({ total: 3, prompts: ["lighthouses of Brittany"] })
      expect(await prompts(store.images, { query: "lighthouse zebra" })).toEqual({ total: 0, prompts: [] })
    })
  })

  test("relevance order ranks by bm25, then newest", async () => {
    await withStore(async (store) => {
      await store.images.insertMany([
        record("cat"),
        record("a dog and a cat in a very long prompt about many other things entirely"),
        record("cat cat cat"),
      ])
      const byRelevance = await prompts(store.images, { query: "cat", order: "relevance" })
      expect(byRelevance.prompts[0]).toBe("cat cat cat")
      expect(byRelevance.prompts.at(-1)).toStartWith("a dog and a cat")
      const filtered = await prompts(store.images, { query: "cat", order: "relevance", until: "2026-03-24", limit: 2 })
      expect(filtered).toEqual({ total: 3, prompts: ["cat cat cat", "cat"] })
      const newest = await prompts(store.images, { query: "cat" })
      expect(newest.prompts).toEqual([
        "cat cat cat",
        "a dog and a cat in a very long prompt about many other things entirely",
        "cat",
      ])
    })
  })

  test("provider, origin and date filters combine", async () => {
    await withStore(async (store) => {
      await store.images.insertMany([
        record("castle one", { provider: "openai", createdEpoch: MARCH_24 - DAY + 5 }),
        record("castle two", { provider: "gemini", createdEpoch: MARCH_24 + 10 }),
        record("castle three", { provider: "openai", createdEpoch: MARCH_24 + DAY - 1 }),
        record("castle four", {
          provider: "",
          origin: "imported",
          originSource: "upload",
          createdEpoch: MARCH_24 + DAY,
        }),
      ])
      const ask = (input: Partial<SearchInput>) =>
        prompts(store.images, { query: "castle", ...input }).then((r) => r.prompts)
      expect(await ask({ provider: "openai" })).toEqual(["castle three", "castle one"])
      expect(await ask({ origin: "imported" })).toEqual(["castle four"])
      expect(await ask({ origin: "generated" })).toEqual(["castle three", "castle two", "castle one"])
      expect(await ask({ origin: "all" })).toHaveLength(4)
      expect(await ask({ since: "2026-03-24", until: "2026-03-24" })).toEqual(["castle three", "castle two"])
      expect(await ask({ since: "2026-03-25" })).toEqual(["castle four"])
      expect(await ask({ until: "2026-03-23" })).toEqual(["castle one"])
      expect(await ask({ since: "2026-03-24T00:00:10Z", until: "2026-03-24T12:00:00+00:00" })).toEqual(["castle two"])
      expect(await ask({ since: "2026-03-24T01:00:10+01:00", provider: "gemini" })).toEqual(["castle two"])
      expect(await ask({ provider: "openai", origin: "generated", since: "2026-03-24" })).toEqual(["castle three"])
      const total = await searchImages(store.images, { query: "castle", provider: "openai", until: "2026-03-24" })
      expect(total.total).toBe(2)
    })
  })

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

  test("FTS syntax in a query is matched as text, never an SQLite error", async () => {
    await withStore(async (store) => {
      await store.images.insertMany([record('a "quoted" NEAR thing: prompt* OR not'), record("sd_webui render, café")])
      const hostile = [
        '"',
        '"quoted',
        "NEAR(",
        "OR",
        "prompt:thing",
        "a*",
        "(x",
        "^start",
        "x\u0000y",
        "AND NOT -a",
        "{prompt}: x",
      ]
      for (const query of hostile) {
        if (!searchWords(query).length) continue
        await searchImages(store.images, { query })
        await searchImages(store.images, { query, order: "relevance" })
      }
      expect((await prompts(store.images, { query: "near OR" })).total).toBe(1)
      expect((await prompts(store.images, { query: 'quoted"' })).total).toBe(1)
      expect((await prompts(store.images, { query: "SD_WEBUI CAFE" })).prompts).toEqual(["sd_webui render, café"])
    })
  })
})

describe("the index stays in sync", () => {
  test("inserts, prompt changes through upsert and deletes", async () => {
    await withStore(async (store) => {
      const first = record("an owl in snow")
      await store.images.upsert(first)
      expect((await prompts(store.images, { query: "owl" })).total).toBe(1)
      await store.images.upsert({ ...first, prompt: "a fox in snow" })
      expect((await prompts(store.images, { query: "owl" })).total).toBe(0)
      expect((await prompts(store.images, { query: "fox" })).prompts).toEqual(["a fox in snow"])
      await store.images.delete(first.id)
      expect((await prompts(store.images, { query: "fox" })).total).toBe(0)
      expect((await prompts(store.images, { query: "snow" })).total).toBe(0)
    })
  })

  test("migration 0003 indexes the rows already there, keeps their order, and survives VACUUM", async () => {
    await using dir = await tmpdir()
    const path = join(dir.path, "state.sqlite")
    const old = new Database(path, { create: true, strict: true })
    for (const [version, sql] of MIGRATIONS.slice(0, 2).entries()) {
      old.run(sql)
      old.run(`PRAGMA user_version = ${version + 1}`)
    }
    const rows = [record("a horse"), record("zebra crossing"), record("an old zebra")]
    const columns = Object.keys(imageToRow(rows[0] as ImageRecord))
    for (const row of rows) old.query(insertSql("images", columns)).run(imageToRow(row) as never)
    old.run("DELETE FROM images WHERE prompt = 'a horse'")
    old.close()

    const storage = await openTestStorage(dir.path)
    const { store } = storage
    try {
      expect((await store.images.list()).map((r) => r.prompt)).toEqual(["zebra crossing", "an old zebra"])
      expect((await prompts(store.images, { query: "zebra" })).total).toBe(2)
      await store.images.upsert(record("zebra three"))
      const db = new Database(path, { strict: true })
      db.run("VACUUM")
      db.close()
      expect((await prompts(store.images, { query: "zebra" })).prompts).toEqual([
        "zebra three",
        "an old zebra",
        "zebra crossing",
      ])
      expect((await prompts(store.images, { query: "three" })).total).toBe(1)
    } finally {
      await storage.close()
    }
  })
})
