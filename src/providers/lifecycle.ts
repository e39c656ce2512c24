import type { Lifecycle, ModelCapabilities, ModelLifecycle } from "./types"

/** Today as YYYY-MM-DD (UTC), the form catalog dates use. */
export const isoToday = (now = new Date()) => now.toISOString().slice(0, 10)

/** The stage on `today`: a model past its shutdown date is retired whatever stage the catalog last recorded. */
export function stageOn(lifecycle: ModelLifecycle | undefined, today = isoToday()): Lifecycle | "retired" {
  if (!lifecycle) return "current"
  if (lifecycle.shutdown && lifecycle.shutdown <= today) return "retired"
  return lifecycle.stage
}

/** Why a retired model cannot be used, naming its replacement. */
export function retiredMessage(model: string, lifecycle: ModelLifecycle | undefined): string {
  const when = lifecycle?.shutdown ? ` on ${lifecycle.shutdown}` : ""
  const instead = lifecycle?.replacement ? ` Use '${lifecycle.replacement}' instead.` : ""
  return `Model '${model}' was retired by its vendor${when} and can no longer be used.${instead}`
}

/** One line for a model that is not current, e.g. "deprecated since 2026-10-06; shuts down 2026-10-29; use X". */
export function lifecycleNote(lifecycle: ModelLifecycle): string {
  const parts = [lifecycle.since ? `${lifecycle.stage} since ${lifecycle.since}` : lifecycle.stage]
  if (lifecycle.shutdown) parts.push(`shuts down ${lifecycle.shutdown}`)
  if (lifecycle.replacement) parts.push(`use ${lifecycle.replacement}`)
  return parts.join("; ")
}

/** The catalog entry for `id`, when the catalog knows it. */
export function catalogEntry(catalog: readonly ModelCapabilities[], id: string): ModelCapabilities | undefined {
  return catalog.find((m) => m.model_id === id)
}

/** The catalog's models still served on `today`, in catalog order. */
export function servedModels(catalog: readonly ModelCapabilities[], today = isoToday()): ModelCapabilities[] {
  return catalog.filter((m) => stageOn(m.lifecycle, today) !== "retired")
}
