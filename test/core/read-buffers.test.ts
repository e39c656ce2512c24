import { describe, expect, test } from "bun:test"
import { ReadBuffers } from "@/core/transform/buffers"
import { createFileBlobStore } from "@/storage/file-blobs"
import { noisyPng } from "../fixture/images"
import { tmpdir } from "../fixture/tmpdir"
import { addImage } from "../helpers/gallery"
import { startServices } from "../helpers/services"

const q = (query: string) => new URLSearchParams(query)

describe("read buffers", () => {
  test("a released buffer serves the next read; only buffers made here, within the caps, are kept", () => {
    const buffers = new ReadBuffers({ keep: 1, maxBytes: 4 * 1024 * 1024 })
    const first = buffers.take(1_500_000)
    expect(first.length).toBe(1_500_000)
    buffers.release(first)
    const second = buffers.take(1_200_000)
    expect(second.buffer).toBe(first.buffer)
    expect(second.length).toBe(1_200_000)

    buffers.release(new Uint8Array(2_000_000))
    expect(buffers.heldBytes).toBe(0)
    buffers.release(buffers.take(9 * 1024 * 1024))
    expect(buffers.heldBytes).toBe(0)
    const other = buffers.take(10)
    buffers.release(second)
    buffers.release(other)
    buffers.release(second)
    expect(buffers.heldBytes).toBe(second.buffer.byteLength)
  })

  test("the file blob store reads into the buffer it is lent, sized to the file", async () => {
    await using dir = await tmpdir()
    const blobs = createFileBlobStore(dir.path)
    const bytes = await noisyPng(300, 200)
    await blobs.write("a.png", bytes)
    const lent: number[] = []
    const read = await blobs.read("a.png", (size) => {
      lent.push(size)
      return new Uint8Array(new ArrayBuffer(size + 100), 0, size)
    })
    expect(lent).toEqual([bytes.length])
    expect(read.buffer.byteLength).toBe(bytes.length + 100)
    expect(Buffer.from(read).equals(Buffer.from(bytes))).toBe(true)
    expect(Buffer.from(await blobs.read("a.png")).equals(Buffer.from(bytes))).toBe(true)
  })

  test("views of different images at once, through shared buffers, equal the same views one at a time", async () => {
    await using env = await startServices({ env: { IMAGE_GENERATION_MCP_TRANSFORM_CACHE_SIZE: "0" } })
    const { views } = env.services
    const images = await Promise.all(
      [1, 2, 3].map(async (seed) => addImage(env.services, await noisyPng(400, 300, seed))),
    )
    const queries = ["format=webp&width=200", "format=png&rotate=90", "crop_x=10&crop_y=10&crop_w=50&crop_h=40"]
    const one = async (i: number) => {
      const image = images[i % 3]
      if (!image) throw new Error("no image")
      return Buffer.from((await views.view(image.id, q(queries[i % 3] ?? ""))).bytes)
    }
    const alone: Buffer[] = []
    for (let i = 0; i < 9; i++) alone.push(await one(i))
    const together = await Promise.all(Array.from({ length: 9 }, (_, i) => one(i)))
    expect(together.map((b, i) => b.equals(alone[i] as Buffer))).toEqual(Array(9).fill(true))
  })

  test("a small WebP original shown as its own preview keeps its bytes after the buffer is reused", async () => {
    await using env = await startServices()
    const { views } = env.services
    const webp = await new Bun.Image(await noisyPng(300, 200, 7)).webp({ quality: 80 }).bytes()
    const small = await addImage(env.services, webp, { contentType: "image/webp" })
    const other = await addImage(env.services, await noisyPng(400, 300, 8))
    await views.premade()
    const shown = await views.preview(small.id, q(""))
    expect(Buffer.from(shown.preview.bytes).equals(Buffer.from(webp))).toBe(true)
    await views.view(other.id, q("format=png&width=350"))
    await views.view(other.id, q("format=jpeg&width=320"))
    const again = await views.preview(small.id, q(""))
    expect(Buffer.from(again.preview.bytes).equals(Buffer.from(webp))).toBe(true)
  })
})
