import { expect, test } from "bun:test"
import { type SearchInput, searchImages } from "@/core/images/search"
import type { ImageStore } from "@/storage"
import { type DriverUnderTest, open } from "./driver"
import { DAY, image, MARCH_24 } from "./records"

const prompts = (images: ImageStore, input: SearchInput) =>
  searchImages(images, input).then((r) => ({ total: r.total, prompts: r.records.map((x) => x.prompt) }))

/** Image rows: writes, reads, pages and the gallery search (the answers of SQLite's FTS5 index). */
export function imageContract(driver: DriverUnderTest): void {
  const withImages = async (fn: (images: ImageStore) => Promise<void>) => {
    await using fresh = await driver.fresh()
    await using storage = await open(fresh.settings)
    await fn(storage.store.images)
  }

  test("a record reads back exactly as written; an upsert replaces it in place; delete says whether it existed", async () => {
    await withImages(async (images) => {
      const first = image("an owl", {
        negativePrompt: "blur",
        providerMetadata: { seed: 7, nested: { a: [1, "two"] } },
        sourceImageIds: ["aaaaaaaaaaaa"],
        origin: "imported",
        originSource: "upload",
        createdEpoch: MARCH_24 + 0.25,
      })
      const second = image("a fox")
      await images.upsert(first)
      await images.upsert(second)
      expect(await images.get(first.id)).toEqual(first)
      await images.upsert({ ...first, prompt: "an owl at night", width: 16 })
      expect((await images.list()).map((r) => [r.id, r.prompt])).toEqual([
        [first.id, "an owl at night"],
        [second.id, "a fox"],
      ])
      expect(await images.delete(first.id)).toBe(true)
      expect(await images.delete(first.id)).toBe(false)
      expect(await images.get(first.id)).toBeUndefined()
      expect(await images.count()).toBe(1)
    })
  })

  test("list: insertion order or newest first, by origin, in pages; count by origin", async () => {
    await withImages(async (images) => {
      const rows = [
        image("b", { createdEpoch: MARCH_24 + 20 }),
        image("a", { createdEpoch: MARCH_24 + 10, origin: "imported", originSource: "upload" }),
        image("c", { createdEpoch: MARCH_24 + 30 }),
      ]
      expect(await images.insertMany(rows)).toBe(3)
      const names = (list: { prompt: string }[]) => list.map((r) => r.prompt)
      expect(names(await images.list())).toEqual(["b", "a", "c"])
      expect(names(await images.list({ newestFirst: true }))).toEqual(["c", "b", "a"])
      expect(names(await images.list({ origin: "generated" }))).toEqual(["b", "c"])
      expect(names(await images.list({ newestFirst: true, limit: 1, offset: 1 }))).toEqual(["b"])
      expect(names(await images.list({ offset: 2 }))).toEqual(["c"])
      expect(await images.count()).toBe(3)
      expect(await images.count({ origin: "imported" })).toBe(1)
    })
  })

  test("search: every word must match; newest first; total counts all matches", async () => {
    await withImages(async (images) => {
      await images.insertMany([
        image("a lighthouse at dusk, oil painting"),
        image("a red barn at dusk"),
        image("Lighthouse keeper portrait"),
        image("lighthouses of Brittany"),
      ])
      expect(await prompts(images, { query: "lighthouse" })).toEqual({
        total: 3,
        prompts: ["lighthouses of Brittany", "Lighthouse keeper portrait", "a lighthouse at dusk, oil painting"],
      })
      expect(await prompts(images, { query: "dusk lighthouse" })).toEqual({
        total: 1,
        prompts: ["a lighthouse at dusk, oil painting"],
      })
      expect(await prompts(images, { query: "light", limit: 1 })).toEqual({
        total: 3,
        prompts: ["lighthouses of Brittany"],
      })
      expect(await prompts(images, { query: "lighthouse zebra" })).toEqual({ total: 0, prompts: [] })
    })
  })

  test("search: relevance ranks by bm25, then newest", async () => {
    await withImages(async (images) => {
      await images.insertMany([
        image("cat"),
        image("a dog and a cat in a very long prompt about many other things entirely"),
        image("cat cat cat"),
        image("dog"),
      ])
      const byRelevance = await prompts(images, { query: "cat", order: "relevance" })
      expect(byRelevance.prompts).toEqual([
        "cat cat cat",
        "cat",
        "a dog and a cat in a very long prompt about many other things entirely",
      ])
      const filtered = await prompts(images, { query: "cat", order: "relevance", until: "2026-03-24", limit: 2 })
      expect(filtered).toEqual({ total: 3, prompts: ["cat cat cat", "cat"] })
      const two = await prompts(images, { query: "dog cat", order: "relevance" })
      expect(two.prompts).toEqual(["a dog and a cat in a very long prompt about many other things entirely"])
      expect((await prompts(images, { query: "cat" })).prompts).toEqual([
        "cat cat cat",
        "a dog and a cat in a very long prompt about many other things entirely",
        "cat",
      ])
    })
  })

  test("search: provider, origin and date filters combine", async () => {
    await withImages(async (images) => {
      await images.insertMany([
        image("castle one", { provider: "openai", createdEpoch: MARCH_24 - DAY + 5 }),
        image("castle two", { provider: "gemini", createdEpoch: MARCH_24 + 10 }),
        image("castle three", { provider: "openai", createdEpoch: MARCH_24 + DAY - 1 }),
        image("castle four", {
          provider: "",
          origin: "imported",
          originSource: "upload",
          createdEpoch: MARCH_24 + DAY,
        }),
      ])
      const ask = (input: Partial<SearchInput>) => prompts(images, { query: "castle", ...input }).then((r) => r.prompts)
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
      expect((await searchImages(images, { query: "castle", provider: "openai", until: "2026-03-24" })).total).toBe(2)
    })
  })

  test("search: query syntax is matched as text; case, accents and punctuation are ignored; phrases stay in order", async () => {
    await withImages(async (images) => {
      await images.insertMany([
        image('a "quoted" NEAR thing: prompt* OR not'),
        image("sd_webui render, café"),
        image("webui sd, well-known foo.bar 1.5"),
      ])
      const hostile = ['"', '"quoted', "NEAR(", "OR", "prompt:thing", "a*", "(x", "^start", "x\u0000y", "AND NOT -a"]
      for (const query of [...hostile, "{prompt}: x", "%", "_", "\\", "'", "&|!"]) {
        await searchImages(images, { query }).catch((e: Error) => expect(e.message).toContain("at least one word"))
        await searchImages(images, { query, order: "relevance" }).catch((e: Error) =>
          expect(e.message).toContain("at least one word"),
        )
      }
      expect((await prompts(images, { query: "near OR" })).total).toBe(1)
      expect((await prompts(images, { query: 'quoted"' })).total).toBe(1)
      expect((await prompts(images, { query: "SD_WEBUI CAFE" })).prompts).toEqual(["sd_webui render, café"])
      expect((await prompts(images, { query: "webui_sd" })).prompts).toEqual(["webui sd, well-known foo.bar 1.5"])
      expect((await prompts(images, { query: "known-well" })).total).toBe(0)
      expect((await prompts(images, { query: "foo bar" })).total).toBe(1)
      expect((await prompts(images, { query: "1 5" })).total).toBe(1)
      expect((await prompts(images, { query: "ren" })).prompts).toEqual(["sd_webui render, café"])
      expect((await prompts(images, { query: "ren cafe" })).total).toBe(0)
    })
  })

  test("search: the index follows inserts, prompt changes through upsert, and deletes", async () => {
    await withImages(async (images) => {
      const first = image("an owl in snow")
      await images.upsert(first)
      expect((await prompts(images, { query: "owl" })).total).toBe(1)
      await images.upsert({ ...first, prompt: "a fox in snow" })
      expect((await prompts(images, { query: "owl" })).total).toBe(0)
      expect((await prompts(images, { query: "fox" })).prompts).toEqual(["a fox in snow"])
      await images.delete(first.id)
      expect((await prompts(images, { query: "fox" })).total).toBe(0)
      expect((await prompts(images, { query: "snow" })).total).toBe(0)
    })
  })
}
