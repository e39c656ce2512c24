// Live previews through the MCP surface: the real providers against their fakes, a real client.
import { describe, expect, test } from "bun:test"
import { readdir } from "node:fs/promises"
import type { Progress } from "@modelcontextprotocol/sdk/types.js"
import { readPixels } from "@/core/transform/pixels"
import { PREVIEW_META } from "@/mcp/tools/generation-result"
import { FINAL_RGB, fakeOpenAI, partialRgb } from "../fixture/fake-openai"
import { fakeSdWebui } from "../fixture/fake-sd-webui"
import { connect, type McpTestEnv } from "../helpers/mcp"
import { waitFor, waitForValue } from "../helpers/wait"

const P = "IMAGE_GENERATION_MCP_"
const openaiEnv = (url: string, extra: Record<string, string> = {}) => ({
  [`${P}OPENAI_API_KEY`]: "sk-test",
  [`${P}OPENAI_BASE_URL`]: url,
  ...extra,
})

type Seen = Progress & { _meta?: Record<string, { uri: string; number: number }> }

async function colourOf(data: Uint8Array): Promise<number[]> {
  const { data: rgba } = await readPixels(new Bun.Image(data).resize(1, 1, { filter: "box" }))
  return [...rgba.subarray(0, 3)]
}

const status = async (env: McpTestEnv, image_id: string) =>
  JSON.parse(env.text(await env.call("check_generation_status", { image_id }))) as Record<string, unknown>

async function readBlob(env: McpTestEnv, uri: string): Promise<{ data: Uint8Array; mimeType?: string }> {
  const content = (await env.client.readResource({ uri })).contents[0]
  if (!content || !("blob" in content)) throw new Error(`no blob at ${uri}`)
  return { data: new Uint8Array(Buffer.from(content.blob, "base64")), mimeType: content.mimeType }
}

