import { comfyuiDefinition } from "./comfyui"
import type { ProviderDefinition } from "./definition"
import { geminiDefinition } from "./gemini"
import { openaiDefinition } from "./openai"
import { placeholderDefinition } from "./placeholder"
import { sdWebuiDefinition } from "./sd-webui"

/**
 * Every provider the server can run, in registration order. This list feeds config, the registry, the `auto`
 * selector, doctor, the paid default and the packaging metadata: adding a provider is adding its definition here.
 */
export const PROVIDER_DEFINITIONS: readonly ProviderDefinition[] = [
  placeholderDefinition,
  openaiDefinition,
  geminiDefinition,
  sdWebuiDefinition,
  comfyuiDefinition,
]

/** The definition registered under `name`. */
export function providerDefinition(name: string): ProviderDefinition | undefined {
  return PROVIDER_DEFINITIONS.find((d) => d.name === name)
}

/** The provider a deprecated alias (e.g. `a1111`) stands for, or undefined when `name` is no alias. */
export function aliasTarget(name: string): string | undefined {
  return PROVIDER_DEFINITIONS.find((d) => d.aliases?.includes(name))?.name
}

/** `name` with a deprecated alias replaced by the provider it stands for. */
export function canonicalProviderName(name: string): string {
  return aliasTarget(name) ?? name
}

export type { ProviderDefinition } from "./definition"
