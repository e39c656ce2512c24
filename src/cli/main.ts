import { ConfigError, loadConfig } from "@/config/config"
import { processEnv } from "@/config/env"
import { VERSION } from "@/version"
import { parseArgs, UsageError } from "./args"
import { runDoctor } from "./doctor"
import { DOCTOR_HELP, IMPORT_HELP, MAIN_HELP, SERVE_HELP } from "./help"
import { runImport } from "./import-command"
import { setUpLogging } from "./logging"
import { runServe } from "./serve"
import { stopCause, stoppedExitCode, stopRequestedNow } from "./stop"

async function main(argv: string[], stop: AbortSignal): Promise<number> {
  const command = parseArgs(argv)
  if (command.kind === "help") {
    const topics = { serve: SERVE_HELP, import: IMPORT_HELP, doctor: DOCTOR_HELP }
    const text = command.topic ? topics[command.topic] : MAIN_HELP
    ;(command.exitCode === 0 ? process.stdout : process.stderr).write(text)
    return command.exitCode
  }
  if (command.kind === "version") {
    console.log(`image-generation-mcp ${VERSION}`)
    return 0
  }
  const { config, warnings } = loadConfig(processEnv())
  const log = setUpLogging(config, command.verbose)
  for (const warning of warnings) log.warning(warning)
  if (command.kind !== "serve" && (await stopRequestedNow(stop))) {
    log.info(`Stopped before ${command.kind} began (${stopCause(stop)})`)
    return stoppedExitCode(stop)
  }
  if (command.kind === "import") return runImport(config, command.dir, stop)
  if (command.kind === "doctor") return runDoctor(config, warnings, stop)
  return runServe(config, command, stop)
}

/** Runs one command line and exits with its status; `serve` exits from its shutdown instead. */
export function run(argv: string[], stop: AbortSignal): void {
  main(argv, stop).then(
    (code) => {
      if (code !== -1) process.exit(code)
    },
    (error: unknown) => {
      if (error instanceof UsageError) {
        console.error(`image-generation-mcp: ${error.message}`)
        process.exit(2)
      }
      if (error instanceof ConfigError) {
        console.error(`image-generation-mcp: ${error.message}`)
        process.exit(1)
      }
      console.error(`image-generation-mcp: ${error instanceof Error ? error.message : String(error)}`)
      process.exit(1)
    },
  )
}
