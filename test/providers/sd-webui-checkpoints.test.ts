// Which checkpoint runs, with which preset, and what the stored metadata says ran; img2img keeps the reference's shape.
import { describe, expect, test } from "bun:test"
import type { AppError } from "@/core/errors"
import { solidPng } from "@/providers/solid-png"
import type { FakeJob, FakeSdWebui } from "../fixture/fake-sd-webui"
import { IMG2IMG, lastBody, live, png, rejection, request, TXT2IMG, until, useFake } from "./sd-webui-harness"

const FLUX = "flux1-dev-bnb-nf4-v2.safetensors"
const SDXL = "SDXL/juggernautXL_v9.safetensors"
const { fake, sd, replace } = useFake()

const apiJobs = (f: FakeSdWebui = fake()): FakeJob[] => f.jobs.filter((j) => j.client === "api")
const switchTo = (f: FakeSdWebui, name: string) =>
  fetch(`${f.url}/sdapi/v1/options`, { method: "POST", body: JSON.stringify({ sd_model_checkpoint: name }) })

describe("presets follow the checkpoint the WebUI has loaded", () => {
  test("no model named: the loaded Flux checkpoint gets Flux settings, re-read on every generation", async () => {
    expect((await switchTo(fake(), FLUX)).status).toBe(200)
    const provider = sd()
    await provider.generate(request({ negativePrompt: "ugly", aspectRatio: "2:3" }), live())
    expect(lastBody(fake(), TXT2IMG)).toMatchObject({
      width: 832,
      height: 1216,
      steps: 20,
      sampler_name: "Euler",
      scheduler: "Simple",
      cfg_scale: 1,
      distilled_cfg_scale: 3.5,
      override_settings: { sd_model_checkpoint: `${FLUX} [f0770152a1]` },
    })
    expect(lastBody(fake(), TXT2IMG)).not.toHaveProperty("negative_prompt")
    expect(await switchTo(fake(), SDXL).then((r) => r.status)).toBe(200)
    await provider.generate(request(), live())
    expect(lastBody(fake(), TXT2IMG)).toMatchObject({
      width: 1024,
      height: 1024,
      steps: 30,
      cfg_scale: 6,
      negative_prompt: "",
    })
    expect(
      fake()
        .calls("/sdapi/v1/options")
        .filter((r) => r.method === "GET"),
    ).toHaveLength(2)
  })

  test("the loaded checkpoint is pinned, so a switch in the UI before our turn cannot give us the wrong preset", async () => {
    const other = fake().otherJob({ steps: 1, holdAtStep: 0 })
    await other.started
    const pending = sd().generate(request(), live())
    await until(() => apiJobs().length === 1, "our job queued")
    fake().checkpoints.option = `${FLUX}` // someone picks Flux in the UI while we wait
    other.release()
    const result = await pending
    expect(apiJobs()[0]?.ran?.path).toBe("dreamshaper_8.safetensors")
    expect(result.metadata).toMatchObject({ architecture: "sd15", sd_model_name: "dreamshaper_8" })
  })

  test("SD_WEBUI_MODEL (any name the WebUI accepts) beats the loaded checkpoint; a call's model beats both", async () => {
    await sd({ model: "juggernautXL_v9" }).generate(request(), live())
    expect(lastBody(fake(), TXT2IMG)).toMatchObject({ override_settings: { sd_model_checkpoint: SDXL }, steps: 30 })
    await sd({ model: "juggernautXL_v9" }).generate(request({ model: "FLUX1-DEV-BNB-NF4-V2" }), live())
    expect(lastBody(fake(), TXT2IMG)).toMatchObject({
      override_settings: { sd_model_checkpoint: `${FLUX}` },
      steps: 20,
    })
  })
})

describe("checkpoint names", () => {
  test.each([
    ["the title", "dreamshaper_8.safetensors [879db523c3]"],
    ["the file name", "dreamshaper_8.safetensors"],
    ["model_name", "dreamshaper_8"],
    ["the short hash", "879db523c3"],
    ["the full sha256", "879db523c30d3b9017143d56705015e15a2cb5628762c11d086fed9538abd7fd"],
  ])("%s resolves to the exact title the WebUI needs", async (_, name) => {
    await sd().generate(request({ model: name }), live())
    expect(lastBody(fake(), TXT2IMG)?.override_settings).toEqual({
      sd_model_checkpoint: "dreamshaper_8.safetensors [879db523c3]",
    })
  })

  test("a checkpoint added after discovery is found by refreshing the list once", async () => {
    const provider = sd()
    await provider.discover()
    fake().checkpoints.files.push({ path: "chroma1-hd.safetensors", sha256: "ab".repeat(32) })
    await provider.generate(request({ model: "chroma1-hd" }), live())
    expect(lastBody(fake(), TXT2IMG)).toMatchObject({
      override_settings: { sd_model_checkpoint: "chroma1-hd.safetensors" },
      steps: 30,
      cfg_scale: 4,
    })
    expect(fake().calls("/sdapi/v1/sd-models")).toHaveLength(2)
  })

  test("the WebUI silently runs its loaded model for an override it cannot find (the fake, like A1111)", async () => {
    const answer = await fetch(`${fake().url}${TXT2IMG}`, {
      method: "POST",
      body: JSON.stringify({
        prompt: "x",
        steps: 1,
        width: 64,
        height: 64,
        override_settings: { sd_model_checkpoint: "nope.safetensors" },
      }),
    })
    expect(answer.status).toBe(200)
    expect(JSON.parse(((await answer.json()) as { info: string }).info)).toMatchObject({
      sd_model_name: "dreamshaper_8",
      sd_model_hash: "879db523c3",
    })
  })

  test("a checkpoint removed after we listed it: the WebUI ignores it, and we refuse the image that ran on another model", async () => {
    const provider = sd()
    await provider.discover()
    fake().checkpoints.files = fake().checkpoints.files.filter((f) => !f.path.includes("juggernaut"))
    const error = (await rejection(provider.generate(request({ model: "juggernautXL_v9" }), live()))) as AppError
    expect(error.code).toBe("checkpoint_not_applied")
    expect(error.message).toContain(`ran 'dreamshaper_8' instead of checkpoint '${SDXL}'`)
  })

  test("titles gain their hash once the WebUI has loaded the file (the fake, like A1111)", async () => {
    const titles = async () =>
      ((await (await fetch(`${fake().url}/sdapi/v1/sd-models`)).json()) as { title: string }[]).map((m) => m.title)
    expect(await titles()).toContain(SDXL)
    await sd().generate(request({ model: SDXL }), live())
    expect(await titles()).toContain(`${SDXL} [c9e3e68f89]`)
    await sd().generate(request({ model: SDXL }), live())
    expect(apiJobs().map((j) => j.ran?.path)).toEqual([SDXL, SDXL])
  })
})

