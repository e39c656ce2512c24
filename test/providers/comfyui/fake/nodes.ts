// The nodes of the fake, with the INPUT_TYPES, RETURN_TYPES and OUTPUT_NODE of ComfyUI 0.3.64 (nodes.py;
// comfy_extras/nodes_custom_sampler.py, nodes_flux.py, nodes_sd3.py, nodes_model_advanced.py; samplers.py for the
// sampler and scheduler names). Running a node computes sizes, not pixels: latents are 1/8 of the pixel size
// (EmptyLatentImage and VAEEncode round down to a multiple of 8), so the saved image shows what the graph asked for.
// A latent or image is a batch: EmptyLatentImage's batch_size and RepeatLatentBatch's amount set how many, the
// samplers draw image k's noise as draw k of their one seed (comfy/sample.py prepare_noise) — or draw
// `batch_index[k]` when LatentFromBatch picked image k out of a batch (latent-batch.ts) — and SaveImage writes one
// file per image, in batch order, painted from the seed and that draw.
import { solidPng } from "@/providers/solid-png"
import { latentBatchNodes } from "./latent-batch"

export const MAX_RESOLUTION = 16384
// biome-ignore format: the list as samplers.py spells it
export const SAMPLERS = [
  "euler", "euler_cfg_pp", "euler_ancestral", "euler_ancestral_cfg_pp", "heun", "heunpp2", "dpm_2", "dpm_2_ancestral",
  "lms", "dpm_fast", "dpm_adaptive", "dpmpp_2s_ancestral", "dpmpp_2s_ancestral_cfg_pp", "dpmpp_sde", "dpmpp_sde_gpu",
  "dpmpp_2m", "dpmpp_2m_cfg_pp", "dpmpp_2m_sde", "dpmpp_2m_sde_gpu", "dpmpp_2m_sde_heun", "dpmpp_2m_sde_heun_gpu",
  "dpmpp_3m_sde", "dpmpp_3m_sde_gpu", "ddpm", "lcm", "ipndm", "ipndm_v", "deis", "res_multistep",
  "res_multistep_cfg_pp", "res_multistep_ancestral", "res_multistep_ancestral_cfg_pp", "gradient_estimation",
  "gradient_estimation_cfg_pp", "er_sde", "seeds_2", "seeds_3", "sa_solver", "sa_solver_pece", "ddim", "uni_pc",
  "uni_pc_bh2",
]
// biome-ignore format: the list as samplers.py spells it
export const SCHEDULERS = [
  "simple", "sgm_uniform", "karras", "exponential", "ddim_uniform", "beta", "normal", "linear_quadratic", "kl_optimal",
]

export type InputType = string | readonly (string | number)[]
export type InputDef = readonly [InputType, Record<string, unknown>?]

export interface Latent {
  width: number
  height: number
  /** Images in the batch. */
  batch: number
  seed?: number
  masked?: boolean
  /** ComfyUI's `batch_index` (set by LatentFromBatch): which noise draw of the seed each image takes. */
  batchIndex?: number[]
}
export interface Picture {
  width: number
  height: number
  batch: number
  seed?: number
  /** The noise draw each image took, when the sampled latent carried `batch_index`; else 0, 1, 2, …. */
  batchIndex?: number[]
}

/** What a running node can do besides computing: wait, report steps, load files, save images. */
export interface RunContext {
  /** Waits `ms` of the fake's clock (model loading). */
  load(): Promise<void>
  /** One sampling step of `latent` done; throws when the prompt was interrupted. */
  step(value: number, max: number, latent: Latent): Promise<void>
  readInput(name: string): Promise<{ width: number; height: number } | undefined>
  save(kind: "output" | "temp", prefix: string, png: Uint8Array): { filename: string; subfolder: string; type: string }
}

export interface NodeDef {
  input: { required: Record<string, InputDef>; optional?: Record<string, InputDef>; hidden?: Record<string, string> }
  output: readonly string[]
  outputName?: readonly string[]
  outputNode?: boolean
  category: string
  /** A V3 node (comfy_api io): object_info spells its combos ["COMBO", {options}]. */
  v3?: boolean
  /** VALIDATE_INPUTS: inputs it checks itself (the generic min/max/list checks skip them), and the check. */
  validateInputs?: { inputs: readonly string[]; check(values: Record<string, unknown>): true | string }
  run(inputs: Record<string, unknown>, ctx: RunContext): Promise<{ outputs: unknown[]; ui?: Record<string, unknown> }>
}

