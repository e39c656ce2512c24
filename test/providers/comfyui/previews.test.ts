// ComfyUI's step previews: binary PREVIEW_IMAGE frames on the WebSocket while our prompt samples, sent only when the
// server has a preview method, handed to onPreview only when previews are wanted; over MCP, the live-preview path.
import { describe, expect, test } from "bun:test"
import type { Progress } from "@modelcontextprotocol/sdk/types.js"
import { PREVIEW_META } from "@/mcp/tools/generation-result"
import type { PreviewImage } from "@/providers/types"
import { connect, type McpTestEnv } from "../../helpers/mcp"
import { waitFor, waitForValue } from "../../helpers/wait"
import { type FakeComfyUi, fakeComfyUi } from "./fake"
import { contain } from "./fake/queue"
import { live, request, useFake } from "./harness"

const HOST = "IMAGE_GENERATION_MCP_COMFYUI_HOST"
const { fake, comfy, replace } = useFake({ previewMethod: "auto" })

/** The body of the last POST /prompt. */
const posted = (f: FakeComfyUi) => f.calls("/prompt").at(-1)?.body as Record<string, unknown>

/** A raw socket to the fake collecting its binary frames. */
async function binaryFrames(f: FakeComfyUi, clientId: string) {
  const frames: Uint8Array[] = []
  const ws = new WebSocket(`${f.url.replace("http", "ws")}/ws?clientId=${clientId}`)
  ws.binaryType = "arraybuffer"
  ws.addEventListener("message", (event) => {
    if (event.data instanceof ArrayBuffer) frames.push(new Uint8Array(event.data))
  })
  await new Promise((resolve) => ws.addEventListener("open", resolve, { once: true }))
  return { frames, close: () => ws.close() }
}

function graph(width: number, height: number) {
  return {
    "3": {
      class_type: "KSampler",
      inputs: {
        seed: 1,
        steps: 3,
        cfg: 8,
        sampler_name: "euler",
        scheduler: "normal",
        denoise: 1,
        model: ["4", 0],
        positive: ["6", 0],
        negative: ["6", 0],
        latent_image: ["5", 0],
      },
    },
    "4": { class_type: "CheckpointLoaderSimple", inputs: { ckpt_name: "v1-5-pruned-emaonly.safetensors" } },
    "5": { class_type: "EmptyLatentImage", inputs: { width, height, batch_size: 2 } },
    "6": { class_type: "CLIPTextEncode", inputs: { text: "a cat", clip: ["4", 1] } },
    "8": { class_type: "VAEDecode", inputs: { samples: ["3", 0], vae: ["4", 2] } },
    "9": { class_type: "SaveImage", inputs: { filename_prefix: "ComfyUI", images: ["8", 0] } },
  }
}

describe("the fake's previews follow server.py and latent_preview.py", () => {
  test("one PREVIEW_IMAGE frame per step to the prompt's client: type 1, JPEG, the first image fitted into 512", async () => {
    const ours = await binaryFrames(fake(), "viewer")
    const others = await binaryFrames(fake(), "someone-else")
    await fetch(`${fake().url}/prompt`, {
      method: "POST",
      body: JSON.stringify({ prompt: graph(1024, 576), client_id: "viewer" }),
    })
    await waitFor(() => ours.frames.length === 3, "three preview frames")
    for (const frame of ours.frames) {
      const view = new DataView(frame.buffer)
      expect([view.getUint32(0), view.getUint32(4)]).toEqual([1, 1])
      const meta = await new Bun.Image(frame.subarray(8)).metadata()
      expect(meta).toEqual({ width: 512, height: 288, format: "jpeg" })
    }
    expect(contain(1024, 576, 512)).toEqual([512, 288])
    expect(others.frames).toEqual([])
    ours.close()
    others.close()
  })

  test("without a preview method (ComfyUI's default) no frame is sent", async () => {
    const none = await replace({})
    const ours = await binaryFrames(none, "viewer")
    const answer = await fetch(`${none.url}/prompt`, {
      method: "POST",
      body: JSON.stringify({ prompt: graph(64, 64), client_id: "viewer", extra_data: { preview_method: "auto" } }),
    })
    const { prompt_id } = (await answer.json()) as { prompt_id: string }
    await waitFor(() => none.prompt(prompt_id)?.status === "success", "the prompt")
    expect(ours.frames).toEqual([])
    expect(none.queue.previewFrames).toBe(0)
    ours.close()
  })
})

