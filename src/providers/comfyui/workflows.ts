// The user's own workflows: `*.json` files saved with ComfyUI's "Save (API)" in COMFYUI_WORKFLOWS_DIR, bound to the
// tool's arguments by tags in their node titles (bindings.ts). Each is checked against /object_info at discovery.
import { type FSWatcher, watch } from "node:fs"
import { readdir, readFile } from "node:fs/promises"
import { basename, join } from "node:path"
import { checkpointProfile } from "../local/checkpoints"
import { LOCAL_ASPECT_RATIOS, type LocalAspectRatio, presetFor } from "../local/presets"
import { type ModelCapabilities, modelCapabilities } from "../types"
import { type BatchSlot, findBatchSlot } from "./batch"
import { type ApiWorkflow, type Binding, findBindings, hasTag, tagged, USER_TAGS } from "./bindings"
import type { Catalog } from "./object-info"
import { isLink, validateGraph } from "./validate"

export const WORKFLOWS_SETTING = "IMAGE_GENERATION_MCP_COMFYUI_WORKFLOWS_DIR"
export const WORKFLOW_PREFIX = "workflow:"

export interface UserWorkflow {
  /** `workflow:<file name without .json>`, the model id list_providers shows. */
  id: string
  file: string
  graph: ApiWorkflow
  bindings: Binding[]
  /** The node whose images are the result. */
  output: string
  /** Width × height per ratio when the workflow has an @size node; undefined: its own size only. */
  sizes?: Readonly<Record<LocalAspectRatio, readonly [number, number]>>
  /** Where it takes a batch size; undefined: one image per prompt (batch.ts). */
  batch?: BatchSlot
  capabilities: ModelCapabilities
}

export interface WorkflowFile {
  file: string
  text: string
}

/** The `*.json` files in `dir`, sorted; a problem instead when the directory cannot be read. */
export async function readWorkflowFiles(dir: string): Promise<{ files: WorkflowFile[]; problem?: string }> {
  let names: string[]
  try {
    names = (await readdir(dir)).filter((n) => n.toLowerCase().endsWith(".json")).sort()
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error)
    return { files: [], problem: `${WORKFLOWS_SETTING} (${dir}) cannot be read (${code})` }
  }
  const files = await Promise.all(
    names.map(async (file) => ({ file, text: await readFile(join(dir, file), "utf8").catch(() => "") })),
  )
  return { files }
}

/** Calls `onChange` (debounced) when files in `dir` change; the returned function stops watching. */
export function watchWorkflows(dir: string, onChange: () => void): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined
  let watcher: FSWatcher | undefined
  try {
    watcher = watch(dir, { persistent: false }, () => {
      clearTimeout(timer)
      timer = setTimeout(onChange, 150)
    })
    watcher.on("error", () => watcher?.close())
  } catch {
    return () => {}
  }
  return () => {
    clearTimeout(timer)
    watcher?.close()
  }
}

/** A workflow file checked against this ComfyUI: usable, or the reason it is not. */
export function checkWorkflow(file: WorkflowFile, catalog: Catalog): UserWorkflow | { problem: string } {
  const refuse = (why: string) => ({ problem: `workflow ${file.file} ${why}` })
  let value: unknown
  try {
    value = JSON.parse(file.text)
  } catch (error) {
    return refuse(`is not JSON (${(error as Error).message})`)
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) return refuse("is not a workflow object")
  if (Array.isArray((value as { nodes?: unknown }).nodes)) {
    return refuse("was saved in ComfyUI's UI format; export it with Workflow → Export (API) (Save (API)) instead")
  }
  for (const [id, node] of Object.entries(value)) {
    const n = node as { class_type?: unknown; inputs?: unknown }
    if (typeof n?.class_type !== "string" || !n.inputs || typeof n.inputs !== "object") {
      return refuse(`is not in ComfyUI's API format (node ${id} has no class_type and inputs)`)
    }
  }
  const graph = value as ApiWorkflow
  const inputsOf = (node: ApiWorkflow[string]) => Object.keys(catalog.nodes.get(node.class_type)?.inputs ?? node.inputs)
  const { bindings, problems } = findBindings(graph, USER_TAGS, inputsOf)
  if (problems.length) return refuse(`cannot be bound: ${problems.join("; ")}`)
  if (!hasTag(bindings, "prompt")) return refuse("has no node tagged @prompt (put @prompt in a text node's title)")
  const output = outputNode(graph, bindings)
  if (!output) {
    return refuse("has several or no SaveImage nodes; put @output in the title of the node whose images are the result")
  }
  const filled = new Set(bindings.flatMap((b) => b.inputs.map((input) => `${b.node}.${input}`)))
  const invalid = validateGraph(graph, catalog, filled)
  if (invalid.length) return refuse(`does not validate: ${invalid.join("; ")}`)
  const id = `${WORKFLOW_PREFIX}${basename(file.file).replace(/\.json$/i, "")}`
  const sizes = hasTag(bindings, "size") ? sizesAround(ownSize(graph, bindings)) : undefined
  const batch = findBatchSlot(graph, catalog)
  return {
    id,
    file: file.file,
    graph,
    bindings,
    output,
    sizes,
    batch,
    capabilities: { ...capabilities(id, file.file, graph, bindings, sizes), max_batch_size: batch?.max ?? 1 },
  }
}

