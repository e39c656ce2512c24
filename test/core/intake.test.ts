import { describe, expect, test } from "bun:test"
import { writeFile } from "node:fs/promises"
import { join } from "node:path"
import { pngBomb } from "../fixture/bombs"
import { imageServer } from "../fixture/image-server"
import { quadrantPng } from "../fixture/images"
import { tmpdir } from "../fixture/tmpdir"
import { addImage } from "../helpers/gallery"
import { startServices } from "../helpers/services"

const png = quadrantPng(40, 30)
const onlyLoopback = {
  resolve: async () => [{ address: "127.0.0.1", family: 4 }],
  allowAddress: (ip: string) => ip === "127.0.0.1",
}

describe("fetch_image over a local server (address policy widened to 127.0.0.1 for the test)", () => {
  test("stores the image as imported with a redacted source, connecting to the checked address", async () => {
    await using server = imageServer({
      "/dir/img.png": () => new Response(png, { headers: { "content-type": "image/png" } }),
    })
    let lookups = 0
    const resolve = async () => {
      lookups++
      return [{ address: "127.0.0.1", family: 4 }]
    }
    const fetch = { ...onlyLoopback, resolve }
    await using env = await startServices({ deps: { fetch } })
    const url = `http://user:secret@images.test:${server.port}/dir/img.png?token=SECRET#frag`
    const result = await env.services.imports.fetchUrl(url)
    expect(result.ok).toBe(true)
    if (!result.ok) return
    expect(result.message).toBe(`Fetched image into the gallery: image://${result.record.id}/view`)
    expect(result.record).toMatchObject({
      origin: "imported",
      originSource: `fetch:http://images.test:${server.port}/dir/img.png`,
      provider: "",
      prompt: "",
      width: 40,
      height: 30,
    })
    expect(server.requests).toEqual([{ path: "/dir/img.png?token=SECRET", host: `images.test:${server.port}` }])
    expect(lookups).toBe(1)
    const sidecar = JSON.parse(await env.services.images.readSidecar(result.record.id))
    expect(sidecar).toMatchObject({
      origin: "imported",
      origin_source: `fetch:http://images.test:${server.port}/dir/img.png`,
    })
    const again = await env.services.imports.fetchUrl(url)
    expect(again.ok && again.record.id).toBe(result.record.id)
    expect(await env.services.images.count()).toBe(1)
  })

  test("follows up to 3 redirects, checking every hop", async () => {
    const hop = (to: string) => () => new Response(null, { status: 302, headers: { location: to } })
    await using server = imageServer({
      "/1": hop("/2"),
      "/2": hop("/3"),
      "/3": hop("/img.png"),
      "/img.png": () => new Response(png),
      "/a": hop("/b"),
      "/b": hop("/c"),
      "/c": hop("/d"),
      "/d": hop("/img.png"),
      "/evil": hop("http://169.254.169.254/latest/meta-data/"),
    })
    await using env = await startServices({ deps: { fetch: onlyLoopback } })
    const base = `http://images.test:${server.port}`
    expect((await env.services.imports.fetchUrl(`${base}/1`)).ok).toBe(true)
    expect((await env.services.imports.fetchUrl(`${base}/a`)).message).toBe(
      "Could not fetch the image: more than 3 redirects.",
    )
    const evil = await env.services.imports.fetchUrl(`${base}/evil`)
    expect(evil.message).toBe(
      "Could not fetch the image: the address 169.254.169.254 is not public: private, loopback, link-local, or reserved addresses are not allowed.",
    )
    expect(server.requests.map((r) => r.path)).not.toContain("/latest/meta-data/")
  })

  test("status errors, oversize bodies, timeouts and non-images get their sentences", async () => {
    const big = new Uint8Array(3000)
    const stream = () =>
      new Response(
        new ReadableStream({
          start(controller) {
            for (let i = 0; i < 10; i++) controller.enqueue(new Uint8Array(500))
            controller.close()
          },
        }),
      )
    await using server = imageServer({
      "/big": () => new Response(big),
      "/stream": stream,
      // Answers only once the client has given up: later than any timeout, on any machine.
      "/slow": (req) =>
        new Promise<Response>((resolve) => req.signal.addEventListener("abort", () => resolve(new Response(png)))),
      "/text": () => new Response("hello, I am not an image"),
      "/cut": () => new Response(png.subarray(0, 60)),
      "/bomb": () => new Response(pngBomb()),
      "/broken": () => new Response("boom", { status: 500, statusText: "Internal Server Error" }),
    })
    await using env = await startServices({
      env: { IMAGE_GENERATION_MCP_MAX_INPUT_IMAGE_BYTES: "2048" },
      deps: { fetch: onlyLoopback },
    })
    // A short timeout only where it is the point: the other answers may take their time on a busy machine.
    await using impatient = await startServices({
      env: { IMAGE_GENERATION_MCP_FETCH_TIMEOUT_S: "0.3" },
      deps: { fetch: onlyLoopback },
    })
    const base = `http://images.test:${server.port}`
    const message = async (path: string, services = env.services) =>
      (await services.imports.fetchUrl(`${base}${path}?key=abc`)).message
    expect(await message("/missing.png")).toBe(`Could not fetch the image: HTTP 404 Not Found from ${base}/missing.png`)
    expect(await message("/broken")).toBe(
      `Could not fetch the image: HTTP 500 Internal Server Error from ${base}/broken`,
    )
    expect(await message("/big")).toBe(
      "Could not fetch the image: the response is 3000 bytes; the limit is 2048 bytes.",
    )
    expect(await message("/stream")).toBe("Could not fetch the image: the response is larger than the 2048-byte limit.")
    expect(await message("/slow", impatient.services)).toBe(
      "Could not fetch the image: the request timed out or the connection failed.",
    )
    expect(await message("/text")).toBe("Could not fetch the image: the fetched content is not a valid image.")
    expect(await message("/cut")).toBe("Could not fetch the image: the fetched content is not a valid image.")
    expect(await message("/bomb")).toContain("more than the 40000000-pixel limit")
    expect(await env.services.images.count()).toBe(0)
    expect(await impatient.services.images.count()).toBe(0)
  })
})

