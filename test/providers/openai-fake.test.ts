// The fake refuses what the service refuses: these tests speak to it directly, without the provider.
import { afterAll, beforeEach, describe, expect, test } from "bun:test"
import { solidPng } from "@/providers/solid-png"
import { fakeOpenAI, PARTIAL_IMAGE_TOKENS } from "../fixture/fake-openai"
import { errorBody, KEY } from "./openai-helpers"

const fake = fakeOpenAI({ apiKey: KEY })
afterAll(() => fake[Symbol.asyncDispose]())
beforeEach(() => fake.reset())

const auth = { authorization: `Bearer ${KEY}` }
const generate = (body: Record<string, unknown>) =>
  fetch(`${fake.url}/images/generations`, {
    method: "POST",
    headers: { ...auth, "content-type": "application/json" },
    body: JSON.stringify({ model: "gpt-image-2", prompt: "x", ...body }),
  })
const edit = (fields: Record<string, string>, files: [string, Uint8Array, string][]) => {
  const body = new FormData()
  for (const [k, v] of Object.entries({ model: "gpt-image-2", prompt: "x", ...fields })) body.append(k, v)
  for (const [field, data, type] of files) body.append(field, new File([data], "f", { type }))
  return fetch(`${fake.url}/images/edits`, { method: "POST", headers: auth, body })
}
const picture = solidPng(32, 32, [1, 2, 3])

async function refused(res: Response | Promise<Response>, status: number, fields: Record<string, unknown>) {
  const answer = await res
  expect(answer.status).toBe(status)
  expect(await errorBody(answer)).toMatchObject(fields)
}

