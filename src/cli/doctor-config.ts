import type { Config } from "@/config/config"
import { PROVIDER_DEFINITIONS } from "@/providers/index"
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
    ["database", config.databaseUrl ? show(config.databaseUrl) : `${config.dbPath} (SQLite)`],
    ["image store", config.blobStoreUrl ? show(config.blobStoreUrl) : "files in the scratch dir"],
    ["scratch dir", config.scratchDir],
    ["styles dir", config.stylesDir],
    ["default provider", config.defaultProvider],
    ["paid providers", config.paidProviders.join(", ") || "(none: no cost confirmation)"],
    ["live previews", config.livePreviews ? "on (OpenAI bills each partial image)" : "off"],
    ...providerSettingsSummary(config),
    ["max input image bytes", String(config.maxInputImageBytes)],
    ["max input pixels", String(config.maxInputPixels)],
    ["local file input", String(config.allowLocalFileInput)],
    ["http", `${config.host}:${config.port}${config.httpPath}`],
    ["base url", show(config.baseUrl)],
    ["bearer token", secret(config.bearerToken)],
    ["log level", config.logLevel],
  ]
}

/** Every provider setting, named after its environment variable: secrets only as "set (n characters)". */
function providerSettingsSummary(config: Config): [string, string][] {
  return PROVIDER_DEFINITIONS.flatMap((d) =>
    d.settings.map((s): [string, string] => {
      const value = config.providers[d.name]?.[s.key]
      const text = value === undefined ? undefined : String(value)
      return [s.env.toLowerCase().replaceAll("_", " "), s.secret ? secret(text) : show(text)]
    }),
  )
}