describe("comfyui step previews", () => {
  test("each step's preview of our prompt reaches onPreview as a JPEG; the server's method is left alone", async () => {
    fake().set({ stepMs: 2 })
    const previews: PreviewImage[] = []
    const results = await comfy().generateBatch?.(request({ aspectRatio: "16:9" }), 2, {
      ...live(),
      onPreview: (p) => previews.push(p),
    })
    expect(results).toHaveLength(2)
    expect(posted(fake())).not.toContainKey("extra_data")
    expect(previews).toHaveLength(30)
    expect(new Set(previews.map((p) => p.contentType))).toEqual(new Set(["image/jpeg"]))
    const meta = await new Bun.Image(previews.at(-1)?.data ?? new Uint8Array()).metadata()
    const [width = 0, height = 0] = String(results?.[0]?.metadata.size).split("x").map(Number)
    expect(width).toBeGreaterThan(height)
    expect(meta).toEqual({ width: 512, height: contain(width, height, 512)[1], format: "jpeg" })
  })

  test("without onPreview no preview is taken and the prompt asks ComfyUI for none; a throwing viewer is harmless", async () => {
    fake().set({ stepMs: 1 })
    await comfy().generate(request(), live())
    expect(posted(fake()).extra_data).toEqual({ preview_method: "none" })
    expect(fake().queue.previewFrames).toBe(30)
    const result = await comfy().generate(request(), {
      ...live(),
      onPreview: () => {
        throw new Error("viewer broke")
      },
    })
    expect(result.contentType).toBe("image/png")
  })

  test("previews sent while someone else's prompt runs are not ours", async () => {
    fake().set({ stepMs: 1 })
    const other = await fake().otherClient({ steps: 5 })
    const previews: PreviewImage[] = []
    await comfy().generate(request(), { ...live(), onPreview: (p) => previews.push(p) })
    expect(fake().prompt(other.promptId)?.status).toBe("success")
    expect(fake().queue.previewFrames).toBe(35)
    expect(previews).toHaveLength(30)
  })
})

type Seen = Progress & { _meta?: Record<string, { uri: string; number: number }> }
const status = async (env: McpTestEnv, image_id: string) =>
  JSON.parse(env.text(await env.call("check_generation_status", { image_id }))) as Record<string, unknown>

describe("comfyui previews over MCP", () => {
  test("check_generation_status names the preview, the resource serves it, a progress notification announces it", async () => {
    await using comfyui = fakeComfyUi({ previewMethod: "auto" })
    await using env = await connect({ env: { [HOST]: comfyui.url } })
    comfyui.holdNextAtStep(3)
    const seen: Seen[] = []
    const call = env.client.callTool(
      { name: "generate_image", arguments: { prompt: "a lighthouse", provider: "comfyui" } },
      undefined,
      { onprogress: (p) => seen.push(p as Seen) },
    )
    const announced = await waitForValue(() => seen.find((p) => p._meta?.[PREVIEW_META]?.number === 3), "preview 3")
    const image_id = (await env.services.jobs.listUnfinished())[0]?.id ?? ""
    const uri = `image://${image_id}/live-preview`
    expect(announced._meta?.[PREVIEW_META]).toEqual({ uri, number: 3 })
    expect(await status(env, image_id)).toMatchObject({ status: "generating", preview_uri: uri, preview_number: 3 })
    const content = (await env.client.readResource({ uri })).contents[0]
    expect(content?.mimeType).toBe("image/jpeg")
    const bytes = new Uint8Array(Buffer.from(content && "blob" in content ? content.blob : "", "base64"))
    expect(await new Bun.Image(bytes).metadata()).toEqual({ width: 512, height: 512, format: "jpeg" })
    comfyui.release()
    expect(JSON.parse(env.text((await call) as never))).toMatchObject({ status: "completed", image_id })
    expect(env.services.previews.heldBytes).toBe(0)
  })

  test("LIVE_PREVIEWS=false: ComfyUI's frames are not taken, nothing is announced or named", async () => {
    await using comfyui = fakeComfyUi({ previewMethod: "auto" })
    await using env = await connect({ env: { [HOST]: comfyui.url, IMAGE_GENERATION_MCP_LIVE_PREVIEWS: "false" } })
    comfyui.holdNextAtStep(3)
    const seen: Seen[] = []
    const call = env.client.callTool(
      { name: "generate_image", arguments: { prompt: "a lighthouse", provider: "comfyui" } },
      undefined,
      { onprogress: (p) => seen.push(p as Seen) },
    )
    await waitFor(() => comfyui.queue.previewFrames === 3, "three frames sent")
    const image_id = (await env.services.jobs.listUnfinished())[0]?.id ?? ""
    await waitFor(async () => (await status(env, image_id)).progress_message === "Step 3/30", "step 3 reported")
    expect(await status(env, image_id)).not.toContainKey("preview_uri")
    expect(posted(comfyui).extra_data).toEqual({ preview_method: "none" })
    comfyui.release()
    await call
    expect(seen.some((p) => p._meta || p.message?.includes("preview"))).toBe(false)
    expect(comfyui.queue.previewFrames).toBe(30)
  })
})