describe("the OpenAI fake refuses what the service refuses", () => {
  test("legacy and unknown parameters, even null", async () => {
    for (const key of ["response_format", "style", "mask", "input_fidelity"]) {
      await refused(generate({ [key]: null }), 400, { code: "unknown_parameter", param: key })
    }
    await refused(edit({ moderation: "low" }, [["image[]", picture, "image/png"]]), 400, { code: "unknown_parameter" })
  })

  test("a missing, null, unknown, retired or unlisted model", async () => {
    const missing = await fetch(`${fake.url}/images/generations`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ prompt: "x" }),
    })
    await refused(missing, 400, { code: "missing_required_parameter", param: "model" })
    await refused(generate({ model: null }), 400, { code: "invalid_type", param: "model" })
    for (const model of ["dall-e-3", "gpt-image-1", "gpt-image-1.5", "chatgpt-image-latest", "gpt-image-9"]) {
      await refused(generate({ model }), 400, {
        type: "image_generation_user_error",
        code: "invalid_value",
        param: "model",
        message: `The model '${model}' does not exist.`,
      })
    }
    fake.set({ models: ["gpt-image-2.6-flare"] })
    await refused(generate({}), 404, { code: "model_not_found" })
  })

  test("sizes outside the rules, with the 1024-class standard sizes and 16:9 at 1536x864 accepted", async () => {
    for (const size of ["1536x864", "1536x1024", "1024x640", "3840x2160", "auto"]) {
      expect((await generate({ size })).status).toBe(200)
    }
    const cases: [string, string][] = [
      ["bogus", "Invalid size 'bogus'. Expected WIDTHxHEIGHT, for example '1824x1024'."],
      ["1792x936", "Invalid size '1792x936'. Width and height must both be divisible by 16."],
      ["768x768", "Invalid size '768x768'. The total number of pixels must be between 655360 and 8294400."],
      ["3072x960", "Invalid size '3072x960'. The aspect ratio must be between 1:3 and 3:1."],
      ["4096x2048", "Invalid size '4096x2048'. The longest edge must be at most 3840 pixels."],
    ]
    for (const [size, message] of cases) await refused(generate({ size }), 400, { param: "size", message })
  })

  test("quality per model, transparency per model and format, compression, counts, prompt length", async () => {
    await refused(generate({ quality: "standard" }), 400, {
      param: "quality",
      message: "Invalid value: 'standard'. Supported values are: 'low', 'medium', 'high', and 'auto'.",
    })
    await refused(generate({ quality: "xhigh" }), 400, { param: "quality" })
    expect((await generate({ model: "gpt-image-2.6-flare", quality: "max" })).status).toBe(200)
    await refused(generate({ background: "transparent" }), 400, {
      message: "Transparent background is not supported for this model.",
    })
    fake.set({ transparencyPreview: true })
    expect((await generate({ background: "transparent" })).status).toBe(200)
    await refused(generate({ model: "gpt-image-2.5-flare", background: "transparent", output_format: "jpeg" }), 400, {
      message: "Transparent background is not supported for JPEG output format",
    })
    await refused(generate({ output_format: "gif" }), 400, { param: "output_format" })
    await refused(generate({ output_compression: 50 }), 400, { code: "invalid_png_output_compression" })
    expect((await generate({ output_compression: 50, output_format: "webp" })).status).toBe(200)
    await refused(generate({ n: 11 }), 400, { code: "integer_above_max_value", param: "n" })
    await refused(generate({ n: "2" }), 400, { code: "invalid_type", param: "n" })
    await refused(generate({ prompt: "" }), 400, { code: "empty_string" })
    await refused(generate({ prompt: "x".repeat(32_001) }), 400, { code: "string_above_max_length" })
    expect((await generate({ prompt: "x".repeat(32_000) })).status).toBe(200)
  })

  test("edits: image and image[] both work; at most 16 images of the three types; numbers as strings", async () => {
    expect((await edit({ n: "2" }, [["image", picture, "image/png"]])).status).toBe(200)
    expect((await edit({}, [["image[]", picture, "image/png"]])).status).toBe(200)
    await refused(edit({ n: "two" }, [["image[]", picture, "image/png"]]), 400, {
      message:
        "Invalid type for 'n': expected an integer, but got a string value that could not be converted into an integer.",
    })
    await refused(edit({}, []), 400, { code: "missing_required_parameter", param: "image" })
    const many = Array.from({ length: 17 }, (): [string, Uint8Array, string] => ["image[]", picture, "image/png"])
    await refused(edit({}, many), 400, { code: "array_above_max_length" })
    // Bun's multipart parser reports image bytes as image/*, whatever the part declared; bytes that are no image keep it.
    await refused(edit({}, [["image[]", new Uint8Array([1, 2, 3]), "application/octet-stream"]]), 400, {
      code: "unsupported_file_mimetype",
    })
    await refused(edit({}, [["image[]", picture.subarray(0, 20), "image/png"]]), 400, { code: "invalid_image_file" })
  })

  test("the success answer: resolved fields, usage, a request id, an image of the size asked for", async () => {
    const res = await generate({ model: "gpt-image-2.6-sunburst", size: "1536x864", background: "transparent", n: 2 })
    expect(res.status).toBe(200)
    expect(res.headers.get("x-request-id")).toMatch(/^req_[0-9a-f]{16}$/)
    const body = (await res.json()) as Record<string, unknown> & { data: { b64_json: string }[] }
    expect(body).toMatchObject({ background: "transparent", output_format: "png", quality: "high", size: "1536x864" })
    expect(body.usage).toMatchObject({ input_tokens: 1, output_tokens: expect.any(Number) })
    expect(body.data).toHaveLength(2)
    expect(Object.keys(body.data[0] ?? {})).toEqual(["b64_json"])
    const image = Buffer.from(body.data[0]?.b64_json ?? "", "base64")
    expect(await new Bun.Image(image).metadata()).toEqual({ width: 1536, height: 864, format: "png" })
  })

  test("a wrong key, the retired variations route, an unknown route, the model list", async () => {
    const wrong = await fetch(`${fake.url}/models`, { headers: { authorization: "Bearer sk-wrong-key-00000000" } })
    await refused(wrong, 401, {
      code: "invalid_api_key",
      message:
        "Incorrect API key provided: sk-***0000. You can find your API key at https://platform.openai.com/account/api-keys.",
    })
    const variations = await fetch(`${fake.url}/images/variations`, { method: "POST", headers: auth })
    expect([variations.status, await variations.text()]).toEqual([404, ""])
    await refused(fetch(`${fake.url}/images/nope`, { method: "POST", headers: auth }), 404, {
      message: "Invalid URL (POST /v1/images/nope)",
    })
    const list = (await (await fetch(`${fake.url}/models`, { headers: auth })).json()) as { data: object[] }
    expect(list.data).toContainEqual({
      id: "gpt-image-2",
      object: "model",
      created: 1_776_729_600,
      owned_by: "system",
      shutdown_date: null,
    })
    expect((await fetch(`${fake.url}/models/gpt-image-2`, { headers: auth })).status).toBe(200)
    await refused(fetch(`${fake.url}/models/dall-e-3`, { headers: auth }), 404, { code: "model_not_found" })
  })
})

/** The events of a `text/event-stream` body: `event:` name and parsed `data:` JSON. */
async function events(res: Response): Promise<{ event: string; data: Record<string, unknown> }[]> {
  expect(res.headers.get("content-type")).toStartWith("text/event-stream")
  return (await res.text())
    .split("\n\n")
    .filter((block) => block.trim())
    .map((block) => {
      const lines = block.split("\n")
      const field = (name: string) => lines.find((l) => l.startsWith(`${name}: `))?.slice(name.length + 2) ?? ""
      return { event: field("event"), data: JSON.parse(field("data")) as Record<string, unknown> }
    })
}

