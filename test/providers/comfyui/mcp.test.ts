// The comfyui provider behind the MCP tools: progress as clients see it, cancel, an unreachable host, auto routing.
import { describe, expect, test } from "bun:test"
import { selectProvider } from "@/core/providers/selector"
import { providerCapabilities } from "@/providers/types"
import { fakeModel } from "../../fixture/fake-provider"
import { quadrantPng, rgbaPng } from "../../fixture/images"
import { addImage } from "../../helpers/gallery"
import { connect } from "../../helpers/mcp"
import { waitFor, waitForValue } from "../../helpers/wait"
import { closedPortUrl, fakeComfyUi } from "./fake"

const HOST = "IMAGE_GENERATION_MCP_COMFYUI_HOST"
const json = (text: string) => JSON.parse(text) as Record<string, unknown>

describe("comfyui through the MCP tools", () => {
  test("generate_image with a progress token: ComfyUI's steps as notifications, then the stored image", async () => {
    await using comfy = fakeComfyUi({}, { stepMs: 2 })
    await using env = await connect({ env: { [HOST]: comfy.url } })
    const seen: string[] = []
    const result = await env.client.callTool(
      { name: "generate_image", arguments: { prompt: "a lighthouse", provider: "comfyui" } },
      undefined,
      { onprogress: (p) => seen.push(p.message ?? "") },
    )
    const body = json((result.content as { text: string }[])[0]?.text ?? "{}")
    expect(body.status).toBe("completed")
    expect(seen).toEqual(expect.arrayContaining(["Queued on ComfyUI", "Step 1/30", "Step 15/30", "Step 29/30"]))
    const record = await env.services.images.get(String(body.image_id))
    const sampler = Object.values(comfy.prompts()[0]?.prompt ?? {}).find((n) => n.class_type === "KSampler")
    expect(record?.providerMetadata).toMatchObject({
      model: "v1-5-pruned-emaonly.safetensors",
      seed: sampler?.inputs.seed,
      prompt_id: comfy.prompts()[0]?.promptId,
    })
    expect([record?.width, record?.height]).toEqual([512, 512])
  })

  test("check_generation_status and image://list show the step; cancel_generation interrupts only our prompt", async () => {
    await using comfy = fakeComfyUi({}, { stepMs: 20 })
    await using env = await connect({ env: { [HOST]: comfy.url } })
    const { image_id } = json(
      env.text(await env.call("generate_image", { prompt: "a lighthouse", provider: "comfyui" })),
    )
    const status = await waitForValue(async () => {
      const s = json(env.text(await env.call("check_generation_status", { image_id })))
      return String(s.progress_message).startsWith("Step ") ? s : undefined
    }, "a step in check_generation_status")
    expect(status).toMatchObject({ status: "generating", image_id })
    expect(Number(status.progress)).toBeGreaterThan(0)
    const list = JSON.parse(await env.readText("image://list")) as Record<string, unknown>[]
    expect(String(list[0]?.progress_message)).toMatch(/^Step \d+\/30$/)
    expect(json(env.text(await env.call("cancel_generation", { image_id })))).toEqual({ status: "cancelled", image_id })
    await waitFor(() => comfy.prompts()[0]?.status === "interrupted", "our prompt interrupted")
    const promptId = comfy.prompts()[0]?.promptId ?? ""
    expect(comfy.interrupts).toEqual([{ promptId, running: promptId, applied: true }])
  })

  test("transform_image with a mask takes the inpainting workflow", async () => {
    await using comfy = fakeComfyUi()
    await using env = await connect({ env: { [HOST]: comfy.url } })
    await env.call("list_providers")
    const source = await addImage(env.services, quadrantPng(32, 32))
    const data = new Uint8Array(32 * 32 * 4).fill(255)
    for (let i = 3; i < data.length; i += 8) data[i] = 0
    const mask = await addImage(env.services, rgbaPng({ width: 32, height: 32, data }))
    const answer = await env.call("transform_image", {
      prompt: "a red door",
      reference_images: [source.id],
      mask: mask.id,
      provider: "comfyui",
    })
    expect(answer.isError).toBeFalsy()
    await env.services.jobs.idle()
    const classes = Object.values(comfy.prompts()[0]?.prompt ?? {}).map((n) => n.class_type)
    expect(classes).toContain("SetLatentNoiseMask")
    expect(comfy.calls("/upload/mask")).toHaveLength(1)
    const record = await env.services.images.get(String(json(env.text(answer)).image_id))
    expect(record?.providerMetadata).toMatchObject({ workflow: "inpaint", edited: true, strength: 1 })
  })

  test("unreachable at start-up: degraded with the reason; a generation names ComfyUI and its host; force_refresh finds it", async () => {
    const url = await closedPortUrl()
    const port = Number(new URL(url).port)
    await using env = await connect({ env: { [HOST]: url.replace("http://", "http://igm:s3cret-pass@") } })
    const listed = json(env.text(await env.call("list_providers")))
    const entry = (listed.providers as Record<string, { capabilities: { degraded: boolean } }>).comfyui
    expect(entry?.capabilities.degraded).toBe(true)
    expect(listed.warnings).toEqual([
      expect.stringMatching(
        new RegExp(
          `^comfyui: not usable: Cannot connect to ComfyUI at http://127\\.0\\.0\\.1:${port}: .+ \\(list_providers with force_refresh=true asks again\\)$`,
        ),
      ),
    ])
    const { image_id } = json(env.text(await env.call("generate_image", { prompt: "a harbour", provider: "comfyui" })))
    await env.services.jobs.idle()
    const failed = json(env.text(await env.call("check_generation_status", { image_id })))
    expect(failed.status).toBe("failed")
    expect(String(failed.error)).toStartWith(`[comfyui] Cannot connect to ComfyUI at http://127.0.0.1:${port}: `)
    expect(String(failed.error)).toContain("IMAGE_GENERATION_MCP_COMFYUI_HOST")
    expect(JSON.stringify([listed, failed])).not.toContain("s3cret-pass")
    await using comfy = fakeComfyUi({ port })
    const refreshed = json(env.text(await env.call("list_providers", { force_refresh: true })))
    const caps = (refreshed.providers as Record<string, { capabilities: { degraded: boolean; models: unknown[] } }>)
      .comfyui?.capabilities
    expect(caps?.degraded).toBe(false)
    expect(caps?.models.length).toBeGreaterThan(0)
    expect(refreshed.warnings).toEqual([])
    expect(comfy.calls("/object_info")).toHaveLength(1)
  })

  test("auto routing: a realistic photo prompt goes to comfyui when it is configured", async () => {
    await using comfy = fakeComfyUi()
    await using env = await connect({ env: { [HOST]: comfy.url } })
    const started = json(
      env.text(await env.call("generate_image", { prompt: "a realistic photo of a harbour at dawn" })),
    )
    expect(started.provider).toBe("comfyui")
    await env.services.jobs.idle()
    expect(comfy.prompts()[0]?.status).toBe("success")
    const capabilities = new Map(
      ["openai", "gemini", "comfyui"].map((name) => [name, providerCapabilities(name, [fakeModel("m")])]),
    )
    const available = ["placeholder", "openai", "gemini", "comfyui"]
    const pick = (prompt: string) => selectProvider({ prompt, available, capabilities, background: "opaque" })
    expect(pick("realistic photo portrait")).toBe("comfyui")
    expect(pick("anime girl with a sword")).toBe("comfyui")
    expect(pick("a logo with the text ACME")).toBe("openai")
  })
})