describe("stored metadata records what ran", () => {
  test("model, sd_model_name and hash, seed, steps, sampler and cfg come from `info`", async () => {
    const provider = sd()
    await provider.discover()
    const { metadata } = await provider.generate(request({ model: "juggernautXL_v9", aspectRatio: "16:9" }), live())
    const info = JSON.parse(apiJobs()[0]?.info ?? "{}")
    expect(info.seed).toBeNumber()
    expect(metadata).toEqual({
      quality: "high",
      model: SDXL,
      architecture: "sdxl",
      size: "1344x768",
      steps: 30,
      prompt_style: "clip",
      sampler: "DPM++ 2M",
      cfg_scale: 6,
      sd_model_name: "juggernautXL_v9",
      sd_model_hash: "c9e3e68f89",
      seed: info.seed,
    })
  })

  test("SD.Next's info has no sd_model_name: the hash and the title still say what ran", async () => {
    const sdnext = await replace({ flavour: "sdnext", loaded: FLUX })
    const provider = sd()
    await provider.discover()
    const { metadata } = await provider.generate(request(), live())
    expect(metadata).toMatchObject({
      model: `${FLUX} [f0770152a1]`,
      sd_model_hash: "f0770152a1",
      architecture: "flux_dev",
    })
    expect(metadata).not.toHaveProperty("sd_model_name")
    expect(lastBody(sdnext, TXT2IMG)).toMatchObject({ sampler_name: "Default", cfg_scale: 3.5 })
    expect(lastBody(sdnext, TXT2IMG)).not.toHaveProperty("scheduler")
    expect(lastBody(sdnext, TXT2IMG)).not.toHaveProperty("distilled_cfg_scale")
  })

  test("Forge: Flux takes cfg 1 and distilled_cfg_scale, as Forge's own flux preset", async () => {
    const forge = await replace({ flavour: "forge", loaded: FLUX })
    await sd().generate(request(), live())
    expect(lastBody(forge, TXT2IMG)).toMatchObject({
      sampler_name: "Euler",
      scheduler: "Simple",
      cfg_scale: 1,
      distilled_cfg_scale: 3.5,
    })
    expect(JSON.parse(forge.jobs[0]?.info ?? "{}").extra_generation_params).toMatchObject({
      "Distilled CFG Scale": 3.5,
    })
  })
})

describe("img2img never stretches a reference of another shape", () => {
  test("the fake stretches with the default resize_mode 0, as A1111 does", async () => {
    const init = Buffer.from(solidPng(300, 100, [9, 9, 9])).toString("base64")
    await fetch(`${fake().url}${IMG2IMG}`, { method: "POST", body: JSON.stringify({ init_images: [init], steps: 2 }) })
    expect(apiJobs()[0]?.geometry).toMatchObject({
      effect: "stretch",
      source: [300, 100],
      output: [512, 512],
      distortion: 1 / 3,
    })
  })

  test.each<[string, number, number, string, readonly [number, number]]>([
    ["a 3:2 photo on SD 1.5", 300, 200, "dreamshaper_8", [768, 512]],
    ["a 4:1 banner on SDXL", 1000, 250, "juggernautXL_v9", [2032, 504]],
    ["a portrait on Flux", 600, 900, FLUX, [816, 1232]],
  ])("%s keeps its shape at the checkpoint's pixel count", async (_, w, h, model, [outW, outH]) => {
    const result = await sd().generate(
      request({ model, referenceImages: [png(solidPng(w, h, [200, 10, 10]))] }),
      live(),
    )
    expect(lastBody(fake(), IMG2IMG)).toMatchObject({
      width: outW,
      height: outH,
      resize_mode: 1,
      denoising_strength: 0.75,
    })
    const geometry = apiJobs()[0]?.geometry
    expect(geometry).toMatchObject({ effect: "crop", source: [w, h], output: [outW, outH] })
    expect(Math.abs(outW / outH / (w / h) - 1)).toBeLessThan(0.02)
    expect(await new Bun.Image(result.data).metadata()).toMatchObject({ width: outW, height: outH })
    expect(result.metadata).toMatchObject({ size: `${outW}x${outH}`, edited: true })
  })

  test("SD.Next numbers resize modes differently: crop is 2 there", async () => {
    const sdnext = await replace({ flavour: "sdnext" })
    await sd().generate(request({ referenceImages: [png(solidPng(400, 200, [1, 1, 1]))], strength: 0.4 }), live())
    expect(lastBody(sdnext, IMG2IMG)).toMatchObject({ resize_mode: 2, denoising_strength: 0.4 })
    expect(sdnext.jobs[0]?.geometry).toMatchObject({ effect: "crop", distortion: 1 })
  })
})
