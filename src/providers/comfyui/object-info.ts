// What /object_info and /system_stats say (server.py node_info and system_stats, ComfyUI 0.3.64). An input spec is
// `[type, options]`; a V1 combo's type is the list of its values, a V3 combo is `["COMBO", {options: [...]}]`.
import { z } from "zod"

export interface InputSpec {
  /** A link type (`MODEL`, `IMAGE`…), a widget type (`INT`, `FLOAT`, `STRING`, `BOOLEAN`) or `COMBO`. */
  type: string
  required: boolean
  options?: readonly (string | number)[]
  min?: number
  max?: number
  /** An upload widget (LoadImage's file list): ComfyUI checks the file itself, not the list. */
  upload?: boolean
}

export interface NodeSchema {
  inputs: Readonly<Record<string, InputSpec>>
  outputs: readonly string[]
  outputNode: boolean
}

/** The nodes this ComfyUI has and the model files its loaders list. */
export interface Catalog {
  nodes: ReadonlyMap<string, NodeSchema>
  checkpoints: readonly string[]
  diffusionModels: readonly string[]
  textEncoders: readonly string[]
  vaes: readonly string[]
  samplers: readonly string[]
  schedulers: readonly string[]
}

const Options = z
  .object({
    min: z.number().optional().catch(undefined),
    max: z.number().optional().catch(undefined),
    options: z
      .array(z.union([z.string(), z.number()]))
      .optional()
      .catch(undefined),
    image_upload: z.boolean().optional().catch(undefined),
  })
  .passthrough()
  .catch({ min: undefined, max: undefined, options: undefined, image_upload: undefined })
const Spec = z.tuple([z.union([z.string(), z.array(z.union([z.string(), z.number()]))]), Options]).rest(z.unknown())
const Node = z.object({
  input: z.record(z.string(), z.record(z.string(), z.unknown()).catch({})).catch({}),
  output: z.array(z.string()).catch([]),
  output_node: z.boolean().catch(false),
})

function inputSpec(raw: unknown, required: boolean): InputSpec | undefined {
  const withOptions = Array.isArray(raw) && raw.length === 1 ? [raw[0], {}] : raw
  const parsed = Spec.safeParse(withOptions)
  if (!parsed.success) return undefined
  const [type, opts] = parsed.data
  const spec: InputSpec = { type: Array.isArray(type) ? "COMBO" : type, required }
  const options = Array.isArray(type) ? type : opts.options
  if (options) spec.options = options
  if (opts.min !== undefined) spec.min = opts.min
  if (opts.max !== undefined) spec.max = opts.max
  if (opts.image_upload || "upload" in opts) spec.upload = true
  return spec
}

/** The catalog in an /object_info answer; undefined when it is not one. */
export function parseObjectInfo(value: unknown): Catalog | undefined {
  if (!value || typeof value !== "object" || Array.isArray(value)) return undefined
  const nodes = new Map<string, NodeSchema>()
  for (const [name, raw] of Object.entries(value)) {
    const node = Node.safeParse(raw)
    if (!node.success) continue
    const inputs: Record<string, InputSpec> = {}
    for (const category of ["required", "optional"] as const) {
      for (const [input, spec] of Object.entries(node.data.input[category] ?? {})) {
        const parsed = inputSpec(spec, category === "required")
        if (parsed) inputs[input] = parsed
      }
    }
    nodes.set(name, { inputs, outputs: node.data.output, outputNode: node.data.output_node })
  }
  if (nodes.size === 0) return undefined
  const list = (node: string, input: string) =>
    (nodes.get(node)?.inputs[input]?.options ?? []).filter((o): o is string => typeof o === "string")
  return {
    nodes,
    checkpoints: list("CheckpointLoaderSimple", "ckpt_name"),
    diffusionModels: list("UNETLoader", "unet_name"),
    textEncoders: list("DualCLIPLoader", "clip_name1"),
    vaes: list("VAELoader", "vae_name"),
    samplers: list("KSampler", "sampler_name"),
    schedulers: list("KSampler", "scheduler"),
  }
}

export interface Device {
  name: string
  type: string
  vramTotal?: number
  vramFree?: number
}

export interface SystemStats {
  version?: string
  python?: string
  pytorch?: string
  devices: Device[]
}

const Stats = z.object({
  system: z
    .object({
      comfyui_version: z.string().optional().catch(undefined),
      python_version: z.string().optional().catch(undefined),
      pytorch_version: z.string().optional().catch(undefined),
    })
    .catch({}),
  devices: z
    .array(
      z.object({
        name: z.string().catch("?"),
        type: z.string().catch("?"),
        vram_total: z.number().optional().catch(undefined),
        vram_free: z.number().optional().catch(undefined),
      }),
    )
    .catch([]),
})

/** The fields of /system_stats doctor shows; undefined when the answer is not one. */
export function parseSystemStats(value: unknown): SystemStats | undefined {
  const parsed = Stats.safeParse(value)
  if (!parsed.success) return undefined
  const { system, devices } = parsed.data
  return {
    version: system.comfyui_version,
    python: system.python_version?.split(" ")[0],
    pytorch: system.pytorch_version,
    devices: devices.map((d) => ({ name: d.name, type: d.type, vramTotal: d.vram_total, vramFree: d.vram_free })),
  }
}

/** Whether `version` (e.g. "0.3.64", "v0.3.57-3-gabc") is at least `minimum`; false when unknown. */
export function versionAtLeast(version: string | undefined, minimum: readonly number[]): boolean {
  const parts = /(\d+)\.(\d+)\.(\d+)/
    .exec(version ?? "")
    ?.slice(1)
    .map(Number)
  if (!parts) return false
  for (let i = 0; i < minimum.length; i++) {
    const a = parts[i] ?? 0
    const b = minimum[i] ?? 0
    if (a !== b) return a > b
  }
  return true
}
