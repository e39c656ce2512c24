import { afterEach, describe, expect, test } from "bun:test"
import { Hono } from "hono"
import { TransferService } from "@/core/transfer/service"
import { hashToken } from "@/core/transfer/tokens"
import { transferRoutes } from "@/http/transfer"
import { configureLogger } from "@/util/log"
import { quadrantPng } from "../fixture/images"
import { addImage } from "../helpers/gallery"
import { startServices } from "../helpers/services"
import { STATE_DEADLINE_MS } from "../helpers/wait"

/** Test services, a TransferService over them with a movable clock, and the route mounted on a bare app. */
async function setup(env: Record<string, string> = {}) {
  const base = await startServices({ env })
  const clock = { now: 1_000_000 }
  const { services, config } = base
  const transfers = new TransferService({
    store: services.store.transfers,
    images: services.images,
    imports: services.imports,
    config: config.transfer,
    maxInputImageBytes: config.maxInputImageBytes,
    now: () => clock.now,
  })
  const app = new Hono()
  app.route("/", transferRoutes(transfers))
  const send = async (token: string, init?: RequestInit): Promise<Response> => app.request(`/transfer/${token}`, init)
  const downloadLink = async (bytes = quadrantPng(8, 8)) => {
    const image = await addImage(services, bytes)
    return { image, bytes, token: (await transfers.createDownloadLink(image.id)).token }
  }
  return Object.assign(base, { transfers, clock, app, send, downloadLink })
}

const NOT_FOUND = { status: 404, body: { error: "Not found" } }
const json = async (res: Response) => (await res.json()) as Record<string, string>
const answer = async (res: Response) => ({ status: res.status, body: await json(res) })

describe("GET (download)", () => {
  test("serves the original once, as an attachment; afterwards the link is not found", async () => {
    await using env = await setup()
    const { image, bytes, token } = await env.downloadLink()
    const res = await env.send(token)
    expect(res.status).toBe(200)
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(new Uint8Array(bytes))
    expect(res.headers.get("content-type")).toBe("image/png")
    expect(res.headers.get("content-disposition")).toBe(
      `attachment; filename="${image.id}.png"; filename*=UTF-8''${image.id}.png`,
    )
    expect(res.headers.get("cache-control")).toBe("no-store")
    expect(await answer(await env.send(token))).toEqual(NOT_FOUND)
  })

  test("unknown, malformed, expired and wrong-kind links get the identical 404", async () => {
    await using env = await setup()
    const { token } = await env.downloadLink()
    const upload = (await env.transfers.createUploadLink("a.png")).token
    const expiring = (await env.transfers.createUploadLink("b.png", 5)).token
    const responses = [
      await env.send("A".repeat(43)),
      await env.send("not-a-token"),
      await env.send(upload),
      await env.send(token, { method: "POST", body: quadrantPng(4, 4) }),
    ]
    env.clock.now += 5
    responses.push(await env.send(expiring, { method: "PUT", body: quadrantPng(4, 4) }))
    for (const res of responses) {
      expect(await answer(res)).toEqual(NOT_FOUND)
      expect(res.headers.get("content-type")).toStartWith("application/json")
    }
    expect((await env.send(token)).status).toBe(200)
    expect((await env.send(upload, { method: "POST", body: quadrantPng(4, 4) })).status).toBe(200)
  })

  test("a link held by a live claim answers 409", async () => {
    await using env = await setup()
    const { token } = await env.downloadLink()
    const held = await env.transfers.claim(token, "download")
    expect(held.outcome).toBe("claimed")
    const res = await env.send(token)
    expect(res.status).toBe(409)
    expect((await json(res)).error).toContain("in use")
  })

  test("an image deleted after minting gives 500 and the link is released", async () => {
    await using env = await setup()
    const { image, token } = await env.downloadLink()
    await env.services.images.delete(image.id)
    const res = await env.send(token)
    expect(res.status).toBe(500)
    expect((await json(res)).error).toBe("The image behind this link could not be read.")
    expect((await env.services.store.transfers.get(hashToken(token)))?.status).toBe("available")
  })

  test("50 concurrent GETs through app.request: exactly one 200", async () => {
    await using env = await setup()
    const { token } = await env.downloadLink()
    const statuses = await Promise.all(Array.from({ length: 50 }, () => env.send(token).then((r) => r.status)))
    expect(statuses.filter((s) => s === 200)).toHaveLength(1)
    expect(statuses.every((s) => s === 200 || s === 404 || s === 409)).toBe(true)
  })

  test("50 concurrent GETs to a real server on 127.0.0.1: exactly one 200", async () => {
    await using env = await setup()
    env.clock.now = Date.now() / 1000
    const { bytes, token } = await env.downloadLink(quadrantPng(64, 64))
    const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: env.app.fetch })
    try {
      const url = `http://127.0.0.1:${server.port}/transfer/${token}`
      const results = await Promise.all(
        Array.from({ length: 50 }, async () => {
          const res = await fetch(url)
          return { status: res.status, body: new Uint8Array(await res.arrayBuffer()) }
        }),
      )
      const ok = results.filter((r) => r.status === 200)
      expect(ok).toHaveLength(1)
      expect(ok[0]?.body).toEqual(new Uint8Array(bytes))
      expect(results.every((r) => r.status === 200 || r.status === 404 || r.status === 409)).toBe(true)
    } finally {
      await server.stop(true)
    }
  })
})

