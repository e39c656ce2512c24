import { catalogEntry, isoToday, stageOn } from "../lifecycle"
import type { ModelCapabilities } from "../types"
import { capabilitiesOf, OPENAI_CATALOG, type OpenAIModelSpec, specOf, UNKNOWN_SPEC } from "./catalog"
import { OPENAI_PROFILES, unknownModelProfile } from "./profiles"

/** One entry of `GET /v1/models` (openai SDK `resources/models.d.ts`, Model). */
export interface ListedModel {
  id: string
  /** YYYY-MM-DD, or null when no shutdown is announced. */
  shutdown_date?: string | null
}

/** Ids that name a GPT Image model: `gpt-image-…` and the `chatgpt-image-…` aliases. */
const GPT_IMAGE_ID = /^(gpt-image-|chatgpt-image-)/

/** A dated snapshot of a catalog model, e.g. `gpt-image-2.6-flare-2027-01-15` → `gpt-image-2.6-flare`. */
const SNAPSHOT = /^(.+)-(\d{4}-\d{2}-\d{2})$/

/**
 * The request rules for a model id: the catalog's, those of the alias a new snapshot belongs to, or for any other
 * GPT Image id the conservative rules every GPT Image model shares. Undefined for retired and non-image models.
 */
export function specFor(id: string): OpenAIModelSpec | undefined {
  const known = specOf(id)
  if (known) return known
  if (catalogEntry(OPENAI_CATALOG, id)) return undefined
  const alias = SNAPSHOT.exec(id)?.[1]
  // A snapshot of a retired model (gpt-image-1-2025-04-15, say) is as retired as its alias.
  if (alias && catalogEntry(OPENAI_CATALOG, alias)) return specOf(alias)
  return GPT_IMAGE_ID.test(id) ? UNKNOWN_SPEC : undefined
}

/**
 * What the provider offers, decided by what the service lists: catalog models still served that are listed, and
 * listed GPT Image ids the catalog does not know, described conservatively (see specFor). Those unknown ids come
 * first, so that "the newest fitting current model" (the last one) is always a model the catalog knows. A
 * `shutdown_date` from the service wins over the catalog: past, the model is dropped; ahead, it is deprecated.
 */
export function offeredModels(listed: readonly ListedModel[], today = isoToday()): ModelCapabilities[] {
  const byId = new Map(listed.map((m) => [m.id, m]))
  const servedUntil = (id: string) => {
    const shutdown = byId.get(id)?.shutdown_date
    return !shutdown || shutdown > today
  }
  const unknown = listed
    .filter((m) => !catalogEntry(OPENAI_CATALOG, m.id) && servedUntil(m.id))
    .flatMap((m) => {
      const spec = specFor(m.id)
      if (!spec) return []
      const alias = SNAPSHOT.exec(m.id)?.[1] ?? ""
      const base = OPENAI_PROFILES[alias]
      const profile = base
        ? { ...base, label: `${base.label} (snapshot ${m.id.slice(alias.length + 1)})` }
        : unknownModelProfile(m.id)
      return [withShutdown(capabilitiesOf(m.id, m.id, spec, { style_profile: profile }), m.shutdown_date)]
    })
  const known = OPENAI_CATALOG.filter(
    (m) => byId.has(m.model_id) && stageOn(m.lifecycle, today) !== "retired" && servedUntil(m.model_id),
  ).map((m) => withShutdown(structuredClone(m), byId.get(m.model_id)?.shutdown_date))
  return [...unknown, ...known]
}

/** Marks a model the service says will shut down as deprecated, with the date in its lifecycle and profile. */
function withShutdown(model: ModelCapabilities, shutdown: string | null | undefined): ModelCapabilities {
  if (!shutdown || model.lifecycle?.shutdown === shutdown) return model
  model.lifecycle = { ...model.lifecycle, stage: "deprecated", shutdown }
  if (model.style_profile) {
    model.style_profile = {
      ...model.style_profile,
      lifecycle: "deprecated",
      deprecation_note: `OpenAI shuts it down on ${shutdown}.`,
    }
  }
  return model
}
