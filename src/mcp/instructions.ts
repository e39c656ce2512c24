import type { Config } from "@/config/config"

/** The server's instructions: the operator's text when set, else a description of this service. */
export function serverInstructions(config: Config): string {
  if (config.instructions) return config.instructions
  const domain =
    "This is an AI image generation server. It can use OpenAI (the GPT Image 2.6, 2.5 and 2 models), Google Gemini image models, Stable Diffusion through an SD WebUI, and a zero-cost placeholder; start by calling list_providers to see which are configured and what each model does well."
  const mode = config.readOnly
    ? "This instance is READ-ONLY: tools that generate, import or delete images are not available; you can browse and show existing images."
    : "This instance is READ-WRITE: tools that generate, import and delete images are available."
  return `${domain} ${mode} Operators: set IMAGE_GENERATION_MCP_INSTRUCTIONS to describe this service's domain and capabilities.`
}
