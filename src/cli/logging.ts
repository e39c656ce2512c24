import type { Config } from "@/config/config"
import { PROVIDER_DEFINITIONS } from "@/providers/index"
import { configureLogger, createLogger, type Logger, stderrIsTerminal } from "@/util/log"
import { registerSecret } from "@/util/redact"

/** Applies the configured level and format, and registers every configured secret for redaction. */
export function setUpLogging(config: Config, verbose: boolean): Logger {
  configureLogger({ level: verbose ? "debug" : config.logLevel, json: config.logJson ?? !stderrIsTerminal() })
  for (const secret of [
    ...providerSecrets(config),
    config.bearerToken,
    config.oidc.clientSecret,
    config.oidc.jwtSigningKey,
  ]) {
    registerSecret(secret)
  }
  return createLogger("cli")
}

/** The values of every provider setting marked secret. */
function providerSecrets(config: Config): string[] {
  return PROVIDER_DEFINITIONS.flatMap((d) =>
    d.settings.flatMap((s) => {
      const value = config.providers[d.name]?.[s.key]
      return s.secret && typeof value === "string" ? [value] : []
    }),
  )
}
