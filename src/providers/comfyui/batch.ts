// Several images in one prompt (docs/decisions.md#comfyui-batches). A latent batch is set where the workflow makes
// its latent: `batch_size` on an empty-latent node (EmptyLatentImage, EmptySD3LatentImage and their kin), or
// `amount` on RepeatLatentBatch, which the built-in image-to-image workflows put after VAEEncode. The sampler then
// draws the whole batch from its one seed (comfy/sample.py prepare_noise): image k is noise draw k of that seed, and
// LatentFromBatch lets a prompt make image k alone.
import type { ApiWorkflow } from "./bindings"
import type { Catalog } from "./object-info"
import { isLink } from "./validate"

/** The one input that sets how many images a workflow makes, and the most ComfyUI takes there. */
export interface BatchSlot {
  node: string
  input: "batch_size" | "amount"
  max: number
}

/**
 * The batch input of `graph`: the only node with a literal `batch_size` (an INT in /object_info), or the only
 * RepeatLatentBatch. Undefined when there is none or more than one (which one would multiply the images is not
 * known): such a workflow makes one image per prompt.
 */
export function findBatchSlot(graph: ApiWorkflow, catalog: Catalog): BatchSlot | undefined {
  const slots: BatchSlot[] = []
  for (const [id, node] of Object.entries(graph)) {
    const input = node.class_type === "RepeatLatentBatch" ? "amount" : "batch_size"
    const value = node.inputs[input]
    const spec = catalog.nodes.get(node.class_type)?.inputs[input]
    if (typeof value !== "number" || spec?.type !== "INT") continue
    slots.push({ node: id, input, max: Math.max(1, Math.floor(spec.max ?? 1)) })
  }
  return slots.length === 1 ? slots[0] : undefined
}

/** A copy of `graph` making `count` images at `slot`. */
export function withBatch(graph: ApiWorkflow, slot: BatchSlot, count: number): ApiWorkflow {
  const node = graph[slot.node]
  if (!node) return graph
  return { ...graph, [slot.node]: { ...node, inputs: { ...node.inputs, [slot.input]: count } } }
}

/**
 * A copy of `graph` making image `index` of the batch its seed makes at `slot`, and only that image: the batch of
 * index + 1 latents goes through LatentFromBatch(batch_index = index, length = 1), which records the index on the
 * latent (nodes.py), so the sampler draws noise up to it and keeps draw `index` (comfy/sample.py prepare_noise;
 * RandomNoise too). Every input that took the slot's latent takes the picked one. A reason instead when this
 * ComfyUI or workflow cannot do it (docs/decisions.md#comfyui-batches).
 */
export function withBatchImage(
  graph: ApiWorkflow,
  slot: BatchSlot | undefined,
  index: number,
  catalog: Catalog,
): { graph: ApiWorkflow } | { problem: string } {
  if (!slot) return { problem: "it has no batch input" }
  const node = graph[slot.node]
  if (!node || catalog.nodes.get(node.class_type)?.outputs[0] !== "LATENT") {
    return { problem: "its batch input does not make a latent" }
  }
  if (index + 1 > slot.max) return { problem: `it makes at most ${slot.max} image(s) per prompt` }
  const pick = catalog.nodes.get("LatentFromBatch")?.inputs.batch_index
  if (pick?.type !== "INT") return { problem: "this ComfyUI has no LatentFromBatch node" }
  if (pick.max !== undefined && index > pick.max) {
    return { problem: `this ComfyUI's LatentFromBatch takes batch_index up to ${pick.max}` }
  }
  const id = String(Math.max(0, ...Object.keys(graph).map(Number).filter(Number.isSafeInteger)) + 1)
  const rewired: ApiWorkflow = {}
  for (const [key, value] of Object.entries(withBatch(graph, slot, index + 1))) {
    const inputs = Object.entries(value.inputs).map(([name, input]) =>
      isLink(input) && String(input[0]) === slot.node && input[1] === 0 ? [name, [id, 0]] : [name, input],
    )
    rewired[key] = { ...value, inputs: Object.fromEntries(inputs) }
  }
  rewired[id] = {
    class_type: "LatentFromBatch",
    inputs: { samples: [slot.node, 0], batch_index: index, length: 1 },
  }
  return { graph: rewired }
}
