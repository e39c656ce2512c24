// The shared local preset tables (src/providers/local), as the sd_webui provider uses them.
import { describe, expect, test } from "bun:test"
import {
  type Architecture,
  detectArchitecture,
  LOCAL_PRESETS,
  maxEdge,
  presetFor,
  sizeForRatio,
  sizeForShape,
} from "@/providers/local/presets"
import { samplingFields } from "@/providers/sd-webui/forks"

describe("architecture from the checkpoint name", () => {
  test.each<[string | undefined, Architecture]>([
    ["dreamshaper_8.safetensors", "sd15"],
    ["v1-5-pruned-emaonly.safetensors", "sd15"],
    ["realisticVisionV60B1_v51HyperVAE", "sd15"],
    ["dreamshaper_lightning", "sd15"],
    [undefined, "sd15"],
    ["SDXL/juggernautXL_v9.safetensors [c9e3e68f89]", "sdxl"],
    ["sd_xl_base_1.0.safetensors", "sdxl"],
    ["realvisxlV40_v40Bakedvae", "sdxl"],
    ["xl_model_v2", "sdxl"],
    ["ponyDiffusionV6XL_v6StartWithThisOne", "sdxl_anime"],
    ["illustriousXL_v01", "sdxl_anime"],
    ["noobaiXLNAIXL_vPred10Version", "sdxl_anime"],
    ["animagine-xl-3.1", "sdxl_anime"],
    ["dreamshaperXL_v21TurboDPMSDE", "sdxl_fast"],
    ["juggernautXL_lightning", "sdxl_fast"],
    ["sdxl_lightning_4step.safetensors", "sdxl_lightning"],
    ["Hyper-SDXL-8steps", "sdxl_lightning"],
    ["sd_xl_turbo_1.0_fp16", "sdxl_turbo"],
    ["sd3.5_large.safetensors", "sd3"],
    ["sd3_5_medium_incl_clips", "sd3_medium"],
    ["stable_diffusion_3_5_large_turbo", "sd3_turbo"],
    ["flux1-dev-bnb-nf4-v2.safetensors", "flux_dev"],
    ["flux1-schnell-Q4_K_S.gguf", "flux_schnell"],
    ["Diffusers/black-forest-labs/FLUX.2-dev", "flux2"],
    ["flux-2-klein-4b", "flux2_klein"],
    ["FLUX.2-klein-base-9B", "flux2_klein_base"],
    ["chroma1-hd.safetensors", "chroma"],
    ["qwen_image_fp8_e4m3fn", "qwen_image"],
    ["HiDream-I1-Full", "hidream"],
    ["hidream_i1_fast_fp8", "hidream_distilled"],
    ["Z-Image-Turbo", "z_image_turbo"],
    ["z_image_base", "z_image"],
  ])("%p → %s", (name, architecture) => {
    expect(detectArchitecture(name)).toBe(architecture)
  })

  test("a step-distilled release gets the step count it names", () => {
    expect(presetFor("sdxl_lightning_8step.safetensors").steps).toBe(8)
    expect(presetFor("sdxl_lightning_2step_unet").steps).toBe(2)
    expect(presetFor("Hyper-SDXL-1step").steps).toBe(1)
    expect(presetFor("juggernautXL_lightning").steps).toBe(6)
  })
})

describe("preset rows", () => {
  test("guidance-distilled and step-distilled models take no negative prompt and cfg 1", () => {
    for (const preset of Object.values(LOCAL_PRESETS)) {
      if (preset.cfg <= 1) expect([preset.architecture, preset.negativePrompt]).toEqual([preset.architecture, false])
      if (preset.negativePrompt) expect(preset.cfg).toBeGreaterThan(1)
    }
    expect(LOCAL_PRESETS.flux_dev).toMatchObject({
      steps: 20,
      cfg: 1,
      guidance: 3.5,
      sampler: "euler",
      scheduler: "simple",
    })
    expect(LOCAL_PRESETS.flux_schnell).toMatchObject({ steps: 4, cfg: 1 })
    expect(LOCAL_PRESETS.flux_schnell.guidance).toBeUndefined()
    expect(LOCAL_PRESETS.flux2).toMatchObject({ guidance: 4, negativePrompt: false })
    expect(LOCAL_PRESETS.sd3).toMatchObject({
      steps: 28,
      cfg: 4,
      sampler: "euler",
      scheduler: "sgm_uniform",
      negativePrompt: true,
    })
  })

  test("UNet models (SD 1.5, SDXL) speak CLIP tags; DiT models natural language", () => {
    const clip = Object.values(LOCAL_PRESETS)
      .filter((p) => p.promptStyle === "clip")
      .map((p) => p.architecture)
    expect(clip).toEqual(["sd15", "sdxl", "sdxl_anime", "sdxl_fast", "sdxl_lightning", "sdxl_turbo"])
  })
})