describe("ingest_base64_image", () => {
  const b64 = Buffer.from(png).toString("base64")

  test.each([
    ["raw", b64],
    ["a data: URI", `data:image/png;base64,${b64}`],
    ["an upper-case data: URI", `DATA:IMAGE/PNG;BASE64,${b64}`],
    ["line-wrapped", b64.replace(/(.{76})/g, "$1\n")],
  ])("accepts %s", async (_label, data) => {
    await using env = await startServices()
    const result = await env.services.imports.ingestBase64(data)
    expect(result.ok).toBe(true)
    if (result.ok) expect(result.record).toMatchObject({ origin: "imported", originSource: "base64", width: 40 })
  })

  test.each([
    [
      "not base64 at all!",
      "Could not decode the image: the data is not valid base64 (standard alphabet, with = padding).",
    ],
    ["abc", "Could not decode the image: the data is not valid base64 (standard alphabet, with = padding)."],
    ["", "Could not decode the image: no data was given."],
    [
      Buffer.from("just some text, no image").toString("base64"),
      "Could not decode the image: the decoded content is not a valid image.",
    ],
    [
      Buffer.from(png.subarray(0, 80)).toString("base64"),
      "Could not decode the image: the decoded content is not a valid image.",
    ],
    [
      Buffer.from(crypto.getRandomValues(new Uint8Array(300))).toString("base64"),
      "Could not decode the image: the decoded content is not a valid image.",
    ],
  ])("refuses %p", async (data, message) => {
    await using env = await startServices()
    expect((await env.services.imports.ingestBase64(data)).message).toBe(message)
    expect(await env.services.images.count()).toBe(0)
  })

  test("a bomb header is refused with the pixel limit", async () => {
    await using env = await startServices()
    const result = await env.services.imports.ingestBase64(Buffer.from(pngBomb()).toString("base64"))
    expect(result.message).toBe(
      "Could not decode the image: The image declares 100000x100000 (10000000000 pixels), more than the 40000000-pixel limit (IMAGE_GENERATION_MCP_MAX_INPUT_PIXELS).",
    )
  })

  test("an oversized payload is refused from its length, before decoding", async () => {
    await using env = await startServices({ env: { IMAGE_GENERATION_MCP_MAX_INPUT_IMAGE_BYTES: "100" } })
    const result = await env.services.imports.ingestBase64("A".repeat(400))
    expect(result.message).toBe(
      "Could not decode the image: the decoded image would be 300 bytes; the limit is 100 bytes.",
    )
  })

  test("importing the bytes of a generated image flips it to imported", async () => {
    await using env = await startServices()
    const generated = await addImage(env.services, png, { provider: "placeholder", prompt: "made here" })
    const result = await env.services.imports.ingestBase64(b64)
    expect(result.ok && result.record.id).toBe(generated.id)
    expect(await env.services.images.get(generated.id)).toMatchObject({ origin: "imported", provider: "", prompt: "" })
    expect(await env.services.images.count()).toBe(1)
  })
})

