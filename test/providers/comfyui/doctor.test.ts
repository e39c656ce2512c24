// `doctor` with a ComfyUI configured: its version, devices, models and workflows, and the reason a workflow is
// left out; an unreachable host with the fix.
import { describe, expect, test } from "bun:test"
import { writeFile } from "node:fs/promises"
import { join } from "node:path"
import { tmpdir } from "../../fixture/tmpdir"
import { runCli } from "../../helpers/cli"
import { closedPortUrl, fakeComfyUi } from "./fake"

const env = (dir: string, extra: Record<string, string>) => ({
  HOME: dir,
  IMAGE_GENERATION_MCP_DB_PATH: join(dir, "state.sqlite"),
  ...extra,
})

const WORKFLOW = {
  "3": {
    class_type: "KSampler",
    inputs: {
      seed: 0,
      steps: 20,
      cfg: 7,
      sampler_name: "euler",
      scheduler: "normal",
      denoise: 1,
      model: ["4", 0],
      positive: ["6", 0],
      negative: ["6", 0],
      latent_image: ["5", 0],
    },
    _meta: { title: "KSampler @seed" },
  },
  "4": { class_type: "CheckpointLoaderSimple", inputs: { ckpt_name: "v1-5-pruned-emaonly.safetensors" } },
  "5": { class_type: "EmptyLatentImage", inputs: { width: 512, height: 512, batch_size: 1 } },
  "6": { class_type: "CLIPTextEncode", inputs: { text: "", clip: ["4", 1] }, _meta: { title: "@prompt" } },
  "8": { class_type: "VAEDecode", inputs: { samples: ["3", 0], vae: ["4", 2] } },
  "9": { class_type: "SaveImage", inputs: { filename_prefix: "x", images: ["8", 0] } },
}

describe("doctor with ComfyUI", () => {
  test("shows the version, the devices, the models and the workflows, and fails on a workflow it cannot use", async () => {
    await using dir = await tmpdir()
    await using comfy = fakeComfyUi()
    const workflows = join(dir.path, "workflows")
    await Bun.write(join(workflows, "simple.json"), JSON.stringify(WORKFLOW))
    await writeFile(join(workflows, "old.json"), JSON.stringify({ nodes: [], links: [] }))
    const { code, stdout } = await runCli(
      ["doctor"],
      env(dir.path, {
        IMAGE_GENERATION_MCP_COMFYUI_HOST: comfy.url,
        IMAGE_GENERATION_MCP_COMFYUI_WORKFLOWS_DIR: workflows,
      }),
    )
    expect(stdout).toMatch(
      /ok +provider comfyui +reachable; models: v1-5-pruned-emaonly\.safetensors, SDXL\/juggernautXL_v9\.safetensors, flux1-dev-fp8\.safetensors, flux1-dev\.safetensors, flux1-schnell\.safetensors, workflow:simple\n/,
    )
    expect(stdout).toContain(
      `comfyui version        0.3.64 at ${comfy.url} (Python 3.12.3, PyTorch 2.8.0+cu128); cancel interrupts this server's prompt by its id`,
    )
    expect(stdout).toContain(
      "comfyui devices        cuda:0 NVIDIA GeForce RTX 4090 : cudaMallocAsync (cuda; VRAM 23.6 GiB, 22.3 GiB free)",
    )
    expect(stdout).toMatch(
      /ok +comfyui models +3 checkpoint\(s\), 2 Flux diffusion model\(s\) with the built-in workflows/,
    )
    expect(stdout).toMatch(new RegExp(`ok +comfyui workflows +1 usable in ${workflows}: workflow:simple`))
    expect(stdout).toMatch(/FAIL +comfyui workflow +workflow old\.json was saved in ComfyUI's UI format/)
    expect(stdout).toContain('fix: Fix the file (see the README, "Your own ComfyUI workflows")')
    expect(code).toBe(1)
  })

  test("an older ComfyUI and an unreachable one are told apart", async () => {
    await using dir = await tmpdir()
    await using legacy = fakeComfyUi({ legacy: true })
    const old = await runCli(["doctor"], env(dir.path, { IMAGE_GENERATION_MCP_COMFYUI_HOST: legacy.url }))
    expect(old.stdout).toContain("0.3.40 at http://127.0.0.1:")
    expect(old.stdout).toContain("cancel interrupts only after checking that this server's prompt is the one running")
    expect(old.code).toBe(0)
    const down = await runCli(["doctor"], env(dir.path, { IMAGE_GENERATION_MCP_COMFYUI_HOST: await closedPortUrl() }))
    expect(down.stdout).toMatch(/FAIL +provider comfyui +not reachable/)
    expect(down.stdout).toContain(
      "fix: Start ComfyUI (it listens on port 8188 by default), or fix IMAGE_GENERATION_MCP_COMFYUI_HOST.",
    )
    expect(down.code).toBe(1)
  })
})
