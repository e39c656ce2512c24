import type { ProviderDeps, SettingValues } from "./definition"
import { PROVIDER_DEFINITIONS } from "./index"
import type { ImageProvider } from "./types"

/** Parsed settings per provider name, as config holds them. */
export type ProviderSettingsByName = Readonly<Record<string, SettingValues>>

/** Whether a provider is switched on: it has no enabling setting, or that setting has a value. */
export function isEnabled(settings: SettingValues | undefined, enabling: readonly string[]): boolean {
  return enabling.length === 0 || enabling.some((key) => settings?.[key] !== undefined && settings[key] !== "")
}

/**
 * The configured providers in registration order; each is registered when its enabling setting (a key or a host)
 * is set. Creating a provider loads no vendor SDK; that happens on its first use.
 */
export function createConfiguredProviders(settings: ProviderSettingsByName, deps: ProviderDeps = {}): ImageProvider[] {
  return PROVIDER_DEFINITIONS.flatMap((definition) => {
    const own = settings[definition.name] ?? {}
    const enabling = definition.settings.filter((s) => s.enables).map((s) => s.key)
    return isEnabled(own, enabling) ? [definition.create(own, deps)] : []
  })
}