describe("reference images", () => {
  test("gallery ids and image:// URIs resolve to the detected content type", async () => {
    await using env = await startServices()
    const webp = await new Bun.Image(png).webp({ quality: 90 }).bytes()
    const record = await addImage(env.services, webp, { contentType: "image/png" })
    for (const ref of [record.id, `image://${record.id}/view`, `image://${record.id}/view?width=10`]) {
      const input = await env.services.imports.resolveReference(ref)
      expect(input).toMatchObject({ contentType: "image/webp", sourceId: record.id })
    }
    await expect(env.services.imports.resolveReference("0123456789ab")).rejects.toThrow(
      "Image reference '0123456789ab' not found. Use a gallery image_id (read image://list) or an existing file path.",
    )
  })

  test("local files are refused unless ALLOW_LOCAL_FILE_INPUT is on; then size and format are checked", async () => {
    await using dir = await tmpdir()
    const file = join(dir.path, "ref.png")
    await writeFile(file, png)
    await using off = await startServices()
    await expect(off.services.imports.resolveReference(file)).rejects.toThrow(
      `Local file input is disabled; cannot read '${file}'. Set IMAGE_GENERATION_MCP_ALLOW_LOCAL_FILE_INPUT=true to enable (only when callers are trusted with server filesystem access).`,
    )
    await using on = await startServices({
      env: {
        IMAGE_GENERATION_MCP_ALLOW_LOCAL_FILE_INPUT: "true",
        IMAGE_GENERATION_MCP_MAX_INPUT_IMAGE_BYTES: String(png.length),
      },
    })
    expect(await on.services.imports.resolveReference(file)).toMatchObject({ contentType: "image/png", sourceId: null })
    await expect(on.services.imports.resolveReference(join(dir.path, "missing.png"))).rejects.toThrow("not found")
    await expect(on.services.imports.resolveReference(dir.path)).rejects.toThrow("not found")
    const large = join(dir.path, "large.png")
    await writeFile(large, new Uint8Array(png.length + 1))
    await expect(on.services.imports.resolveReference(large)).rejects.toThrow(
      `Image reference '${large}' is ${png.length + 1} bytes; exceeds the ${png.length}-byte limit.`,
    )
    for (const [name, bytes] of [
      ["random.png", crypto.getRandomValues(new Uint8Array(100))],
      ["cut.png", png.subarray(0, 70)],
    ] as const) {
      const path = join(dir.path, name)
      await writeFile(path, bytes)
      await expect(on.services.imports.resolveReference(path)).rejects.toThrow(
        `Image reference '${path}' is not a decodable image.`,
      )
    }
    const gif = join(dir.path, "a.gif")
    await writeFile(gif, Uint8Array.from([...Buffer.from("GIF89a"), 1, 0, 1, 0, 0, 0, 0, 0x3b]))
    await expect(on.services.imports.resolveReference(gif)).rejects.toThrow(
      `Image reference '${gif}' is not a decodable image.`,
    )
  })
})
