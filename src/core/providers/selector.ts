import type { PromptTheme, RoutingHints } from "@/providers/definition"
import { providerDefinition } from "@/providers/index"
import type { ProviderCapabilities } from "@/providers/types"
import { NoProvidersError } from "../errors"

/** Keywords that mark a prompt's theme, in the order they are tried; each provider ranks itself per theme. */
const THEMES: readonly { theme: PromptTheme; keywords: readonly string[] }[] = [
  { theme: "photo", keywords: ["realistic", "photo", "photography", "headshot", "portrait photo", "product shot"] },
  { theme: "text", keywords: ["text", "logo", "typography", "poster", "banner", "signage", "lettering", "font"] },
  { theme: "draft", keywords: ["draft", "iterate", "iteration"] },
  { theme: "test", keywords: ["quick", "test", "placeholder", "mock"] },
  {
    theme: "art",
    keywords: ["art", "painting", "illustration", "watercolor", "oil painting", "sketch", "drawing"],
  },
  { theme: "anime", keywords: ["anime", "manga", "kawaii", "chibi"] },
]

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
const PATTERNS = THEMES.map((t) => new RegExp(`\\b(?:${t.keywords.map(escapeRegExp).join("|")})\\b`))

/** `names` ordered by `rank` (ascending), keeping only those that have one; ties keep their order. */
function ranked(names: readonly string[], rank: (hints: RoutingHints) => number | undefined): string[] {
  const withRank = names.flatMap((name) => {
    const hints = providerDefinition(name)?.routing
    const r = hints && rank(hints)
    return r === undefined ? [] : [{ name, r }]
  })
  return withRank.sort((a, b) => a.r - b.r).map((x) => x.name)
}

/** For transform_image with provider=auto: the best-ranked provider for reference work, else the first by name. */
export function preferredForReferences(eligible: readonly string[]): string {
  const sorted = [...eligible].sort()
  return ranked(sorted, (h) => h.references)[0] ?? (sorted[0] as string)
}

export interface SelectionInput {
  prompt: string
  /** Registered provider names, in registration order. */
  available: readonly string[]
  capabilities: ReadonlyMap<string, ProviderCapabilities>
  background: string
  /** When set, providers whose models accept this ratio are preferred. */
  aspectRatio?: string
  /** When set, providers whose models offer this quality are preferred. */
  quality?: string
  /** When true, only providers with a model taking a seed are chosen (when there are any). */
  seed?: boolean
}

/** Picks a provider for `provider="auto"` from keywords in the prompt, preferring providers able to honour the request. */
export function selectProvider(input: SelectionInput): string {
  if (input.available.length === 0) throw new NoProvidersError("No providers available", "auto")
  // A seed is refused by models that take none, so only providers with such a model are candidates, if any is.
  const seeded = input.seed
    ? input.available.filter((name) => input.capabilities.get(name)?.models.some((m) => m.supports_seed))
    : []
  const available = seeded.length ? seeded : input.available
  const capable = capableProviders({ ...input, available })
  const pick = (preference: readonly string[]) =>
    preference.find((p) => capable.includes(p)) ?? preference.find((p) => available.includes(p))

  const prompt = input.prompt.toLowerCase()
  for (const [index, { theme }] of THEMES.entries()) {
    if (!PATTERNS[index]?.test(prompt)) continue
    const hit = pick(ranked(available, (h) => h.themes[theme]))
    if (hit) return hit
  }
  const chain = ranked(available, (h) => h.fallback)
  const narrowed = capable.length < available.length
  const fromChain = chain.find((p) => capable.includes(p))
  return fromChain ?? (narrowed ? capable[0] : undefined) ?? pick(chain) ?? (available[0] as string)
}

function capableProviders(input: SelectionInput): string[] {
  let capable = [...input.available]
  const narrow = (test: (caps: ProviderCapabilities) => boolean) => {
    const subset = capable.filter((name) => {
      const caps = input.capabilities.get(name)
      return caps !== undefined && test(caps)
    })
    if (subset.length) capable = subset
  }
  if (input.background === "transparent" && input.capabilities.size) narrow((caps) => caps.supports_background)
  const ratio = input.aspectRatio
  if (ratio) narrow((caps) => caps.models.some((m) => m.supported_aspect_ratios.includes(ratio)))
  const quality = input.quality
  if (quality) narrow((caps) => caps.models.some((m) => m.supported_qualities.includes(quality)))
  return capable
}
