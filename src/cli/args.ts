export class UsageError extends Error {
  override name = "UsageError"
}

export type Command =
  | { kind: "help"; exitCode: 0 | 2; topic?: "serve" | "import" | "doctor" }
  | { kind: "version" }
  | { kind: "serve"; verbose: boolean; transport?: string; host?: string; port?: string; httpPath?: string }
  | { kind: "import"; verbose: boolean; dir: string }
  | { kind: "doctor"; verbose: boolean }

const SERVE_OPTIONS: Record<string, "transport" | "host" | "port" | "httpPath"> = {
  "--transport": "transport",
  "-t": "transport",
  "--host": "host",
  "--port": "port",
  "-p": "port",
  "--http-path": "httpPath",
  "--path": "httpPath",
}

/** Parses `image-generation-mcp [global options] <command> [options]`. Throws `UsageError` with a one-line reason. */
export function parseArgs(argv: readonly string[]): Command {
  let verbose = false
  const rest: string[] = []
  for (const arg of argv) {
    if (arg === "-v" || arg === "--verbose") verbose = true
    else rest.push(arg)
  }
  const [command, ...args] = rest
  if (command === undefined) return { kind: "help", exitCode: 2 }
  if (command === "--help" || command === "-h" || command === "help") return { kind: "help", exitCode: 0 }
  if (command === "--version" || command === "-V" || command === "version") return { kind: "version" }
  if (command === "serve") return parseServe(args, verbose)
  if (command === "import") return parseImport(args, verbose)
  if (command === "doctor") {
    if (args.includes("--help") || args.includes("-h")) return { kind: "help", exitCode: 0, topic: "doctor" }
    if (args.length) throw new UsageError(`doctor takes no arguments; got '${args[0]}'`)
    return { kind: "doctor", verbose }
  }
  if (command.startsWith("-")) throw new UsageError(`unknown option '${command}'`)
  throw new UsageError(`unknown command '${command}' (commands: serve, import, doctor)`)
}

function parseServe(args: string[], verbose: boolean): Command {
  const out: Extract<Command, { kind: "serve" }> = { kind: "serve", verbose }
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string
    if (arg === "--help" || arg === "-h") return { kind: "help", exitCode: 0, topic: "serve" }
    const [flag, inline] = arg.startsWith("--") && arg.includes("=") ? splitOnce(arg) : [arg, undefined]
    const key = SERVE_OPTIONS[flag]
    if (!key) throw new UsageError(`unknown option '${flag}' for serve (see: image-generation-mcp serve --help)`)
    const value = inline ?? args[++i]
    if (value === undefined || (inline === undefined && value.startsWith("-") && key !== "port")) {
      throw new UsageError(`option '${flag}' needs a value`)
    }
    out[key] = value
  }
  return out
}

function parseImport(args: string[], verbose: boolean): Command {
  if (args.includes("--help") || args.includes("-h")) return { kind: "help", exitCode: 0, topic: "import" }
  const unknown = args.find((a) => a.startsWith("-"))
  if (unknown) throw new UsageError(`unknown option '${unknown}' for import`)
  if (args.length !== 1) throw new UsageError("import takes exactly one directory")
  return { kind: "import", verbose, dir: args[0] as string }
}

function splitOnce(arg: string): [string, string] {
  const at = arg.indexOf("=")
  return [arg.slice(0, at), arg.slice(at + 1)]
}
