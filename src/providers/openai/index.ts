import { defineProvider } from "../definition"
import { KNOWN_MODELS, PROVIDER_NAME } from "./models"
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
      description: "Model used when a request names none (default: the newest current gpt-image model).",
      example: "gpt-image-1.5",
    },
  ],
  paidByDefault: true,
  routing: { themes: { text: 1, draft: 2, photo: 3, art: 3, anime: 3 }, fallback: 2, references: 2 },
  catalog: KNOWN_MODELS,
  doctor: {
    fix: "Check IMAGE_GENERATION_MCP_OPENAI_API_KEY (and IMAGE_GENERATION_MCP_OPENAI_BASE_URL if you use a gateway) and network access.",
  },
  create: (settings, deps) =>
    createOpenAIProvider(
      { apiKey: settings.apiKey ?? "", baseUrl: settings.baseUrl, model: settings.model },
      { fetch: deps.fetch },
    ),
})
