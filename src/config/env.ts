/** The one module that reads the process environment. Everything else receives a `Config`. */
export type EnvSource = Readonly<Record<string, string | undefined>>

export const ENV_PREFIX = "IMAGE_GENERATION_MCP_"

export function processEnv(): EnvSource {
  return process.env
}
