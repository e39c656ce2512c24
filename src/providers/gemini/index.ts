import { defineProvider } from "../definition"
import { geminiModelCapabilities } from "./capabilities"
import { geminiDoctorChecks } from "./doctor"
import { GEMINI_MODELS } from "./models"
import { GEMINI_PRICING } from "./prices"
import { createGeminiProvider, PROVIDER_NAME } from "./provider"

export const geminiDefinition = defineProvider({
  name: PROVIDER_NAME,
  settings: [
    {
      key: "apiKey",
      env: "GOOGLE_API_KEY",
      type: "string",
      secret: true,
      enables: true,
      description: "Google AI Studio (Gemini API) key; enables the gemini provider.",
      bundleTitle: "Google API key",
    },
    {
      key: "baseUrl",
      env: "GEMINI_BASE_URL",
      type: "url",
      description: "A proxy in front of the Gemini API instead of Google's endpoint.",
      example: "https://gemini-proxy.example",
    },
    {
      key: "model",
      env: "GEMINI_MODEL",
      type: "string",
      description:
        "Model used when a request names none (default: gemini-nano-banana-2.1, Google's current general image model).",
      example: "gemini-3-pro-image",
    },
  ],
  paidByDefault: true,
  routing: { themes: { draft: 1, text: 2, photo: 2, art: 2, anime: 2 }, fallback: 1, references: 1 },
  catalog: GEMINI_MODELS.map(geminiModelCapabilities),
  pricing: GEMINI_PRICING,
  doctor: {
    fix: "Check IMAGE_GENERATION_MCP_GOOGLE_API_KEY (and IMAGE_GENERATION_MCP_GEMINI_BASE_URL if you use a proxy) and network access.",
    checks: geminiDoctorChecks,
  },
  create: (settings, deps) =>
    createGeminiProvider(
      { apiKey: settings.apiKey ?? "", baseUrl: settings.baseUrl, model: settings.model },
      { fetch: deps.fetch },
    ),
})