describe("live previews over MCP", () => {
  test("OpenAI: a progress notification announces each preview; status names it; the resource serves it while generating", async () => {
    await using openai = fakeOpenAI()
    await using env = await connect({ env: openaiEnv(openai.url) })
    const held = openai.holdNextStream()
    const seen: Seen[] = []
    const call = env.client.callTool(
      { name: "generate_image", arguments: { prompt: "a lighthouse", provider: "openai" } },
      undefined,
      { onprogress: (p) => seen.push(p as Seen) },
    )
    await held.partialsSent
    const announced = await waitForValue(() => seen.find((p) => p._meta?.[PREVIEW_META]?.number === 2), "preview 2")
    const image_id = (await env.services.jobs.listUnfinished())[0]?.id ?? ""
    const uri = `image://${image_id}/live-preview`
    expect(announced.message).toBe(`preview 2 ready: ${uri}`)
    expect(announced._meta?.[PREVIEW_META]).toEqual({ uri, number: 2 })
    expect(seen.filter((p) => p._meta?.[PREVIEW_META]).map((p) => p._meta?.[PREVIEW_META]?.number)).toEqual([1, 2])

    expect(await status(env, image_id)).toMatchObject({ status: "generating", preview_uri: uri, preview_number: 2 })
    const preview = await readBlob(env, uri)
    expect(preview.mimeType).toBe("image/png")
    expect(await colourOf(preview.data)).toEqual([...partialRgb(1, 2)])
    const bridged = JSON.parse(env.text(await env.call("read_resource", { uri: "image://list" })))
    expect(bridged).toEqual([expect.objectContaining({ image_id, status: "generating" })])
    expect(env.text(await env.call("read_resource", { uri }))).toBe(Buffer.from(preview.data).toString("base64"))

    held.release()
    const result = await call
    expect(JSON.parse(env.text(result as never))).toMatchObject({ status: "completed", image_id })
    expect(await status(env, image_id)).toEqual({ status: "completed", image_id })
    await expect(env.client.readResource({ uri })).rejects.toThrow(`No live preview of '${image_id}' right now`)
    const stored = await readBlob(env, `image://${image_id}/view`)
    expect(await colourOf(stored.data)).toEqual([...FINAL_RGB])
    const files = await readdir(env.config.scratchDir)
    expect(files.sort()).toEqual([`${image_id}-original.png`, `${image_id}.json`])
    const sidecar = JSON.parse(await env.readText(`image://${image_id}/metadata`))
    expect(JSON.stringify(sidecar)).toContain('"partial_images":2')
  })

  test("LIVE_PREVIEWS=false: no stream is asked for, no preview is announced or named, the resource has none", async () => {
    await using openai = fakeOpenAI()
    await using env = await connect({ env: openaiEnv(openai.url, { [`${P}LIVE_PREVIEWS`]: "false" }) })
    const hung = openai.hangNext()
    const seen: Seen[] = []
    const call = env.client
      .callTool({ name: "generate_image", arguments: { prompt: "a lighthouse", provider: "openai" } }, undefined, {
        onprogress: (p) => seen.push(p as Seen),
      })
      .catch((error: Error) => error)
    await hung.arrived
    const image_id = (await env.services.jobs.listUnfinished())[0]?.id ?? ""
    const running = await status(env, image_id)
    expect(running.status).toBe("generating")
    expect(running).not.toContainKey("preview_uri")
    await expect(env.client.readResource({ uri: `image://${image_id}/live-preview` })).rejects.toThrow(
      "No live preview",
    )
    const sent = openai.requests.find((r) => r.path === "/v1/images/generations")?.json
    expect(sent).not.toContainKey("stream")
    expect(sent).not.toContainKey("partial_images")
    await env.call("cancel_generation", { image_id })
    await call
    expect(seen.some((p) => p._meta || p.message?.includes("preview"))).toBe(false)
  })

  test("a cancel mid-stream drops the preview at once and stores nothing", async () => {
    await using openai = fakeOpenAI()
    await using env = await connect({ env: openaiEnv(openai.url) })
    const held = openai.holdNextStream()
    const { image_id } = JSON.parse(env.text(await env.call("generate_image", { prompt: "x", provider: "openai" })))
    await held.partialsSent
    await waitFor(async () => (await status(env, image_id)).preview_number === 2, "the second preview")
    await env.call("cancel_generation", { image_id })
    expect(env.services.previews.get(image_id)).toBeUndefined()
    await expect(env.client.readResource({ uri: `image://${image_id}/live-preview` })).rejects.toThrow(
      "No live preview",
    )
    await held.closed
    await env.services.jobs.idle()
    expect(await status(env, image_id)).toEqual({ status: "cancelled", image_id })
    expect(await readdir(env.config.scratchDir).catch(() => [])).toEqual([])
    expect(env.services.previews.heldBytes).toBe(0)
  })

  test("a malformed id in the preview URI is refused with what an id looks like", async () => {
    await using env = await connect()
    await expect(env.client.readResource({ uri: "image://not-an-id/live-preview" })).rejects.toThrow(
      "Invalid image id 'not-an-id' in image://not-an-id/live-preview: expected 12 lowercase hex characters.",
    )
    const bridged = await env.call("read_resource", { uri: "image://0123456789ab/live-preview" })
    expect(bridged.isError).toBe(true)
    expect(env.text(bridged)).toContain("No live preview of '0123456789ab' right now")
  })

  test("SD WebUI: a step preview of the running job is named by the status and readable", async () => {
    await using sd = fakeSdWebui({}, { holdAtStep: 15 })
    await using env = await connect({ env: { [`${P}SD_WEBUI_HOST`]: sd.url } })
    const { image_id } = JSON.parse(env.text(await env.call("generate_image", { prompt: "x", provider: "sd_webui" })))
    const running = await waitForValue(async () => {
      const now = await status(env, image_id)
      return now.preview_uri ? now : undefined
    }, "a step preview")
    expect(running).toMatchObject({ status: "generating", preview_uri: `image://${image_id}/live-preview` })
    const preview = await readBlob(env, String(running.preview_uri))
    expect(preview.mimeType).toBe("image/png")
    expect(await new Bun.Image(preview.data).metadata()).toMatchObject({ format: "png" })
    sd.release()
    await env.services.jobs.idle()
    expect(await status(env, image_id)).toEqual({ status: "completed", image_id })
    expect(env.services.previews.heldBytes).toBe(0)
  })
})