describe("POST/PUT (upload)", () => {
  test("stores the body as an imported image with origin_source `upload`, once", async () => {
    await using env = await setup()
    for (const method of ["POST", "PUT"]) {
      const { token } = await env.transfers.createUploadLink("photo.png")
      const res = await env.send(token, { method, body: quadrantPng(12, 10 + method.length) })
      expect(res.status).toBe(200)
      const body = await json(res)
      expect(body).toEqual({
        image_id: expect.stringMatching(/^[0-9a-f]{12}$/),
        uri: expect.any(String),
        origin: "imported",
      })
      expect(body.uri).toBe(`image://${body.image_id}/view`)
      const record = await env.services.images.require(body.image_id ?? "")
      expect(record).toMatchObject({ origin: "imported", originSource: "upload", width: 12 })
      const again = await env.send(token, { method, body: quadrantPng(4, 4) })
      expect(await answer(again)).toEqual(NOT_FOUND)
      expect(again.headers.get("connection")).toBe("close")
    }
  })

  test("a streamed body over the cap is cut off early: 413, Connection: close, link released", async () => {
    await using env = await setup({ IMAGE_GENERATION_MCP_TRANSFER_MAX_UPLOAD_BYTES: "65536" })
    const { token } = await env.transfers.createUploadLink("big.png")
    let pulls = 0
    let cancelled = false
    const chunk = new Uint8Array(16 * 1024)
    const total = 1000 // 16 MB on offer
    const body = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          pulls++
          if (pulls > total) controller.close()
          else controller.enqueue(chunk)
        },
        cancel() {
          cancelled = true
        },
      },
      { highWaterMark: 0 },
    )
    const res = await env.send(token, { method: "PUT", body, duplex: "half" } as RequestInit)
    expect(res.status).toBe(413)
    expect(res.headers.get("connection")).toBe("close")
    expect((await json(res)).error).toBe("The upload exceeds the 65536-byte limit.")
    expect(pulls).toBeLessThanOrEqual(8)
    expect(cancelled).toBe(true)
    expect((await env.send(token, { method: "PUT", body: quadrantPng(8, 8) })).status).toBe(200)
  })

  test("over the cap through a real server: the client gets the 413 long before its body ends", async () => {
    await using env = await setup({ IMAGE_GENERATION_MCP_TRANSFER_MAX_UPLOAD_BYTES: "65536" })
    env.clock.now = Date.now() / 1000
    const { token } = await env.transfers.createUploadLink("big.png")
    let pulls = 0
    // After four times the cap the body waits for the answer (or, if none comes, a deadline) before it goes on:
    // a server that read the whole body first would get all of it, however fast or slow this machine is.
    const answered = Promise.withResolvers<void>()
    const body = new ReadableStream<Uint8Array>(
      {
        async pull(controller) {
          pulls++
          if (pulls === 16) await Promise.race([answered.promise, Bun.sleep(STATE_DEADLINE_MS)])
          if (pulls > 2000)
            controller.close() // 32 MB on offer
          else controller.enqueue(new Uint8Array(16 * 1024))
        },
      },
      { highWaterMark: 0 },
    )
    const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: env.app.fetch })
    try {
      const url = `http://127.0.0.1:${server.port}/transfer/${token}`
      const res = await fetch(url, { method: "PUT", body, duplex: "half" } as RequestInit)
      answered.resolve()
      expect(res.status).toBe(413)
      expect(res.headers.get("connection")).toBe("close")
      expect(pulls).toBeLessThan(64)
    } finally {
      await server.stop(true)
    }
  })

  test("a declared Content-Length over the cap is refused without reading", async () => {
    await using env = await setup({ IMAGE_GENERATION_MCP_MAX_INPUT_IMAGE_BYTES: "1000" })
    const { token } = await env.transfers.createUploadLink("big.png")
    const res = await env.send(token, { method: "POST", body: new Uint8Array(1001) })
    expect(res.status).toBe(413)
    expect((await json(res)).error).toBe("The upload exceeds the 1000-byte limit.")
  })

  test("a body that is not a PNG/JPEG/WebP image is a 400 and does not spend the link", async () => {
    await using env = await setup()
    const { token } = await env.transfers.createUploadLink("a.png")
    for (const body of ["hello", ""]) {
      const res = await env.send(token, { method: "POST", body })
      expect(await answer(res)).toEqual({
        status: 400,
        body: { error: "The upload is not a decodable PNG, JPEG or WebP image." },
      })
      expect(res.headers.get("connection")).toBe("close")
    }
    expect((await env.send(token, { method: "POST", body: quadrantPng(8, 8) })).status).toBe(200)
  })

  test("a link held by a live claim answers 409 with Connection: close", async () => {
    await using env = await setup()
    const { token } = await env.transfers.createUploadLink("a.png")
    await env.transfers.claim(token, "upload")
    const res = await env.send(token, { method: "POST", body: quadrantPng(8, 8) })
    expect(res.status).toBe(409)
    expect(res.headers.get("connection")).toBe("close")
  })
})