describe("the OpenAI fake streams partial images as the service does", () => {
  test("partial images, then the final image, each with the fields the SDK declares", async () => {
    const plain = (await (await generate({ size: "1024x1024", quality: "medium" })).json()) as {
      usage: { output_tokens: number }
    }
    const res = await generate({ size: "1024x1024", quality: "medium", stream: true, partial_images: 2 })
    expect(res.status).toBe(200)
    const seen = await events(res)
    expect(seen.map((e) => e.event)).toEqual([
      "image_generation.partial_image",
      "image_generation.partial_image",
      "image_generation.completed",
    ])
    for (const [i, { event, data }] of seen.entries()) {
      expect(data.type).toBe(event)
      const common = ["type", "b64_json", "created_at", "size", "quality", "background", "output_format"]
      expect(Object.keys(data)).toEqual([...common, i < 2 ? "partial_image_index" : "usage"])
      expect(data).toMatchObject({ size: "1024x1024", quality: "medium", background: "opaque", output_format: "png" })
      const bytes = Buffer.from(String(data.b64_json), "base64")
      expect(await new Bun.Image(bytes).metadata()).toEqual({ width: 1024, height: 1024, format: "png" })
    }
    expect(seen.slice(0, 2).map((e) => e.data.partial_image_index)).toEqual([0, 1])
    const [first, second, final] = seen.map((e) => e.data.b64_json)
    expect(new Set([first, second, final]).size).toBe(3)
    const usage = seen[2]?.data.usage as Record<string, unknown>
    expect(Object.keys(usage)).toEqual(["input_tokens", "input_tokens_details", "output_tokens", "total_tokens"])
    expect(usage.output_tokens).toBe(plain.usage.output_tokens + 2 * PARTIAL_IMAGE_TOKENS)
    expect(fake.requests.at(-1)?.events.map((e) => e.type)).toEqual(seen.map((e) => e.event))
  })

  test("partial_images 0 sends the final image alone; the final image may come before every partial", async () => {
    const alone = await events(await generate({ stream: true, partial_images: 0 }))
    expect(alone.map((e) => e.event)).toEqual(["image_generation.completed"])
    fake.set({ partialsBeforeFinal: 1 })
    const early = await events(await generate({ stream: true, partial_images: 3 }))
    expect(early.map((e) => e.event)).toEqual(["image_generation.partial_image", "image_generation.completed"])
  })

  test("edits stream image_edit events; multipart sends stream and partial_images as strings", async () => {
    const seen = await events(await edit({ stream: "true", partial_images: "1" }, [["image[]", picture, "image/png"]]))
    expect(seen.map((e) => e.event)).toEqual(["image_edit.partial_image", "image_edit.completed"])
  })

  test("partial_images outside 0-3 and a stream that is not a boolean are refused before any event", async () => {
    await refused(generate({ stream: true, partial_images: 4 }), 400, {
      code: "integer_above_max_value",
      param: "partial_images",
      message: "Invalid 'partial_images': integer above maximum value. Expected a value <= 3, but got 4 instead.",
    })
    await refused(generate({ stream: true, partial_images: -1 }), 400, {
      code: "integer_below_min_value",
      param: "partial_images",
    })
    await refused(generate({ stream: true, partial_images: 1.5 }), 400, { code: "invalid_type" })
    await refused(generate({ stream: "yes" }), 400, { code: "invalid_type", param: "stream" })
    await refused(edit({ stream: "maybe" }, [["image[]", picture, "image/png"]]), 400, { param: "stream" })
    expect(fake.requests.every((r) => r.events.length === 0)).toBe(true)
  })

  test("a held stream stops after its partial images until released; a client that hangs up is seen", async () => {
    const held = fake.holdNextStream()
    const controller = new AbortController()
    const res = await generate({ stream: true, partial_images: 2 })
    expect(res.status).toBe(200)
    await held.partialsSent
    held.release()
    expect((await events(res)).map((e) => e.event)).toContain("image_generation.completed")

    const second = fake.holdNextStream()
    const cut = await fetch(`${fake.url}/images/generations`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ model: "gpt-image-2", prompt: "x", stream: true, partial_images: 1 }),
      signal: controller.signal,
    })
    await second.partialsSent
    controller.abort()
    await cut.text().catch(() => "")
    await second.closed
    expect(fake.requests.at(-1)).toMatchObject({ disconnected: true })
    expect(fake.requests.at(-1)?.events.map((e) => e.type)).toEqual(["image_generation.partial_image"])
  })
})