describe("sizes", () => {
  test("SD 1.5 keeps one side at its trained 512 px; SDXL-class models use SDXL's 1 MP buckets; Qwen its own", () => {
    const table = (architecture: Architecture) =>
      ["1:1", "16:9", "9:16", "3:2", "2:3", "7:5"].map((r) => sizeForRatio(LOCAL_PRESETS[architecture], r).join("x"))
    expect(table("sd15")).toEqual(["512x512", "912x512", "512x912", "768x512", "512x768", "512x512"])
    for (const architecture of ["sdxl", "sd3", "flux_dev", "chroma"] as const) {
      expect(table(architecture)).toEqual(["1024x1024", "1344x768", "768x1344", "1216x832", "832x1216", "1024x1024"])
    }
    expect(table("sdxl_turbo").slice(0, 3)).toEqual(["512x512", "680x384", "384x680"])
    expect(table("qwen_image").slice(0, 2)).toEqual(["1328x1328", "1664x928"])
    expect(maxEdge(LOCAL_PRESETS.sd15)).toBe(912)
  })

  test("a reference's shape is kept at the preset's pixel count, in multiples of 8 (UNet) or 16 (DiT)", () => {
    expect(sizeForShape(LOCAL_PRESETS.sd15, 3000, 2000)).toEqual([768, 512])
    expect(sizeForShape(LOCAL_PRESETS.sdxl, 1000, 1000)).toEqual([1024, 1024])
    const [w, h] = sizeForShape(LOCAL_PRESETS.flux_dev, 1000, 333)
    expect([w % 16, h % 16]).toEqual([0, 0])
    expect(Math.abs(w / h / (1000 / 333) - 1)).toBeLessThan(0.03)
    expect(sizeForShape(LOCAL_PRESETS.sd15, 10, 4000)).toEqual([8, 2048])
    expect(sizeForShape(LOCAL_PRESETS.qwen_image, 4000, 1000)).toEqual([2048, 512])
  })
})

describe("how each fork is asked", () => {
  test("A1111/reForge and Forge: A1111 labels; Forge-style guidance field for Flux", () => {
    expect(samplingFields("a1111", LOCAL_PRESETS.sd15)).toEqual({
      sampler_name: "DPM++ 2M",
      scheduler: "Karras",
      cfg_scale: 7,
    })
    expect(samplingFields("forge", LOCAL_PRESETS.flux_dev)).toEqual({
      sampler_name: "Euler",
      scheduler: "Simple",
      cfg_scale: 1,
      distilled_cfg_scale: 3.5,
    })
    expect(samplingFields("a1111", LOCAL_PRESETS.sdxl_anime)).toMatchObject({
      sampler_name: "Euler a",
      scheduler: "Normal",
    })
    expect(samplingFields("a1111", LOCAL_PRESETS.sd3)).toMatchObject({
      sampler_name: "Euler",
      scheduler: "SGM Uniform",
    })
  })

  test("SD.Next: the model's own scheduler and guidance as cfg_scale", () => {
    expect(samplingFields("sdnext", LOCAL_PRESETS.flux_dev)).toEqual({ sampler_name: "Default", cfg_scale: 3.5 })
    expect(samplingFields("sdnext", LOCAL_PRESETS.sdxl)).toEqual({ sampler_name: "Default", cfg_scale: 6 })
  })
})
