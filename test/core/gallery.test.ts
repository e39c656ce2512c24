import { describe, expect, test } from "bun:test"
import { Gallery } from "@/core/images/gallery"
import { isoTimestamp } from "@/core/time"
import type { ImageRecord } from "@/storage/types"
import { quadrantPng } from "../fixture/images"
import { addImage } from "../helpers/gallery"
import { startServices } from "../helpers/services"

/** Rows without files, so pages come from SQL alone (their thumbnails cannot be made). */
function rows(count: number, fields: (i: number) => Partial<ImageRecord> = () => ({})): ImageRecord[] {
  return Array.from({ length: count }, (_, i) => {
    const id = `a${i.toString(16).padStart(11, "0")}`
    const createdEpoch = 1_774_310_400 + i
    return {
      id,
      prompt: `row ${i}`,
      negativePrompt: null,
      provider: "placeholder",
      aspectRatio: "1:1",
      quality: "standard",
      background: "opaque",
      contentType: "image/png",
      originalFilename: `${id}-original.png`,
      originalSizeBytes: 10,
      width: 8,
      height: 8,
      providerMetadata: {},
      createdAt: isoTimestamp(createdEpoch),
      createdEpoch,
      sourceImageIds: [],
      origin: "generated",
      originSource: null,
      ...fields(i),
    }
  })
}

function galleryOf(services: Awaited<ReturnType<typeof startServices>>["services"]): Gallery {
  return new Gallery({
    store: services.store.images,
    images: services.images,
    views: services.views,
    jobs: services.jobs,
  })
}

describe("Gallery pages", () => {
  test("pages come from SQL newest first; the last page is partial; totals are counts", async () => {
    await using env = await startServices()
    await env.services.store.images.insertMany(rows(500))
    const gallery = galleryOf(env.services)
    const last = await gallery.page({ page: 21, pageSize: 24 })
    expect(last).toMatchObject({ total: 500, page: 21, page_size: 24, origin: "generated" })
    expect(last.items.map((i) => i.prompt)).toEqual(Array.from({ length: 20 }, (_, i) => `row ${19 - i}`))
    const first = await gallery.page()
    expect(first.items.map((i) => i.prompt)).toEqual(Array.from({ length: 12 }, (_, i) => `row ${499 - i}`))
  })

  test("an unreadable original gives a null thumbnail instead of failing the page", async () => {
    await using env = await startServices()
    const real = await addImage(env.services, quadrantPng(20, 10))
    await env.services.store.images.insertMany(rows(1))
    const page = await galleryOf(env.services).page()
    const byId = Object.fromEntries(page.items.map((i) => [i.image_id, i.thumbnail_b64]))
    expect(byId.a00000000000).toBeNull()
    expect(typeof byId[real.id]).toBe("string")
  })

  test("origin and query filters count in SQL, page by page", async () => {
    await using env = await startServices()
    const mixed = (i: number): Partial<ImageRecord> => ({
      prompt: i % 3 ? `a quiet harbour ${i}` : `a loud market ${i}`,
      ...(i % 2 && { origin: "imported", originSource: "upload", provider: "" }),
    })
    await env.services.store.images.insertMany(rows(60, mixed))
    const gallery = galleryOf(env.services)
    expect((await gallery.page({ origin: "all" })).total).toBe(60)
    expect((await gallery.page({ origin: "imported" })).total).toBe(30)
    expect((await gallery.page({ origin: "generated" })).total).toBe(30)
    const harbour = await gallery.page({ origin: "all", query: "HARBOUR", pageSize: 24, page: 2 })
    expect(harbour).toMatchObject({ total: 40, query: "HARBOUR" })
    expect(harbour.items).toHaveLength(16)
    expect(harbour.items.every((i) => String(i.prompt).includes("harbour"))).toBe(true)
    const importedHarbour = await gallery.page({ origin: "imported", query: "harbour" })
    expect(importedHarbour.total).toBe(20)
    expect(importedHarbour.items.every((i) => i.origin === "imported")).toBe(true)
  })
})
