// The binding convention (README "ComfyUI"): a tag such as `@prompt` in a node's title (`_meta.title` in a file
// saved with "Save (API)") says which of the tool's arguments fill that node's inputs. `@tag=input` names the input
// when the default choice does not fit (docs/decisions.md#comfyui-workflows-in-api-format).

/** Tags a user's workflow may carry. */
export const USER_TAGS = ["prompt", "negative_prompt", "seed", "size", "image", "mask", "strength", "output"] as const
/** Tags only the built-in templates use: values that come from the checkpoint's preset. */
export const TEMPLATE_TAGS = [
  "model",
  "steps",
  "cfg",
  "sampler",
  "scheduler",
  "guidance",
  "text_encoders",
  "vae",
] as const
export type Tag = (typeof USER_TAGS)[number] | (typeof TEMPLATE_TAGS)[number]

const PROMPT_INPUTS = ["text", "text_g", "text_l", "clip_l", "clip_g", "t5xxl", "prompt", "string", "value"]

/** The inputs a tag fills: `any` = every one of these the node has (at least one), `all` = each of these. */
const TARGETS: Record<Tag, { inputs: readonly string[]; mode: "any" | "first" | "all" | "none" }> = {
  prompt: { inputs: PROMPT_INPUTS, mode: "any" },
  negative_prompt: { inputs: PROMPT_INPUTS, mode: "any" },
  seed: { inputs: ["seed", "noise_seed"], mode: "first" },
  size: { inputs: ["width", "height"], mode: "all" },
  image: { inputs: ["image"], mode: "first" },
  mask: { inputs: ["image"], mode: "first" },
  strength: { inputs: ["denoise"], mode: "first" },
  output: { inputs: [], mode: "none" },
  model: { inputs: ["ckpt_name", "unet_name"], mode: "first" },
  steps: { inputs: ["steps"], mode: "first" },
  cfg: { inputs: ["cfg"], mode: "first" },
  sampler: { inputs: ["sampler_name"], mode: "first" },
  scheduler: { inputs: ["scheduler"], mode: "first" },
  guidance: { inputs: ["guidance"], mode: "first" },
  text_encoders: { inputs: ["clip_name1", "clip_name2"], mode: "all" },
  vae: { inputs: ["vae_name"], mode: "first" },
}

export interface Binding {
  tag: Tag
  node: string
  inputs: readonly string[]
}

export interface ApiNode {
  class_type: string
  inputs: Record<string, unknown>
  _meta?: { title?: string }
}
/** A workflow in ComfyUI's API format: node id → node. */
export type ApiWorkflow = Record<string, ApiNode>

const TAG = /@([a-z_]+)(?:=([A-Za-z0-9_]+))?/g

/**
 * The bindings in the titles of `graph`. `inputsOf` lists a node class's inputs (from /object_info; the node's own
 * inputs when the class is unknown). Problems name the node and the tag.
 */
export function findBindings(
  graph: ApiWorkflow,
  allowed: readonly Tag[],
  inputsOf: (node: ApiNode) => readonly string[],
): { bindings: Binding[]; problems: string[] } {
  const bindings: Binding[] = []
  const problems: string[] = []
  for (const [id, node] of Object.entries(graph)) {
    for (const [, name = "", explicit] of (node._meta?.title ?? "").matchAll(TAG)) {
      const where = `node ${id} (${node.class_type})`
      if (!(allowed as readonly string[]).includes(name)) {
        problems.push(`${where} has the unknown tag @${name}; known tags: ${allowed.map((t) => `@${t}`).join(", ")}`)
        continue
      }
      const tag = name as Tag
      const available = inputsOf(node)
      const target = TARGETS[tag]
      let inputs: string[]
      if (explicit) inputs = available.includes(explicit) ? [explicit] : []
      else if (target.mode === "none") inputs = []
      else if (target.mode === "all")
        inputs = target.inputs.every((i) => available.includes(i)) ? [...target.inputs] : []
      else {
        const present = target.inputs.filter((i) => available.includes(i))
        inputs = target.mode === "first" ? present.slice(0, 1) : present
      }
      if (target.mode !== "none" && inputs.length === 0) {
        const wanted = explicit ?? target.inputs.join(target.mode === "all" ? " and " : " or ")
        problems.push(`${where} is tagged @${tag} but has no input ${wanted}`)
        continue
      }
      bindings.push({ tag, node: id, inputs })
    }
  }
  return { bindings, problems }
}

export const tagged = (bindings: readonly Binding[], tag: Tag) => bindings.filter((b) => b.tag === tag)
export const hasTag = (bindings: readonly Binding[], tag: Tag) => bindings.some((b) => b.tag === tag)

/** What fills each tag: one value per input, or one for all of them (`size` and `text_encoders` take a pair). */
export type Values = Partial<Record<Tag, unknown>>

/** A copy of `graph` with the tagged inputs set; a tag without a value keeps the file's own. */
export function fill(graph: ApiWorkflow, bindings: readonly Binding[], values: Values): ApiWorkflow {
  const out: ApiWorkflow = structuredClone(graph)
  for (const { tag, node, inputs } of bindings) {
    const value = values[tag]
    const target = out[node]
    if (value === undefined || value === null || !target) continue
    inputs.forEach((input, index) => {
      target.inputs[input] = Array.isArray(value) && TARGETS[tag].mode === "all" ? value[index] : value
    })
  }
  return out
}
