import { PROVIDER_DEFINITIONS } from "@/providers/index"
import type { ImageProvider, ModelCapabilities, ProviderCapabilities } from "@/providers/types"
import { providerCapabilities } from "@/providers/types"
import { raceAbort } from "@/util/abort"
import { NoProvidersError, ProviderNotAvailableError } from "../errors"
import { selectProvider } from "./selector"

export interface ProviderEntry {
  available: true
  description: string
  capabilities?: ProviderCapabilities
}

const DISCOVERY_TIMEOUT_MS = 30_000
const AUTO_SELECTION_WAIT_MS = 5_000

export interface ProviderServiceOptions {
  log?: { warning(message: string, fields?: Record<string, unknown>): void }
}

/** The registered providers, their discovered capabilities, and provider selection. */
export class ProviderService {
  private readonly providers = new Map<string, ImageProvider>()
  private readonly capabilities = new Map<string, ProviderCapabilities>()
  /** The discovery attempt in flight or done, per provider; a newer attempt replaces an older one's result. */
  private readonly attempts = new Map<string, { round: number; done: Promise<void> }>()
  private round = 0

  private readonly opts: ProviderServiceOptions

  constructor(providers: readonly ImageProvider[], opts: ProviderServiceOptions = {}) {
    this.opts = opts
    for (const provider of providers) {
      this.providers.set(provider.name, provider)
      provider.onModelsChanged?.(() => this.rediscover(provider))
    }
  }

  names(): string[] {
    return [...this.providers.keys()]
  }

  get(name: string): ImageProvider | undefined {
    return this.providers.get(name)
  }

  /**
   * Resolves when discovery has finished (started once, then shared): for one provider when named, for all
   * otherwise. Providers are discovered concurrently, so one that hangs delays only callers waiting on it.
   */
  async ready(name?: string): Promise<void> {
    if (this.attempts.size === 0) this.discoverAll()
    if (name) return this.attempts.get(name)?.done
    await Promise.all([...this.attempts.values()].map((a) => a.done))
  }

  /** Re-runs discovery for every provider. */
  refresh(): Promise<void> {
    this.discoverAll()
    return this.ready()
  }

  /** Discovers one provider again (its models changed), unless a full discovery has not started yet. */
  private rediscover(provider: ImageProvider): void {
    if (this.attempts.size === 0) return
    const round = ++this.round
    this.attempts.set(provider.name, { round, done: this.discoverOne(provider, round) })
  }

  private discoverAll(): void {
    const round = ++this.round
    for (const provider of this.providers.values()) {
      this.attempts.set(provider.name, { round, done: this.discoverOne(provider, round) })
    }
  }

  private async discoverOne(provider: ImageProvider, round: number): Promise<void> {
    let caps: ProviderCapabilities
    try {
      const signal = AbortSignal.timeout(DISCOVERY_TIMEOUT_MS)
      caps = await raceAbort(provider.discover(signal), signal)
    } catch (error) {
      this.opts.log?.warning("Capability discovery failed; provider is degraded", {
        provider: provider.name,
        error: error instanceof Error ? error.message : String(error),
      })
      caps = providerCapabilities(provider.name, [], true)
    }
    if (this.attempts.get(provider.name)?.round === round) this.capabilities.set(provider.name, caps)
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

  /**
   * `<provider>:<model> — <lifecycle>.` for every model that is not current, then `<provider>: <problem>` for what
   * each provider's discovery found (an unreachable service, a file it could not use), sorted.
   */
  async warnings(): Promise<string[]> {
    await this.ready()
    const out: string[] = []
    for (const [name, provider] of this.providers) {
      for (const problem of provider.warnings?.() ?? []) out.push(`${name}: ${problem}`)
    }
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
    request: { prompt: string; background: string; aspectRatio?: string; quality?: string; seed?: boolean },
  ): Promise<string> {
    if (this.providers.size === 0) {
      throw new NoProvidersError(
        `No providers are registered. Configure at least one: set ${enablingSettings().join(", ")}.`,
        name,
      )
    }
    if (name === "auto") {
      // Auto selection uses every provider's capabilities, but a hung provider must not hold it for long.
      await Promise.race([this.ready(), Bun.sleep(AUTO_SELECTION_WAIT_MS)])
      return selectProvider({ ...request, available: this.names(), capabilities: this.capabilities })
    }
    if (!this.providers.has(name)) throw new ProviderNotAvailableError(name, this.names())
    await this.ready(name)
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

  /** Whether `provider` has a model (the given one, by id or display name, when set) taking `count` references (and a mask). */
  acceptsReferences(provider: string, model: string | null, count: number, withMask: boolean): boolean {
    return (this.capabilities.get(provider)?.models ?? []).some(
      (m) =>
        m.supports_image_input &&
        (model === null || m.model_id === model || m.display_name === model) &&
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

/** The settings that switch a provider on, as full environment names. */
function enablingSettings(): string[] {
  return PROVIDER_DEFINITIONS.flatMap((d) =>
    d.settings.filter((s) => s.enables).map((s) => `IMAGE_GENERATION_MCP_${s.env}`),
  )
}
