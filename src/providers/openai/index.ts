import type { DoctorFinding } from "../definition"
import { defineProvider } from "../definition"
import { catalogEntry, retiredMessage, stageOn } from "../lifecycle"
import type { ImageProvider } from "../types"
import { DEFAULT_MODEL, OPENAI_CATALOG, PROVIDER_NAME } from "./catalog"
import { OPENAI_PRICING } from "./prices"
import { createOpenAIProvider } from "./provider"

export const openaiDefinition = defineProvider({
  name: PROVIDER_NAME,
  settings: [
    {
      key: "apiKey",
      env: "OPENAI_API_KEY",
      type: "string",
      secret: true,
      enables: true,
      description: "OpenAI API key; enables the openai provider.",
      example: "sk-...",
      bundleTitle: "OpenAI API key",
    },
    {
      key: "baseUrl",
      env: "OPENAI_BASE_URL",
      type: "url",
      description: "An OpenAI-compatible gateway instead of https://api.openai.com/v1.",
      example: "https://gateway.example/v1",
    },
    {
      key: "model",
      env: "OPENAI_MODEL",
      type: "string",
      description: `Model used when a request names none (default: ${DEFAULT_MODEL}).`,
      example: "gpt-image-2.6-flare",
    },
  ],
  paidByDefault: true,
  routing: { themes: { text: 1, draft: 2, photo: 3, art: 3, anime: 3 }, fallback: 2, references: 2 },
  catalog: OPENAI_CATALOG,
  pricing: OPENAI_PRICING,
  doctor: {
    fix: "Check IMAGE_GENERATION_MCP_OPENAI_API_KEY (and IMAGE_GENERATION_MCP_OPENAI_BASE_URL if you use a gateway) and network access.",
    checks: (provider, signal) => checkDefaultModel(provider, signal),
  },
  create: (settings, deps) =>
    createOpenAIProvider(
      { apiKey: settings.apiKey ?? "", baseUrl: settings.baseUrl, model: settings.model },
      { fetch: deps.fetch },
    ),
})

/** Whether the service still lists the model requests run on when they name none. */
export async function checkDefaultModel(provider: ImageProvider, signal: AbortSignal): Promise<DoctorFinding[]> {
  const model = provider.defaultModel
  const caps = await provider.discover(signal)
  if (!model || caps.degraded) return []
  const label = "openai default model"
  const offered = caps.models.map((m) => m.model_id)
  if (offered.includes(model)) return [{ ok: true, label, detail: `${model} (listed by the service)` }]
  const entry = catalogEntry(OPENAI_CATALOG, model)
  const retired = entry && stageOn(entry.lifecycle) === "retired" ? ` ${retiredMessage(model, entry.lifecycle)}` : ""
  return [
    {
      ok: false,
      label,
      detail: `'${model}' is not listed by the OpenAI API for this key.${retired} Listed image models: ${offered.join(", ") || "(none)"}.`,
      fix: "Set IMAGE_GENERATION_MCP_OPENAI_MODEL to one of the listed models.",
    },
  ]
}
