import type { Config } from "@/config/config"
import { redact } from "@/util/redact"

/** Shows whether a secret is set without showing it. */
function secret(value: string | undefined): string {
  if (!value) return "(not set)"
  return `set (${value.length} characters)`
}

const show = (value: unknown) => (value === undefined || value === "" ? "(not set)" : redact(String(value)))

/** The configuration as doctor prints it: every secret masked, URLs without credentials or queries. */
export function configSummary(config: Config): [string, string][] {
  return [
    ["read-only", String(config.readOnly)],
    ["database", config.dbPath],
    ["scratch dir", config.scratchDir],
    ["styles dir", config.stylesDir],
    ["default provider", config.defaultProvider],
    ["paid providers", config.paidProviders.join(", ") || "(none: no cost confirmation)"],
    ["openai api key", secret(config.openaiApiKey)],
    ["openai base url", show(config.openaiBaseUrl)],
    ["google api key", secret(config.googleApiKey)],
    ["gemini base url", show(config.geminiBaseUrl)],
    ["sd webui host", show(config.sdWebuiHost)],
    ["sd webui model", show(config.sdWebuiModel)],
    ["max input image bytes", String(config.maxInputImageBytes)],
    ["max input pixels", String(config.maxInputPixels)],
    ["local file input", String(config.allowLocalFileInput)],
    ["http", `${config.host}:${config.port}${config.httpPath}`],
    ["base url", show(config.baseUrl)],
    ["bearer token", secret(config.bearerToken)],
    ["log level", config.logLevel],
  ]
}