export interface Lists {
  checkpoints: readonly string[]
  diffusionModels: readonly string[]
  textEncoders: readonly string[]
  vaes: readonly string[]
  /** Image files at the top of the input folder (LoadImage's list). */
  inputImages(): string[]
  inputExists(name: string): boolean
}

const int = (def: number, min: number, max: number, step = 1): InputDef => ["INT", { default: def, min, max, step }]
const float = (def: number, min: number, max: number, step = 0.01): InputDef => [
  "FLOAT",
  { default: def, min, max, step },
]
const round8 = (n: number) => Math.floor(n / 8) * 8
const asLatent = (v: unknown) => v as Latent
const emptyLatent = (i: Record<string, unknown>): Latent => ({
  width: round8(Number(i.width)),
  height: round8(Number(i.height)),
  batch: Number(i.batch_size),
})
const asPicture = (v: unknown) => v as Picture

/** The colour the fake paints an image with: from the seed, so a test can tell which seed ran. */
export function seedColour(seed = 0): [number, number, number] {
  return [seed % 256, Math.floor(seed / 256) % 256, Math.floor(seed / 65536) % 256]
}

/** The colour of image `index` of a batch sampled with `seed`: the seed's colour for the first, shifted after. */
export function batchColour(seed: number, index: number): [number, number, number] {
  const [r, g, b] = seedColour(seed)
  return [(r + 97 * index) % 256, (g + 57 * index) % 256, (b + 29 * index) % 256]
}

async function sample(latent: Latent, steps: number, seed: number, ctx: RunContext): Promise<Latent> {
  for (let i = 1; i <= steps; i++) await ctx.step(i, steps, latent)
  return { ...latent, seed }
}

function saveImages(kind: "output" | "temp", prefix: string, images: Picture, ctx: RunContext) {
  const saved = Array.from({ length: images.batch }, (_, k) =>
    ctx.save(
      kind,
      prefix,
      solidPng(images.width, images.height, batchColour(images.seed ?? 0, images.batchIndex?.[k] ?? k)),
    ),
  )
  return { outputs: [], ui: { images: saved } }
}

