import { defineProvider } from "../definition"
import { createSdWebuiProvider, DEFAULT_TIMEOUT_S, PROVIDER_NAME, type SdWebuiProvider } from "./provider"

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
        "URL of a Stable Diffusion WebUI started with --api (A1111, Forge, reForge, SD.Next); enables the sd_webui provider. With --api-auth, put the user and password in it: http://user:password@host:7860.",
      example: "http://127.0.0.1:7860",
      bundleTitle: "SD WebUI host",
    },
    {
      key: "model",
      env: "SD_WEBUI_MODEL",
      deprecatedAliases: ["A1111_MODEL"],
      type: "string",
      description:
        "Checkpoint used when a request names none (its title, name or hash as the WebUI lists it); unset: the one the WebUI has loaded.",
      bundleTitle: "SD WebUI model",
    },
    {
      key: "timeout",
      env: "SD_WEBUI_TIMEOUT_S",
      type: "seconds",
      default: DEFAULT_TIMEOUT_S,
      description:
        "How long one job may run on the SD WebUI, counted from when it starts (time waiting behind other jobs does not count); a job past it is interrupted.",
    },
  ],
  paidByDefault: false,
  routing: { themes: { photo: 1, art: 1, anime: 1 }, fallback: 3, references: 3 },
  catalog: [],
  pricing: "free",
  doctor: {
    fix: "Start SD WebUI with --api, or fix IMAGE_GENERATION_MCP_SD_WEBUI_HOST.",
    checks: (provider, signal) => (provider as SdWebuiProvider).findings?.(signal) ?? Promise.resolve([]),
  },
  create: (settings, deps) =>
    createSdWebuiProvider(
      { host: settings.host ?? "", model: settings.model, timeoutMs: settings.timeout * 1000 },
      { fetch: deps.fetch },
    ),
})
