// Download links stream the original from the blob store (files or S3 on s3rver) through a real Bun.serve.
import { describe, expect, test } from "bun:test"
import { createHash } from "node:crypto"
import { join } from "node:path"
import { Hono } from "hono"
import { TransferService } from "@/core/transfer/service"
import { transferRoutes } from "@/http/transfer"
import { configureLogger } from "@/util/log"
import { buildPng } from "@/util/png"
import { tmpdir } from "../fixture/tmpdir"
import { addImage } from "../helpers/gallery"
import { type S3Server, startS3 } from "../helpers/s3"
import { startServices } from "../helpers/services"

/** A PNG of about `width * height * 3` bytes: stored without compression, so its size is what the test needs. */
function largePng(width: number, height: number): Uint8Array {
  const stride = width * 3 + 1
  const rows = new Uint8Array(stride * height)
  for (let i = 0; i < rows.length; i++) rows[i] = i % stride === 0 ? 0 : (i * 7) & 0xff
  return buildPng(width, height, 3, rows, 0)
}

const digest = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex")

/** Services on `env`, a download link for `bytes`, and the transfer route behind a real Bun.serve. */
async function serveDownload(dir: string, env: Record<string, string>, bytes: Uint8Array) {
  const base = await startServices({ env: { IMAGE_GENERATION_MCP_SCRATCH_DIR: join(dir, "images"), ...env } })
  const { services, config } = base
  const transfers = new TransferService({
    store: services.store.transfers,
    images: services.images,
    imports: services.imports,
    config: config.transfer,
    maxInputImageBytes: config.maxInputImageBytes,
  })
  const app = new Hono()
  app.route("/", transferRoutes(transfers))
  const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: app.fetch })
  const image = await addImage(services, bytes)
  const link = async () =>
    `http://127.0.0.1:${server.port}/transfer/${(await transfers.createDownloadLink(image.id)).token}`
  return {
    image,
    link,
    app,
    async [Symbol.asyncDispose]() {
      server.stop(true)
      await base[Symbol.asyncDispose]()
    },
  }
}

async function withS3(run: (s3: S3Server, env: Record<string, string>, dir: string) => Promise<void>) {
  await using dir = await tmpdir()
  await using s3 = await startS3(join(dir.path, "s3"))
  await run(s3, { ...s3.env, IMAGE_GENERATION_MCP_BLOB_STORE_URL: "s3://images/gallery" }, dir.path)
}

describe("download links stream the original", () => {
  test("from S3: the exact bytes, and the answer starts before S3 has sent the whole object", async () => {
    await withS3(async (s3, env, dir) => {
      const png = largePng(4200, 4000) // ≈ 50 MB
      await using served = await serveDownload(dir, env, png)
      const before = s3.bytesServed()
      const res = await fetch(await served.link())
      expect(res.status).toBe(200)
      expect(res.headers.get("content-type")).toBe("image/png")
      expect(res.headers.get("content-disposition")).toStartWith(`attachment; filename="${served.image.id}.png"`)
      // Bun.serve sends an S3 stream chunked for now (oven-sh/bun#10507); a length it does send must be the size.
      expect([null, String(png.length)]).toContain(res.headers.get("content-length"))
      const reader = (res.body as ReadableStream<Uint8Array>).getReader()
      const first = await reader.read()
      // A route that read the object before answering would have pulled all of it from S3 by now.
      const servedAtFirstChunk = s3.bytesServed() - before
      expect(first.value?.length).toBeGreaterThan(0)
      expect(servedAtFirstChunk).toBeLessThan(png.length * 0.75)
      const chunks = [first.value as Uint8Array]
      for (let next = await reader.read(); !next.done; next = await reader.read()) chunks.push(next.value)
      const received = Buffer.concat(chunks)
      expect(received.length).toBe(png.length)
      expect(digest(received)).toBe(digest(png))
    })
  })

  test("the route states the size as Content-Length; Bun.serve keeps it for a file's stream", async () => {
    await withS3(async (_s3, env, dir) => {
      const png = largePng(300, 200)
      await using served = await serveDownload(dir, env, png)
      const token = new URL(await served.link()).pathname
      const res = await served.app.request(token)
      expect(res.headers.get("content-length")).toBe(String(png.length))
      expect(digest(new Uint8Array(await res.arrayBuffer()))).toBe(digest(png))
    })
    await using dir = await tmpdir()
    const png = largePng(1200, 1000)
    await using served = await serveDownload(dir.path, {}, png)
    const res = await fetch(await served.link())
    expect(res.headers.get("content-length")).toBe(String(png.length))
    expect(digest(new Uint8Array(await res.arrayBuffer()))).toBe(digest(png))
  })

  test("S3 down: 503 saying so (not 'not found', no address), the link survives and works once S3 is back", async () => {
    configureLogger({ level: "error" })
    await withS3(async (s3, env, dir) => {
      const png = largePng(64, 64)
      await using served = await serveDownload(dir, env, png)
      const url = await served.link()
      await s3.stop()
      const down = await fetch(url)
      expect(down.status).toBe(503)
      const body = (await down.json()) as { error: string }
      expect(body.error).toBe("The image store is unavailable right now; this link still works, retry shortly.")
      expect(body.error).not.toContain("127.0.0.1")
      await s3.start()
      const back = await fetch(url)
      expect(back.status).toBe(200)
      expect(digest(new Uint8Array(await back.arrayBuffer()))).toBe(digest(png))
    })
  })
})
