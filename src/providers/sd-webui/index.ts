import { defineProvider } from "../definition"
import { createSdWebuiProvider, PROVIDER_NAME } from "./provider"

export const sdWebuiDefinition = defineProvider({
  name: PROVIDER_NAME,
  aliases: ["a1111"],
  settings: [
    {
      key: "host",
      env: "SD_WEBUI_HOST",
      deprecatedAliases: ["A1111_HOST"],
      type: "url",
      enables: true,
      description:
        "URL of a Stable Diffusion WebUI started with --api (A1111, Forge, reForge); enables the sd_webui provider.",
      example: "http://127.0.0.1:7860",
      bundleTitle: "SD WebUI host",
    },
    {
      key: "model",
      env: "SD_WEBUI_MODEL",
      deprecatedAliases: ["A1111_MODEL"],
      type: "string",
      description: "Checkpoint used when a request names none; unset: the one the WebUI has loaded.",
      bundleTitle: "SD WebUI model",
    },
  ],
  paidByDefault: false,
  routing: { themes: { photo: 1, art: 1, anime: 1 }, fallback: 3, references: 3 },
  catalog: [],
  doctor: { fix: "Start SD WebUI with --api, or fix IMAGE_GENERATION_MCP_SD_WEBUI_HOST." },
  create: (settings, deps) =>
    createSdWebuiProvider({ host: settings.host ?? "", model: settings.model }, { fetch: deps.fetch }),
})