test("other methods (HEAD included, which would otherwise spend a download) get 405 with Allow", async () => {
  await using env = await setup()
  const { token } = await env.downloadLink()
  for (const method of ["DELETE", "PATCH", "OPTIONS", "HEAD"]) {
    const res = await env.send(token, { method })
    expect(res.status).toBe(405)
    expect(res.headers.get("allow")).toBe("GET, POST, PUT")
    expect(res.headers.get("connection")).toBe("close")
  }
  expect((await env.send(token)).status).toBe(200)
})

describe("logs", () => {
  afterEach(() => configureLogger({ level: "error", json: true, sink: (line) => process.stderr.write(`${line}\n`) }))

  test("never contain a token, only a short hash prefix", async () => {
    const lines: string[] = []
    configureLogger({ level: "debug", json: false, sink: (line) => lines.push(line) })
    await using env = await setup({ IMAGE_GENERATION_MCP_TRANSFER_MAX_UPLOAD_BYTES: "100" })
    const { image, token } = await env.downloadLink()
    const upload = (await env.transfers.createUploadLink("a.png")).token
    await env.send(token)
    await env.send(token)
    await env.send(upload, { method: "POST", body: new Uint8Array(101) })
    await env.send(upload, { method: "POST", body: "x" })
    const gone = (await env.transfers.createDownloadLink(image.id)).token
    await env.services.images.delete(image.id)
    await env.send(gone)
    expect(lines.length).toBeGreaterThan(4)
    for (const secret of [token, upload, gone]) {
      for (const line of lines) expect(line).not.toContain(secret)
    }
    expect(lines.join("\n")).toContain(`link=${hashToken(token).slice(0, 8)}`)
  })
})
