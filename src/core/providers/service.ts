import type { ImageProvider, ModelCapabilities, ProviderCapabilities } from "@/providers/types"
import { providerCapabilities } from "@/providers/types"
import { AppError, ProviderNotAvailableError } from "../errors"
import { selectProvider } from "./selector"

export interface ProviderEntry {
  available: true
  description: string
  capabilities?: ProviderCapabilities
}

export interface ProviderServiceOptions {
  log?: { warning(message: string, fields?: Record<string, unknown>): void }
}

/** The registered providers, their discovered capabilities, and provider selection. */
export class ProviderService {
  private readonly providers = new Map<string, ImageProvider>()
  private readonly capabilities = new Map<string, ProviderCapabilities>()
  private discovery: Promise<void> | undefined

  private readonly opts: ProviderServiceOptions

  constructor(providers: readonly ImageProvider[], opts: ProviderServiceOptions = {}) {
    this.opts = opts
    for (const provider of providers) this.providers.set(provider.name, provider)
  }

  names(): string[] {
    return [...this.providers.keys()]
  }

  get(name: string): ImageProvider | undefined {
    return this.providers.get(name)
  }

  /** Starts discovery once; later calls share it. A provider whose discovery fails is marked degraded. */
  ready(): Promise<void> {
    this.discovery ??= this.discoverAll().catch((error) => {
      this.discovery = undefined
      throw error
    })
    return this.discovery
  }

  /** Re-runs discovery for every provider, one after the other. */
  refresh(): Promise<void> {
    this.discovery = this.discoverAll()
    return this.discovery
  }

  private async discoverAll(): Promise<void> {
    for (const provider of this.providers.values()) {
      try {
        this.capabilities.set(provider.name, await provider.discover(AbortSignal.timeout(30_000)))
      } catch (error) {
        this.opts.log?.warning("Capability discovery failed; provider is degraded", {
          provider: provider.name,
          error: error instanceof Error ? error.message : String(error),
        })
        this.capabilities.set(provider.name, providerCapabilities(provider.name, [], true))
      }
    }
  }

  async entries(): Promise<Record<string, ProviderEntry>> {
    await this.ready()
    const out: Record<string, ProviderEntry> = {}
    for (const [name, provider] of this.providers) {
      const capabilities = this.capabilities.get(name)
      out[name] = { available: true, description: provider.description, ...(capabilities && { capabilities }) }
    }
    return out
  }

  /** `<provider>:<model> — <lifecycle>.` for every model that is not current, sorted. */
  async warnings(): Promise<string[]> {
    await this.ready()
    const out: string[] = []
    for (const [name, caps] of this.capabilities) {
      for (const model of caps.models) {
        const profile = model.style_profile
        if (!profile || profile.lifecycle === "current") continue
        const note = profile.deprecation_note ? ` ${profile.deprecation_note}` : ""
        out.push(`${name}:${model.model_id} — ${profile.lifecycle}.${note}`)
      }
    }
    return out.sort()
  }

  /** Resolves `auto` (keyword selection) or checks that an explicit provider is registered. */
  async resolve(
    name: string,
    request: { prompt: string; background: string; aspectRatio?: string; quality?: string },
  ): Promise<string> {
    await this.ready()
    if (this.providers.size === 0) {
      throw new AppError(
        "no_providers",
        "No providers are registered. Configure at least one: set IMAGE_GENERATION_MCP_OPENAI_API_KEY, IMAGE_GENERATION_MCP_GOOGLE_API_KEY or IMAGE_GENERATION_MCP_SD_WEBUI_HOST.",
        { tag: name },
      )
    }
    if (name === "auto") {
      return selectProvider({ ...request, available: this.names(), capabilities: this.capabilities })
    }
    if (!this.providers.has(name)) throw new ProviderNotAvailableError(name, this.names())
    return name
  }

  /** The ratios a provider (and model, when given and known) accepts; empty when nothing was discovered. */
  supportedAspectRatios(provider: string, model?: string | null): string[] {
    const models = this.capabilities.get(provider)?.models ?? []
    const chosen = model ? models.filter((m) => m.model_id === model) : []
    const pool = chosen.length ? chosen : models
    return [...new Set(pool.flatMap((m) => m.supported_aspect_ratios))]
  }

  /** Whether any discovered model, of any provider, takes reference images. */
  anyImageInput(): boolean {
    return [...this.capabilities.values()].some((caps) => caps.models.some((m) => m.supports_image_input))
  }

  /** Whether `provider` has a model (the given one, when set) taking `count` references (and a mask). */
  acceptsReferences(provider: string, model: string | null, count: number, withMask: boolean): boolean {
    return (this.capabilities.get(provider)?.models ?? []).some(
      (m) =>
        m.supports_image_input &&
        (model === null || m.model_id === model) &&
        m.max_input_images >= count &&
        (!withMask || m.supports_mask),
    )
  }

  /** Providers, sorted by name, with a model taking `count` references (and a mask). */
  acceptingReferences(count: number, withMask: boolean): string[] {
    return this.names()
      .filter((name) => this.acceptsReferences(name, null, count, withMask))
      .sort()
  }

  /** The models discovered for a provider (empty when degraded or not yet discovered). */
  models(provider: string): ModelCapabilities[] {
    return this.capabilities.get(provider)?.models ?? []
  }

  /** Model ids discovered for a provider (empty when degraded or not yet discovered). */
  modelIds(provider: string): string[] {
    return (this.capabilities.get(provider)?.models ?? []).map((m) => m.model_id)
  }

  /** The prompt grammar hint for a response: the named model's, or the only model's. */
  promptStyle(provider: string, model?: string | null): string | null {
    const models = this.capabilities.get(provider)?.models ?? []
    if (model) return models.find((m) => m.model_id === model)?.prompt_style ?? null
    return models.length === 1 ? (models[0]?.prompt_style ?? null) : null
  }

  async dispose(): Promise<void> {
    await Promise.all([...this.providers.values()].map((p) => p.dispose?.().catch(() => {})))
  }
}
