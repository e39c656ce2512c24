import { createGeminiProvider } from "./gemini"
import { createOpenAIProvider } from "./openai"
import { createPlaceholderProvider } from "./placeholder"
import { createSdWebuiProvider } from "./sd-webui"
import type { ImageProvider } from "./types"

/** Which providers are configured; each is registered only when its key or host is set. */
export interface ProviderSettings {
  openaiApiKey?: string
  openaiBaseUrl?: string
  googleApiKey?: string
  geminiBaseUrl?: string
  sdWebuiHost?: string
  sdWebuiModel?: string
}

/**
 * The configured providers in registration order: placeholder (always), openai, gemini, sd_webui. Creating a
 * provider loads no vendor SDK; that happens on its first use.
 */
export function createConfiguredProviders(
  settings: ProviderSettings,
  warn: (message: string) => void = () => {},
): ImageProvider[] {
  const providers: ImageProvider[] = [createPlaceholderProvider({ warn })]
  if (settings.openaiApiKey) {
    providers.push(createOpenAIProvider({ apiKey: settings.openaiApiKey, baseUrl: settings.openaiBaseUrl }))
  }
  if (settings.googleApiKey) {
    providers.push(createGeminiProvider({ apiKey: settings.googleApiKey, baseUrl: settings.geminiBaseUrl }))
  }
  if (settings.sdWebuiHost) {
    providers.push(createSdWebuiProvider({ host: settings.sdWebuiHost, model: settings.sdWebuiModel }))
  }
  return providers
}
