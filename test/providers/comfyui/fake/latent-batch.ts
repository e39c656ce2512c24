// The fake's batch nodes, as nodes.py has them in ComfyUI 0.3.64: RepeatLatentBatch (amount 1..64) and
// LatentFromBatch (batch_index 0..63, length 1..64). Both keep the latent's `batch_index`, the list of noise draws
// its images take: LatentFromBatch sets it to the slice it picks (or slices an existing one), RepeatLatentBatch
// extends an existing one by the span of its indices per repeat; the samplers then draw noise up to the largest
// index and use the ones listed (comfy/sample.py prepare_noise), so image k of a batch can be made alone.
import type { Latent, NodeDef } from "./nodes"

const int = (def: number, min: number, max: number) => ["INT", { default: def, min, max }] as const
const asLatent = (v: unknown) => v as Latent

export function latentBatchNodes(): Record<string, NodeDef> {
  return {
    RepeatLatentBatch: {
      input: { required: { samples: ["LATENT"], amount: int(1, 1, 64) } },
      output: ["LATENT"],
      category: "latent/batch",
      run: async (i) => {
        const samples = asLatent(i.samples)
        const amount = Number(i.amount)
        const out: Latent = { ...samples, batch: samples.batch * amount }
        const indices = samples.batchIndex
        if (indices) {
          const offset = Math.max(...indices) - Math.min(...indices) + 1
          out.batchIndex = Array.from({ length: amount }, (_, r) => indices.map((x) => x + r * offset)).flat()
        }
        return { outputs: [out] }
      },
    },
    LatentFromBatch: {
      input: { required: { samples: ["LATENT"], batch_index: int(0, 0, 63), length: int(1, 1, 64) } },
      output: ["LATENT"],
      category: "latent/batch",
      run: async (i) => {
        const samples = asLatent(i.samples)
        // nodes.py clamps both to the batch it gets rather than refusing.
        const start = Math.min(samples.batch - 1, Number(i.batch_index))
        const length = Math.min(samples.batch - start, Number(i.length))
        const picked = samples.batchIndex
          ? samples.batchIndex.slice(start, start + length)
          : Array.from({ length }, (_, k) => start + k)
        return { outputs: [{ ...samples, batch: length, batchIndex: picked }] }
      },
    },
  }
}
