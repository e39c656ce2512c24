// Several images in one prompt (docs/decisions.md#comfyui-batches). A latent batch is set where the workflow makes
// its latent: `batch_size` on an empty-latent node (EmptyLatentImage, EmptySD3LatentImage and their kin), or
// `amount` on RepeatLatentBatch, which the built-in image-to-image workflows put after VAEEncode. The sampler then
// draws the whole batch from its one seed (comfy/sample.py prepare_noise): image k is noise draw k of that seed.
import type { ApiWorkflow } from "./bindings"
import type { Catalog } from "./object-info"

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