export function nodeDefs(lists: Lists): Record<string, NodeDef> {
  const loadImageCheck = {
    inputs: ["image"],
    check: (v: Record<string, unknown>) =>
      lists.inputExists(String(v.image)) ? true : `Invalid image file: ${v.image}`,
  } as const
  const loadImage = async (name: unknown, ctx: RunContext) => {
    const size = await ctx.readInput(String(name))
    if (!size) throw Object.assign(new Error(`No such file: ${name}`), { type: "FileNotFoundError" })
    return size
  }
  return {
    CheckpointLoaderSimple: {
      input: { required: { ckpt_name: [lists.checkpoints] } },
      output: ["MODEL", "CLIP", "VAE"],
      category: "loaders",
      async run(i, ctx) {
        await ctx.load()
        return { outputs: [{ model: i.ckpt_name }, { clip: i.ckpt_name }, { vae: i.ckpt_name }] }
      },
    },
    UNETLoader: {
      input: {
        required: {
          unet_name: [lists.diffusionModels],
          weight_dtype: [["default", "fp8_e4m3fn", "fp8_e4m3fn_fast", "fp8_e5m2"]],
        },
      },
      output: ["MODEL"],
      category: "advanced/loaders",
      async run(i, ctx) {
        await ctx.load()
        return { outputs: [{ model: i.unet_name }] }
      },
    },
    DualCLIPLoader: {
      input: {
        required: {
          clip_name1: [lists.textEncoders],
          clip_name2: [lists.textEncoders],
          type: [["sdxl", "sd3", "flux", "hunyuan_video", "hidream", "hunyuan_image"]],
        },
        optional: { device: [["default", "cpu"], { advanced: true }] },
      },
      output: ["CLIP"],
      category: "advanced/loaders",
      run: async (i) => ({ outputs: [{ clip: [i.clip_name1, i.clip_name2] }] }),
    },
    VAELoader: {
      input: { required: { vae_name: [[...lists.vaes, "pixel_space"]] } },
      output: ["VAE"],
      category: "loaders",
      run: async (i) => ({ outputs: [{ vae: i.vae_name }] }),
    },
    CLIPTextEncode: {
      input: { required: { text: ["STRING", { multiline: true, dynamicPrompts: true }], clip: ["CLIP"] } },
      output: ["CONDITIONING"],
      category: "conditioning",
      run: async (i) => ({ outputs: [{ text: i.text }] }),
    },
    FluxGuidance: {
      input: { required: { conditioning: ["CONDITIONING"], guidance: float(3.5, 0, 100, 0.1) } },
      output: ["CONDITIONING"],
      category: "advanced/conditioning/flux",
      v3: true,
      run: async (i) => ({ outputs: [{ ...(i.conditioning as object), guidance: i.guidance }] }),
    },
    EmptyLatentImage: {
      input: {
        required: {
          width: int(512, 16, MAX_RESOLUTION, 8),
          height: int(512, 16, MAX_RESOLUTION, 8),
          batch_size: int(1, 1, 4096),
        },
      },
      output: ["LATENT"],
      category: "latent",
      run: async (i) => ({ outputs: [emptyLatent(i)] }),
    },
    EmptySD3LatentImage: {
      input: {
        required: {
          width: int(1024, 16, MAX_RESOLUTION, 16),
          height: int(1024, 16, MAX_RESOLUTION, 16),
          batch_size: int(1, 1, 4096),
        },
      },
      output: ["LATENT"],
      category: "latent/sd3",
      v3: true,
      run: async (i) => ({ outputs: [emptyLatent(i)] }),
    },
    KSampler: {
      input: {
        required: {
          model: ["MODEL"],
          seed: int(0, 0, Number.MAX_SAFE_INTEGER),
          steps: int(20, 1, 10000),
          cfg: float(8, 0, 100, 0.1),
          sampler_name: [SAMPLERS],
          scheduler: [SCHEDULERS],
          positive: ["CONDITIONING"],
          negative: ["CONDITIONING"],
          latent_image: ["LATENT"],
          denoise: float(1, 0, 1),
        },
      },
      output: ["LATENT"],
      category: "sampling",
      run: async (i, ctx) => ({
        outputs: [await sample(asLatent(i.latent_image), Number(i.steps), Number(i.seed), ctx)],
      }),
    },
    ModelSamplingFlux: {
      input: {
        required: {
          model: ["MODEL"],
          max_shift: float(1.15, 0, 100),
          base_shift: float(0.5, 0, 100),
          width: int(1024, 16, MAX_RESOLUTION, 8),
          height: int(1024, 16, MAX_RESOLUTION, 8),
        },
      },
      output: ["MODEL"],
      category: "advanced/model",
      run: async (i) => ({ outputs: [i.model] }),
    },
    KSamplerSelect: {
      input: { required: { sampler_name: [SAMPLERS] } },
      output: ["SAMPLER"],
      category: "sampling/custom_sampling/samplers",
      run: async (i) => ({ outputs: [{ sampler: i.sampler_name }] }),
    },
    BasicScheduler: {
      input: {
        required: { model: ["MODEL"], scheduler: [SCHEDULERS], steps: int(20, 1, 10000), denoise: float(1, 0, 1) },
      },
      output: ["SIGMAS"],
      category: "sampling/custom_sampling/schedulers",
      run: async (i) => ({ outputs: [{ steps: Number(i.steps), denoise: i.denoise }] }),
    },
    BasicGuider: {
      input: { required: { model: ["MODEL"], conditioning: ["CONDITIONING"] } },
      output: ["GUIDER"],
      category: "sampling/custom_sampling/guiders",
      run: async (i) => ({ outputs: [{ guider: i.conditioning }] }),
    },
    RandomNoise: {
      input: { required: { noise_seed: int(0, 0, Number.MAX_SAFE_INTEGER) } },
      output: ["NOISE"],
      category: "sampling/custom_sampling/noise",
      run: async (i) => ({ outputs: [{ seed: Number(i.noise_seed) }] }),
    },
    SamplerCustomAdvanced: {
      input: {
        required: {
          noise: ["NOISE"],
          guider: ["GUIDER"],
          sampler: ["SAMPLER"],
          sigmas: ["SIGMAS"],
          latent_image: ["LATENT"],
        },
      },
      output: ["LATENT", "LATENT"],
      outputName: ["output", "denoised_output"],
      category: "sampling/custom_sampling",
      async run(i, ctx) {
        const steps = (i.sigmas as { steps: number }).steps
        const out = await sample(asLatent(i.latent_image), steps, (i.noise as { seed: number }).seed, ctx)
        return { outputs: [out, out] }
      },
    },
    VAEDecode: {
      input: { required: { samples: ["LATENT"], vae: ["VAE"] } },
      output: ["IMAGE"],
      category: "latent",
      run: async (i) => {
        const { width, height, batch, seed, batchIndex } = asLatent(i.samples)
        return { outputs: [{ width, height, batch, seed, batchIndex }] }
      },
    },
    VAEEncode: {
      input: { required: { pixels: ["IMAGE"], vae: ["VAE"] } },
      output: ["LATENT"],
      category: "latent",
      run: async (i) => {
        const { width, height, batch } = asPicture(i.pixels)
        return { outputs: [{ width: round8(width), height: round8(height), batch }] }
      },
    },
    VAEEncodeForInpaint: {
      input: { required: { pixels: ["IMAGE"], vae: ["VAE"], mask: ["MASK"], grow_mask_by: int(6, 0, 64) } },
      output: ["LATENT"],
      category: "latent/inpaint",
      run: async (i) => {
        const { width, height, batch } = asPicture(i.pixels)
        return { outputs: [{ width: round8(width), height: round8(height), batch, masked: true }] }
      },
    },
    SetLatentNoiseMask: {
      input: { required: { samples: ["LATENT"], mask: ["MASK"] } },
      output: ["LATENT"],
      category: "latent/inpaint",
      run: async (i) => ({ outputs: [{ ...asLatent(i.samples), masked: true }] }),
    },
    ...latentBatchNodes(),
    ImageScale: {
      input: {
        required: {
          image: ["IMAGE"],
          upscale_method: [["nearest-exact", "bilinear", "area", "bicubic", "lanczos"]],
          width: int(512, 0, MAX_RESOLUTION),
          height: int(512, 0, MAX_RESOLUTION),
          crop: [["disabled", "center"]],
        },
      },
      output: ["IMAGE"],
      category: "image/upscaling",
      run: async (i) => {
        const source = asPicture(i.image)
        let width = Number(i.width)
        let height = Number(i.height)
        if (width === 0 && height === 0) return { outputs: [source] }
        if (width === 0) width = Math.max(1, Math.round((source.width / source.height) * height))
        if (height === 0) height = Math.max(1, Math.round((source.height / source.width) * width))
        return { outputs: [{ width, height, batch: source.batch }] }
      },
    },
    LoadImage: {
      input: { required: { image: [lists.inputImages(), { image_upload: true }] } },
      output: ["IMAGE", "MASK"],
      category: "image",
      validateInputs: loadImageCheck,
      async run(i, ctx) {
        const size = await loadImage(i.image, ctx)
        return { outputs: [{ ...size, batch: 1 }, size] }
      },
    },
    LoadImageMask: {
      input: {
        required: {
          image: [lists.inputImages(), { image_upload: true }],
          channel: [["alpha", "red", "green", "blue"]],
        },
      },
      output: ["MASK"],
      category: "mask",
      validateInputs: loadImageCheck,
      async run(i, ctx) {
        return { outputs: [await loadImage(i.image, ctx)] }
      },
    },
    SaveImage: {
      input: {
        required: { images: ["IMAGE"], filename_prefix: ["STRING", { default: "ComfyUI" }] },
        hidden: { prompt: "PROMPT", extra_pnginfo: "EXTRA_PNGINFO" },
      },
      output: [],
      outputNode: true,
      category: "image",
      run: async (i, ctx) => saveImages("output", String(i.filename_prefix), asPicture(i.images), ctx),
    },
    PreviewImage: {
      input: { required: { images: ["IMAGE"] }, hidden: { prompt: "PROMPT", extra_pnginfo: "EXTRA_PNGINFO" } },
      output: [],
      outputNode: true,
      category: "image",
      run: async (i, ctx) => saveImages("temp", "ComfyUI_temp_fakex", asPicture(i.images), ctx),
    },
  }
}

/** server.py node_info: what /object_info says about one node. */
export function nodeInfo(name: string, def: NodeDef): Record<string, unknown> {
  const spell = (group: Record<string, InputDef> | undefined) =>
    group &&
    Object.fromEntries(
      Object.entries(group).map(([key, [type, options = {}]]) =>
        def.v3 && Array.isArray(type) ? [key, ["COMBO", { ...options, options: type }]] : [key, [type, options]],
      ),
    )
  const input: Record<string, unknown> = { required: spell(def.input.required) }
  if (def.input.optional) input.optional = spell(def.input.optional)
  if (def.input.hidden) input.hidden = def.input.hidden
  return {
    input,
    input_order: Object.fromEntries(Object.entries(def.input).map(([k, v]) => [k, Object.keys(v)])),
    output: def.output,
    output_is_list: def.output.map(() => false),
    output_name: def.outputName ?? def.output,
    name,
    display_name: name,
    description: "",
    python_module: def.v3 ? "comfy_extras.nodes_flux" : "nodes",
    category: def.category,
    output_node: def.outputNode ?? false,
  }
}
