import type { Config } from "@/config/config"
import { configureLogger, createLogger, type Logger, stderrIsTerminal } from "@/util/log"
import { registerSecret } from "@/util/redact"

/** Applies the configured level and format, and registers every configured secret for redaction. */
export function setUpLogging(config: Config, verbose: boolean): Logger {
  configureLogger({ level: verbose ? "debug" : config.logLevel, json: config.logJson ?? !stderrIsTerminal() })
  for (const secret of [
    config.openaiApiKey,
    config.googleApiKey,
    config.bearerToken,
    config.oidc.clientSecret,
    config.oidc.jwtSigningKey,
  ]) {
    registerSecret(secret)
  }
  return createLogger("cli")
}
