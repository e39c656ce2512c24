import { describe, expect, test } from "bun:test"
import { mkdir, readdir } from "node:fs/promises"
import { join } from "node:path"
import type { Storage } from "@/storage"
import { quadrantPng } from "../fixture/images"
import { tmpdir } from "../fixture/tmpdir"
import { addImage } from "../helpers/gallery"
import { startServices } from "../helpers/services"
import { openTestStorage } from "../helpers/storage"

const listScratch = async (dir: string) => (await readdir(dir).catch(() => [] as string[])).sort()

describe("image registry writes", () => {
  test("identical bytes registered twice share one content-addressed id and one row", async () => {
    await using env = await startServices()
    const bytes = quadrantPng(16, 16)
    const first = await addImage(env.services, bytes, { prompt: "first" })
    const second = await addImage(env.services, bytes, { prompt: "second" })
    expect(first.id).toBe(second.id)
    expect(first.id).toBe(new Bun.CryptoHasher("sha256").update(bytes).digest("hex").slice(0, 12))
    expect(await env.services.images.count()).toBe(1)
    expect((await env.services.images.get(first.id))?.prompt).toBe("second")
  })

  test("bytes that are not an image are refused and nothing is written", async () => {
    await using env = await startServices()
    const attempt = addImage(env.services, new TextEncoder().encode("definitely not an image"))
    await expect(attempt).rejects.toThrow("The image is not a decodable image.")
    expect(await listScratch(env.config.scratchDir)).toEqual([])
    expect(await env.services.images.count()).toBe(0)
  })

  test("an imported image without a source is refused and leaves no file", async () => {
    await using env = await startServices()
    const attempt = env.services.images.register({
      bytes: quadrantPng(8, 8),
      contentType: "image/png",
      prompt: "",
      provider: "",
      aspectRatio: "",
      quality: "",
      background: "opaque",
      origin: "imported",
      originSource: "",
    })
    await expect(attempt).rejects.toThrow("origin_source")
    expect(await listScratch(env.config.scratchDir)).toEqual([])
  })

  test("a database failure after the files were written removes them again", async () => {
    await using dir = await tmpdir()
    const real = await openTestStorage(dir.path)
    const failing: Storage = {
      ...real,
      store: { ...real.store, images: { ...real.store.images, upsert: () => Promise.reject(new Error("disk full")) } },
    }
    await using env = await startServices({ dir, deps: { storage: failing } })
    await expect(addImage(env.services, quadrantPng(8, 8))).rejects.toThrow("disk full")
    expect(await listScratch(env.config.scratchDir)).toEqual([])
    expect(await real.store.images.count()).toBe(0)
  })

  test("a sidecar that cannot be written takes the original with it", async () => {
    await using env = await startServices()
    const bytes = quadrantPng(8, 8)
    const id = new Bun.CryptoHasher("sha256").update(bytes).digest("hex").slice(0, 12)
    await mkdir(join(env.config.scratchDir, `${id}.json`), { recursive: true })
    await expect(addImage(env.services, bytes)).rejects.toThrow()
    expect(await listScratch(env.config.scratchDir)).toEqual([`${id}.json`])
    expect(await env.services.images.count()).toBe(0)
  })

  test("a header declaring more pixels than the cap is refused before decoding", async () => {
    await using env = await startServices({ env: { IMAGE_GENERATION_MCP_MAX_INPUT_PIXELS: "100" } })
    await expect(addImage(env.services, quadrantPng(16, 16))).rejects.toThrow(
      "The image declares 16x16 (256 pixels), more than the 100-pixel limit (IMAGE_GENERATION_MCP_MAX_INPUT_PIXELS).",
    )
    expect(await listScratch(env.config.scratchDir)).toEqual([])
  })
})

test("a failed re-registration puts the stored record's sidecar back", async () => {
  await using dir = await tmpdir()
  const real = await openTestStorage(dir.path)
  let fail = false
  const { images } = real.store
  const flaky: Storage = {
    ...real,
    store: {
      ...real.store,
      images: { ...images, upsert: (r) => (fail ? Promise.reject(new Error("disk full")) : images.upsert(r)) },
    },
  }
  await using env = await startServices({ dir, deps: { storage: flaky } })
  const bytes = quadrantPng(8, 8)
  const first = await addImage(env.services, bytes, { prompt: "first" })
  fail = true
  await expect(addImage(env.services, bytes, { prompt: "second" })).rejects.toThrow("disk full")
  const sidecar = JSON.parse(await env.services.images.readSidecar(first.id))
  expect(sidecar.prompt).toBe("first")
  expect((await env.services.images.get(first.id))?.prompt).toBe("first")
})
