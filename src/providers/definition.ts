import type { ImageProvider, ModelCapabilities } from "./types"

/** How a setting's text is read: `seconds` and `int` are numbers, `path` may start with `~/`. */
export type SettingType = "string" | "url" | "int" | "seconds" | "bool" | "path"

/** One environment setting a provider reads. Config parses it; packaging documents it. */
export interface SettingSpec {
  /** The property name in the provider's settings. */
  readonly key: string
  /** The environment name without the `IMAGE_GENERATION_MCP_` prefix. */
  readonly env: string
  /** Older names, read when `env` is unset; using one logs a deprecation warning. */
  readonly deprecatedAliases?: readonly string[]
  readonly type: SettingType
  readonly default?: string | number | boolean
  /** Numbers below this are refused at start-up. */
  readonly min?: number
  /** Never shown in logs, errors or doctor output; marked sensitive in the bundle and the registry. */
  readonly secret?: boolean
  /** Setting this registers the provider. */
  readonly enables?: boolean
  /** One line for env.example, the bundle's settings dialog and server.json. */
  readonly description: string
  /** An example value for documentation when there is no default. */
  readonly example?: string
  /** Offered in the Claude Desktop bundle's settings dialog under this title. */
  readonly bundleTitle?: string
}

type ValueOfType<T extends SettingType> = T extends "int" | "seconds" ? number : T extends "bool" ? boolean : string
type ValueOf<S extends SettingSpec> = ValueOfType<S["type"]>

/** The parsed settings of a provider: a setting with a default is always present. */
export type SettingsOf<Specs extends readonly SettingSpec[]> = {
  readonly [S in Specs[number] as S["key"]]: S extends { readonly default: string | number | boolean }
    ? ValueOf<S>
    : ValueOf<S> | undefined
}

/** Parsed settings of any provider, as config stores them. */
export type SettingValues = Readonly<Record<string, string | number | boolean | undefined>>

/** Prompt themes the `auto` selector recognises by keywords (see core/providers/selector.ts). */
export type PromptTheme = "photo" | "text" | "draft" | "test" | "art" | "anime"

/** How `provider="auto"` ranks this provider; a lower rank is preferred. */
export interface RoutingHints {
  /** Themes the provider suits, with its rank for each. */
  readonly themes: Readonly<Partial<Record<PromptTheme, number>>>
  /** Rank in the chain used when no theme matches. */
  readonly fallback: number
  /** Rank for `transform_image` with `provider="auto"`, among providers able to take the references. */
  readonly references?: number
}

export interface DoctorFinding {
  ok: boolean
  label: string
  detail: string
  /** One line telling the user what to change, for failures. */
  fix?: string
}

export interface DoctorHints {
  /** What to change when the provider cannot be reached. */
  readonly fix: string
  /** Checks beyond reachability and discovery (versions, devices, models the service no longer lists). */
  checks?(provider: ImageProvider, signal: AbortSignal): Promise<DoctorFinding[]>
}

/** One list price: USD per image for a model, at one size and quality (either unset: any). */
export interface PriceRow {
  readonly model: string
  /** As `ProviderPricing.billedSize` names it (`1024x1024`, `1K`); unset matches any size. */
  readonly size?: string
  /** The tools' quality (`standard`, `hd`); unset matches any quality. */
  readonly quality?: string
  readonly usd: number
}

/** Where a price table's figures come from: the vendor's page, and the day they were read there. */
export interface PriceSource {
  readonly url: string
  /** YYYY-MM-DD. */
  readonly checked: string
  /** The models whose rows it gave. */
  readonly models: readonly string[]
}

/**
 * A paid provider's dated list prices (docs/decisions.md#usage-ledger). A model, size or quality without a row has no
 * known price: the ledger records it as unknown rather than guessing.
 */
export interface ProviderPricing {
  readonly sources: readonly PriceSource[]
  readonly rows: readonly PriceRow[]
  /** What the vendor bills by besides model and quality, for a request of this ratio and quality; null for none. */
  billedSize(model: string, aspectRatio: string, quality: string): string | null
  /**
   * What live previews add to one request of `n` images, when the caller shows them: how many the request asks for
   * and USD for each one the vendor sends. Null when the model's previews have no known price; unset: they are free.
   */
  previews?(model: string, n: number): { count: number; usdEach: number } | null
}

/** What a provider receives besides its settings. Every provider makes its HTTP calls through `fetch`. */
export interface ProviderDeps {
  fetch?: typeof fetch
  /** Receives warnings meant for the operator (e.g. an unknown aspect ratio). */
  warn?: (message: string) => void
}

/** Everything the server knows about one provider, in one module (see docs/architecture.md). */
export interface ProviderDefinition<Specs extends readonly SettingSpec[] = readonly SettingSpec[]> {
  readonly name: string
  /** Older names accepted for `provider` and DEFAULT_PROVIDER, with a deprecation warning. */
  readonly aliases?: readonly string[]
  readonly settings: Specs
  /** Whether it asks for a cost confirmation unless PAID_PROVIDERS says otherwise. */
  readonly paidByDefault: boolean
  readonly routing: RoutingHints
  /** Models known without asking the service (empty for local servers whose models are whatever is installed). */
  readonly catalog: readonly ModelCapabilities[]
  readonly doctor: DoctorHints
  /**
   * How many of one call's requests may run at once when its images are made one request each (no `generateBatch`,
   * or more images than one request takes). @default 2
   */
  readonly concurrency?: number
  /** Why its models take no seed, when none does: the refusal of a seed names it (docs/decisions.md#seeds). */
  readonly noSeedReason?: string
  /**
   * What a call costs: `"free"` for servers that run on the user's own machine, else the vendor's price table.
   * Unset means free for a provider that is not paid by default, and no known price for one that is.
   */
  readonly pricing?: "free" | ProviderPricing
  create(settings: SettingsOf<Specs>, deps: ProviderDeps): ImageProvider
}

/** Keeps the settings' literal types so `create` receives them typed. */
export function defineProvider<const Specs extends readonly SettingSpec[]>(
  definition: ProviderDefinition<Specs>,
): ProviderDefinition<Specs> {
  return definition
}