/** The @output node, else the workflow's only SaveImage. */
function outputNode(graph: ApiWorkflow, bindings: readonly Binding[]): string | undefined {
  const marked = tagged(bindings, "output")
  if (marked.length) return marked.length === 1 ? marked[0]?.node : undefined
  const saves = Object.keys(graph).filter((id) => graph[id]?.class_type === "SaveImage")
  return saves.length === 1 ? saves[0] : undefined
}

const numberAt = (graph: ApiWorkflow, node: string | undefined, input: string): number | undefined => {
  const value = node === undefined ? undefined : graph[node]?.inputs[input]
  return typeof value === "number" ? value : undefined
}

/** The width and height the file itself asks for: at its @size node, else at any node with both as numbers. */
function ownSize(graph: ApiWorkflow, bindings: readonly Binding[]): readonly [number, number] | undefined {
  const candidates = [...tagged(bindings, "size").map((b) => b.node), ...Object.keys(graph)]
  for (const id of candidates) {
    const w = numberAt(graph, id, "width")
    const h = numberAt(graph, id, "height")
    if (w && h) return [w, h]
  }
  return undefined
}

/**
 * A size per ratio at the pixel count of `size` (1024² when unknown), in multiples of 16; the ratio nearest to the
 * file's own size gets exactly that size.
 */
function sizesAround(size: readonly [number, number] | undefined): Record<LocalAspectRatio, readonly [number, number]> {
  const pixels = size ? size[0] * size[1] : 1024 * 1024
  const snap = (n: number) => Math.max(16, Math.round(n / 16) * 16)
  const at = (rw: number, rh: number) =>
    [snap(Math.sqrt((pixels * rw) / rh)), snap(Math.sqrt((pixels * rh) / rw))] as const
  const sizes = { "1:1": at(1, 1), "16:9": at(16, 9), "9:16": at(9, 16), "3:2": at(3, 2), "2:3": at(2, 3) }
  if (size) sizes[nearestRatio(size)] = size
  return sizes
}

/** The listed ratio closest to `size`'s shape. */
function nearestRatio(size: readonly [number, number]): LocalAspectRatio {
  const distance = (ratio: string) => {
    const [w = 1, h = 1] = ratio.split(":").map(Number)
    return Math.abs(Math.log(w / h / (size[0] / size[1])))
  }
  return [...LOCAL_ASPECT_RATIOS].sort((a, b) => distance(a) - distance(b))[0] as LocalAspectRatio
}

/** The model file the workflow loads, when it names one (for the prompt style). */
function loadedModel(graph: ApiWorkflow): string | undefined {
  for (const node of Object.values(graph)) {
    const name = node.inputs.ckpt_name ?? node.inputs.unet_name
    if (typeof name === "string") return name
  }
  return undefined
}

function capabilities(
  id: string,
  file: string,
  graph: ApiWorkflow,
  bindings: readonly Binding[],
  sizes: UserWorkflow["sizes"],
): ModelCapabilities {
  const own = ownSize(graph, bindings)
  const references = hasTag(bindings, "image") || hasTag(bindings, "mask")
  const sampler = Object.values(graph).find((n) => typeof n.inputs.steps === "number" && !isLink(n.inputs.steps))
  const model = loadedModel(graph)
  const edges = sizes ? Object.values(sizes).flat() : (own ?? [])
  return modelCapabilities({
    model_id: id,
    display_name: file,
    supports_mask: hasTag(bindings, "mask"),
    supported_aspect_ratios: sizes ? [...LOCAL_ASPECT_RATIOS] : [own ? nearestRatio(own) : "1:1"],
    supported_qualities: ["standard"],
    supported_formats: ["png"],
    supports_negative_prompt: hasTag(bindings, "negative_prompt"),
    supports_image_input: references,
    max_input_images: references ? 1 : 0,
    max_resolution: edges.length ? Math.max(...edges) : null,
    default_steps: typeof sampler?.inputs.steps === "number" ? sampler.inputs.steps : null,
    default_cfg: typeof sampler?.inputs.cfg === "number" ? sampler.inputs.cfg : null,
    prompt_style: model ? presetFor(model).promptStyle : null,
    // A seed reaches the workflow only through a node tagged @seed.
    supports_seed: hasTag(bindings, "seed"),
    max_seed: Number.MAX_SAFE_INTEGER,
    style_profile: model ? checkpointProfile(model) : undefined,
  })
}
