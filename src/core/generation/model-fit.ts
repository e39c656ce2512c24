import type { ModelCapabilities } from "@/providers/types"
import { InvalidArgumentError } from "../errors"
import type { ProviderService } from "../providers/service"
import { checkAspectRatio } from "./validate"

export interface ModelRequest {
  model: string | null
  aspectRatio: string
  quality: string
  background: string
  /** Further needs (reference images, a mask) the model must meet. */
  accepts?: (model: ModelCapabilities) => boolean
}

/**
 * Checks a request against its model (docs/decisions.md#aspect-ratios-per-model): the named model, else the provider's
 * default. Without a named model, a default that cannot honour the request (a transparent background on
 * gpt-image-2, say) is swapped for the provider's best model that can. Returns the model to send (null: the
 * provider's default). Models the provider did not report are passed through unchecked but the aspect ratio.
 */
export function fitModel(providers: ProviderService, provider: string, request: ModelRequest): string | null {
  const models = providers.models(provider)
  const fits = (m: ModelCapabilities) =>
    m.supported_aspect_ratios.includes(request.aspectRatio) &&
    (m.supported_qualities.length === 0 || m.supported_qualities.includes(request.quality)) &&
    (request.background !== "transparent" || m.supports_background) &&
    (request.accepts?.(m) ?? true)
  const wanted = request.model ?? providers.get(provider)?.defaultModel ?? null
  let chosen = models.find((m) => m.model_id === wanted)
  if (!chosen) {
    checkAspectRatio(request.aspectRatio, provider, providers.supportedAspectRatios(provider, request.model))
    return request.model
  }
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
  return chosen.model_id === wanted && !request.model ? null : chosen.model_id
}

/** Among fitting models, a current one over legacy or deprecated ones; later (newer) entries first. */
function preferred(models: ModelCapabilities[]): ModelCapabilities | undefined {
  const current = models.filter((m) => (m.style_profile?.lifecycle ?? "current") === "current")
  return current.at(-1) ?? models.at(-1)
}
