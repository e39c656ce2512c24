import { SUPPORTED_ASPECT_RATIOS, SUPPORTED_BACKGROUNDS, SUPPORTED_QUALITY_LEVELS } from "@/core/generation/validate"
import type { Services } from "@/core/services"
import { json } from "../results"
import type { StaticResource } from "./registry"

export function providerResources(services: Services): StaticResource[] {
  return [
    {
      uri: "info://providers",
      name: "provider_capabilities",
      description: "The configured providers with their models and capabilities, plus lifecycle warnings, as JSON.",
      mimeType: "application/json",
      icon: "info",
      read: async (uri) => {
        const [providers, warnings] = await Promise.all([services.providers.entries(), services.providers.warnings()])
        const body = {
          providers,
          supported_aspect_ratios: SUPPORTED_ASPECT_RATIOS,
          supported_quality_levels: SUPPORTED_QUALITY_LEVELS,
          supported_backgrounds: SUPPORTED_BACKGROUNDS,
          warnings,
        }
        return { contents: [{ uri: uri.toString(), mimeType: "application/json", text: json(body) }] }
      },
    },
  ]
}
