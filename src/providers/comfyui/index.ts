import { defineProvider } from "../definition"
import { type ComfyUiProvider, createComfyUiProvider, DEFAULT_TIMEOUT_S, PROVIDER_NAME } from "./provider"

export const comfyuiDefinition = defineProvider({
  name: PROVIDER_NAME,
  settings: [
    {
      key: "host",
      env: "COMFYUI_HOST",
      type: "url",
      enables: true,
      description:
        "URL of a ComfyUI server; enables the comfyui provider. Behind a proxy with basic auth, put the user and password in it: http://user:password@host:8188.",
      example: "http://127.0.0.1:8188",
      bundleTitle: "ComfyUI host",
    },
    {
      key: "model",
      env: "COMFYUI_MODEL",
      type: "string",
      description:
        "Model used when a request names none: a checkpoint or diffusion model as ComfyUI lists it, or workflow:<file name>; unset: the first checkpoint.",
      bundleTitle: "ComfyUI model",
    },
    {
      key: "workflowsDir",
      env: "COMFYUI_WORKFLOWS_DIR",
      type: "path",
      description:
        "Folder of your own ComfyUI workflows (saved with Save (API), bound by @tags in node titles); each is offered as the model workflow:<file name>.",
      example: "~/comfyui-workflows",
    },
    {
      key: "timeout",
      env: "COMFYUI_TIMEOUT_S",
      type: "seconds",
      default: DEFAULT_TIMEOUT_S,
      description:
        "How long one prompt may run on ComfyUI, counted from when it starts (time waiting behind other prompts does not count); a prompt past it is interrupted.",
    },
  ],
  paidByDefault: false,
  pricing: "free",
  routing: { themes: { photo: 1, art: 1, anime: 1 }, fallback: 3, references: 3 },
  catalog: [],
  doctor: {
    fix: "Start ComfyUI (it listens on port 8188 by default), or fix IMAGE_GENERATION_MCP_COMFYUI_HOST.",
    checks: (provider, signal) => (provider as ComfyUiProvider).findings?.(signal) ?? Promise.resolve([]),
  },
  create: (settings, deps) =>
    createComfyUiProvider(
      {
        host: settings.host ?? "",
        model: settings.model,
        workflowsDir: settings.workflowsDir,
        timeoutMs: settings.timeout * 1000,
      },
      { fetch: deps.fetch },
    ),
})
