import type { GoogleGenAI } from "@google/genai/web"
import { isoToday, stageOn } from "../lifecycle"
import { GEMINI_MODELS, type GeminiModel, knownGeminiModel, looksLikeImageModel, unknownGeminiModel } from "./models"

/** One entry of the service's models list. */
export interface ListedModel {
  id: string
  displayName?: string
  /** `supportedGenerationMethods` on the wire. */
  actions: readonly string[]
}

/** Every model the service lists for the key, following `nextPageToken` (pages of 50, the API's default). */
export async function listModels(ai: GoogleGenAI, signal?: AbortSignal): Promise<ListedModel[]> {
  const pager = await ai.models.list({ config: { abortSignal: signal } })
  const out: ListedModel[] = []
  for await (const model of pager) {
    if (!model.name) continue
    const id = model.name.replace(/^models\//, "")
    out.push({ id, displayName: model.displayName, actions: model.supportedActions ?? [] })
  }
  return out
}

/**
 * What the provider offers: the catalog's models still served on `today` that the service lists, in catalog order
 * (newest last, which model fitting prefers), after any listed image model the catalog does not know yet, which is
 * described conservatively. Models that do not answer generateContent (Imagen's `predict`) are left out.
 */
export function offeredModels(listed: readonly ListedModel[], today = isoToday()): GeminiModel[] {
  const generates = (m: ListedModel) => m.actions.length === 0 || m.actions.includes("generateContent")
  const listedIds = new Set(listed.filter(generates).map((m) => m.id))
  const newcomers = listed
    .filter((m) => generates(m) && !knownGeminiModel(m.id) && looksLikeImageModel(m.id))
    .map((m) => unknownGeminiModel(m.id, m.displayName || m.id))
  const known = GEMINI_MODELS.filter((m) => listedIds.has(m.id) && stageOn(m.lifecycle, today) !== "retired")
  return [...newcomers, ...known]
}
