import { providerDefinition } from "@/providers/index"
import type { ModelCapabilities } from "@/providers/types"
import type { ProviderService } from "../providers/service"
import { runningModel } from "./model-fit"

/** Requests of one call at once for a provider whose definition does not say. */
export const DEFAULT_CONCURRENCY = 2

/** How one call's `n` images are made (docs/decisions.md#batches). */
export interface BatchPlan {
  /** Each image's seed; null lets the provider choose. */
  seeds: (number | null)[]
  /** Images per upstream request, in order: `[4]` for one native batch, `[1, 1, 1, 1]` for four requests. */
  groups: number[]
  /** Requests running at once. */
  concurrency: number
}

export interface BatchRequest {
  provider: string
  model: string | null
  seed?: number | null
  count: number
}

/**
 * Providers that batch natively (`generateBatch`) get as many images per request as the model takes; the others one
 * request per image, `concurrency` at a time. Image i of a batch uses seed S+i: with a seed, as asked; without one,
 * a batch on a model taking seeds gets a random S, so its images differ and each can be made again.
 */
export function planBatch(providers: ProviderService, request: BatchRequest): BatchPlan {
  const { count } = request
  const model = runningModel(providers, request.provider, request.model)
  const perRequest = providers.get(request.provider)?.generateBatch ? Math.max(1, model?.max_batch_size ?? 1) : 1
  const groups: number[] = []
  for (let left = count; left > 0; left -= perRequest) groups.push(Math.min(perRequest, left))
  return {
    seeds: seedsFor(request.seed ?? null, count, model),
    groups,
    concurrency: providerDefinition(request.provider)?.concurrency ?? DEFAULT_CONCURRENCY,
  }
}

function seedsFor(seed: number | null, count: number, model: ModelCapabilities | undefined): (number | null)[] {
  if (seed === null && (count === 1 || !model?.supports_seed)) return Array.from({ length: count }, () => null)
  const base = seed ?? randomBelow((model?.max_seed ?? 0) - count + 2)
  return Array.from({ length: count }, (_, i) => base + i)
}

/** A whole number from 0 to `bound` - 1. */
function randomBelow(bound: number): number {
  const [high = 0, low = 0] = crypto.getRandomValues(new Uint32Array(2))
  return Math.floor(((high * 2 ** 32 + low) / 2 ** 64) * Math.max(1, bound))
}
