import type { DoctorFinding } from "../definition"
import { lifecycleNote, stageOn } from "../lifecycle"
import type { ImageProvider } from "../types"
import { DEFAULT_GEMINI_MODEL, knownGeminiModel } from "./models"

const SETTING = "IMAGE_GENERATION_MCP_GEMINI_MODEL"

/**
 * `doctor`: whether the model used when a request names none (IMAGE_GENERATION_MCP_GEMINI_MODEL, else the built-in
 * default) is one the service still lists for the key. Reachability is reported before this runs.
 */
export async function geminiDoctorChecks(provider: ImageProvider, signal: AbortSignal): Promise<DoctorFinding[]> {
  const caps = await provider.discover(signal)
  if (caps.degraded) return []
  const model = provider.defaultModel ?? DEFAULT_GEMINI_MODEL
  const configured = model !== DEFAULT_GEMINI_MODEL
  const label = "gemini default model"
  const which = configured ? `'${model}' (from ${SETTING})` : `'${model}' (built-in default)`
  const offered = caps.models.map((m) => m.model_id)
  const fix = `Set ${SETTING} to one of: ${offered.join(", ") || "(none listed)"}.`
  const lifecycle = knownGeminiModel(model)?.lifecycle
  if (stageOn(lifecycle) === "retired") {
    const when = lifecycle?.shutdown ? ` on ${lifecycle.shutdown}` : ""
    return [{ ok: false, label, detail: `${which} was shut down by Google${when}.`, fix }]
  }
  if (!offered.includes(model)) {
    return [{ ok: false, label, detail: `${which} is not listed by the Gemini API for this key.`, fix }]
  }
  const note = lifecycle && lifecycle.stage !== "current" ? ` (${lifecycleNote(lifecycle)})` : ""
  return [{ ok: true, label, detail: `${which} is listed by the Gemini API${note}.` }]
}
