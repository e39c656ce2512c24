// The sd_webui provider behind the MCP tools: the core's checks against discovery, and what ends up stored.
import { describe, expect, test } from "bun:test"
import { fakeSdWebui } from "../fixture/fake-sd-webui"
import { quadrantPng } from "../fixture/images"
import { addImage } from "../helpers/gallery"
import { connect } from "../helpers/mcp"
import { until } from "./sd-webui-harness"

const P = "IMAGE_GENERATION_MCP_"

describe("sd_webui through the MCP tools", () => {
  test("a checkpoint the WebUI does not list is refused with the list, before anything is queued", async () => {
    await using sd = fakeSdWebui()
    await using env = await connect({ env: { [`${P}SD_WEBUI_HOST`]: sd.url } })
    const answer = await env.call("generate_image", { prompt: "x", provider: "sd_webui", model: "missing_v1" })
    expect(answer.isError).toBe(true)
    expect(env.text(answer)).toContain(
      "Model 'missing_v1' is not offered by provider 'sd_webui'. Available: dreamshaper_8.safetensors [879db523c3], v1-5-pruned-emaonly.safetensors",
    )
    expect(sd.jobs).toHaveLength(0)
  })

  test("a checkpoint named by its model_name runs under its exact title; the stored metadata says what ran", async () => {
    await using sd = fakeSdWebui()
    await using env = await connect({ env: { [`${P}SD_WEBUI_HOST`]: sd.url } })
    const { image_id } = JSON.parse(
      env.text(
        await env.call("generate_image", { prompt: "a harbour", provider: "sd_webui", model: "SDXL_juggernautXL_v9" }),
      ),
    )
    await env.services.jobs.idle()
    const body = sd.calls("/sdapi/v1/txt2img")[0]?.body as { override_settings: unknown }
    expect(body.override_settings).toEqual({ sd_model_checkpoint: "SDXL/juggernautXL_v9.safetensors" })
    const record = await env.services.images.get(image_id)
    const info = JSON.parse(sd.jobs[0]?.info ?? "{}")
    expect(record?.providerMetadata).toMatchObject({
      model: "SDXL/juggernautXL_v9.safetensors",
      sd_model_name: "juggernautXL_v9",
      sd_model_hash: "c9e3e68f89",
      seed: info.seed,
      architecture: "sdxl",
    })
  })

  test("transform_image with a wide reference keeps its shape", async () => {
    await using sd = fakeSdWebui()
    await using env = await connect({ env: { [`${P}SD_WEBUI_HOST`]: sd.url } })
    await env.call("list_providers")
    const source = await addImage(env.services, quadrantPng(64, 32))
    const answer = await env.call("transform_image", {
      prompt: "as a watercolour",
      reference_images: [source.id],
      provider: "sd_webui",
    })
    expect(answer.isError).toBeFalsy()
    await until(() => sd.jobs[0]?.status === "done", "img2img done")
    await env.services.jobs.idle()
    expect(sd.jobs[0]?.geometry).toMatchObject({ effect: "crop", source: [64, 32], output: [968, 480], distortion: 1 })
  })

  test("transform_image accepts a checkpoint by the display name list_providers shows, as generate_image does", async () => {
    await using sd = fakeSdWebui()
    await using env = await connect({ env: { [`${P}SD_WEBUI_HOST`]: sd.url } })
    await env.call("list_providers")
    const source = await addImage(env.services, quadrantPng(32, 32))
    const answer = await env.call("transform_image", {
      prompt: "as a watercolour",
      reference_images: [source.id],
      provider: "sd_webui",
      model: "SDXL_juggernautXL_v9",
    })
    expect(answer.isError).toBeFalsy()
    await env.services.jobs.idle()
    const body = sd.calls("/sdapi/v1/img2img")[0]?.body as { override_settings: unknown; width: number }
    expect(body).toMatchObject({
      override_settings: { sd_model_checkpoint: "SDXL/juggernautXL_v9.safetensors" },
      width: 1024,
    })
  })
})
