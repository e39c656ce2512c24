import { providerDefinition } from "@/providers/index"
import { catalogEntry, retiredMessage, stageOn } from "@/providers/lifecycle"
import type { ModelCapabilities } from "@/providers/types"
import { InvalidArgumentError } from "../errors"
import type { ProviderService } from "../providers/service"
import { checkAspectRatio } from "./validate"

export interface ModelRequest {
  model: string | null
  aspectRatio: string
  quality: string
  background: string
  /** A seed the model must take (docs/decisions.md#seeds); a batch of `count` uses it and the seeds after it. */
  seed?: number | null
  count?: number
  /** Further needs (reference images, a mask) the model must meet. */
  accepts?: (model: ModelCapabilities) => boolean
}

/**
 * Checks a request against the model that will run it (docs/decisions.md#aspect-ratios-per-model and
 * #loud-not-silent): the named model, else the provider's default. A retired model is refused with its
 * replacement; a model the service does not offer is refused with the ones it does. Without a named model, a
 * default that cannot honour the request (a transparent background on gpt-image-2, say) is swapped for the
 * provider's best model that can. Returns the model to send (null: the provider's default). When discovery
 * could not reach the service, a named model is passed through unchecked but for the aspect ratio.
 */
export function fitModel(providers: ProviderService, provider: string, request: ModelRequest): string | null {
  const models = providers.models(provider)
  const wanted = request.model ?? providers.get(provider)?.defaultModel ?? null
  if (wanted) refuseRetired(provider, wanted)
  let chosen = wanted ? findModel(models, wanted) : undefined
  if (!chosen) {
    if (wanted && models.length > 0) throw notOffered(provider, wanted, models, request.model === null)
    checkAspectRatio(request.aspectRatio, provider, providers.supportedAspectRatios(provider, request.model))
    return request.model
  }
  const fits = (m: ModelCapabilities) =>
    m.supported_aspect_ratios.includes(request.aspectRatio) &&
    (m.supported_qualities.length === 0 || m.supported_qualities.includes(request.quality)) &&
    (request.background !== "transparent" || m.supports_background) &&
    (request.seed == null || (m.supports_seed && lastSeed(request) <= (m.max_seed ?? 0))) &&
    (request.accepts?.(m) ?? true)
  if (!request.model && !fits(chosen)) chosen = preferred(models.filter(fits)) ?? chosen
  const label = `provider '${provider}' (model '${chosen.model_id}')`
  checkAspectRatio(request.aspectRatio, label, chosen.supported_aspect_ratios)
  if (chosen.supported_qualities.length && !chosen.supported_qualities.includes(request.quality)) {
    throw new InvalidArgumentError(
      `Unsupported quality '${request.quality}' for ${label}. Supported: ${chosen.supported_qualities.join(", ")}`,
    )
  }
  if (request.background === "transparent" && !chosen.supports_background) {
    const able = models.filter((m) => m.supports_background).map((m) => m.model_id)
    const hint = able.length ? ` Models of ${provider} that can: ${able.join(", ")}.` : ""
    throw new InvalidArgumentError(
      `Model '${chosen.model_id}' of ${provider} cannot make transparent backgrounds.${hint}`,
    )
  }
  if (request.seed !== undefined && request.seed !== null) checkSeedFor(providers, provider, chosen, request)
  return chosen.model_id === wanted && !request.model ? null : chosen.model_id
}

/** Refuses a seed the model cannot take, saying why and which providers can (docs/decisions.md#loud-not-silent). */
function checkSeedFor(providers: ProviderService, provider: string, model: ModelCapabilities, request: ModelRequest) {
  if (!model.supports_seed) {
    const reason = providerDefinition(provider)?.noSeedReason
    const why = reason ? `: ${reason}, so a seed could not make the image repeatable` : ""
    const able = providers.names().filter((name) => providers.models(name).some((m) => m.supports_seed))
    const hint = able.length ? `, or use a provider whose models take one: ${able.join(", ")}` : ""
    throw new InvalidArgumentError(
      `Model '${model.model_id}' of ${provider} takes no seed${why}. Leave seed unset${hint}.`,
    )
  }
  const max = model.max_seed ?? 0
  const last = lastSeed(request)
  if (last > max) {
    const seeds = last === request.seed ? `seed ${last}` : `seeds ${request.seed} to ${last} (one per image)`
    throw new InvalidArgumentError(
      `${seeds} ${last === request.seed ? "is" : "are"} too large for model '${model.model_id}' of ${provider}, which takes 0 to ${max}.`,
    )
  }
}

/** The seed of a batch's last image: each image takes the next seed. */
function lastSeed(request: ModelRequest): number {
  return (request.seed ?? 0) + (request.count ?? 1) - 1
}

/** The capabilities of the model a request will run on (named, else the default), when discovery knows it. */
export function runningModel(
  providers: ProviderService,
  provider: string,
  model: string | null,
): ModelCapabilities | undefined {
  const wanted = model ?? providers.get(provider)?.defaultModel
  return wanted ? findModel(providers.models(provider), wanted) : providers.models(provider)[0]
}

/** The offered model with this id, or with this display name (a checkpoint's short name). */
function findModel(models: readonly ModelCapabilities[], name: string): ModelCapabilities | undefined {
  return models.find((m) => m.model_id === name) ?? models.find((m) => m.display_name === name)
}

function refuseRetired(provider: string, model: string): void {
  const entry = catalogEntry(providerDefinition(provider)?.catalog ?? [], model)
  if (entry && stageOn(entry.lifecycle) === "retired") {
    throw new InvalidArgumentError(`${retiredMessage(model, entry.lifecycle)} (provider '${provider}')`)
  }
}

function notOffered(
  provider: string,
  model: string,
  models: readonly ModelCapabilities[],
  isDefault: boolean,
): InvalidArgumentError {
  const available = models.map((m) => m.model_id).join(", ")
  const setting = providerDefinition(provider)?.settings.find((s) => s.key === "model")
  const fix = isDefault && setting ? ` Set IMAGE_GENERATION_MCP_${setting.env} to one of them.` : ""
  const which = isDefault ? "The default model" : "Model"
  return new InvalidArgumentError(
    `${which} '${model}' is not offered by provider '${provider}'. Available: ${available}.${fix}`,
  )
}

/** Among fitting models, a current one over legacy or deprecated ones; later (newer) entries first. */
function preferred(models: ModelCapabilities[]): ModelCapabilities | undefined {
  const stage = (m: ModelCapabilities) =>
    m.lifecycle ? stageOn(m.lifecycle) : (m.style_profile?.lifecycle ?? "current")
  const current = models.filter((m) => stage(m) === "current")
  return current.at(-1) ?? models.at(-1)
}
