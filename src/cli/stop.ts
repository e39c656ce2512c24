// Stop requests, taken over by the entry module before the rest of the program loads. A signal then never kills
// the process in the middle of a migration, an import or a file write: it aborts `stopSignal`, and the code
// running at that moment stops at its next safe point (start-up) or shuts down gracefully (serving).
// Keep this module free of imports beyond node builtins: it is evaluated before everything else.
import { createReadStream, fstatSync } from "node:fs"

export type StopSignalName = "SIGINT" | "SIGTERM" | "SIGHUP"

/** The reason of an aborted `stopSignal`. */
export class StopRequested extends Error {
  override name = "StopRequested"
  readonly signal: StopSignalName

  constructor(signal: StopSignalName, what: string = signal) {
    super(what)
    this.signal = signal
  }
}

/**
 * Set by the launchers in bin/ and npm/launcher/ for the server they start: the number of an inherited pipe whose
 * other end only the launcher holds. The pipe reaches end of file when the launcher is gone, even when it was
 * killed outright (SIGKILL), and the server then stops as if asked to.
 */
export const LAUNCHER_FD_VARIABLE = "IMAGE_GENERATION_MCP_LAUNCHER_FD"

const controller = new AbortController()

/** Aborted by the first SIGINT or SIGTERM (or hang-up of the launcher); `reason` is a `StopRequested`. */
export const stopSignal: AbortSignal = controller.signal

export function requestStop(request: StopRequested): void {
  if (!controller.signal.aborted) controller.abort(request)
}

/**
 * Catches SIGINT and SIGTERM from now on. SIGHUP only when a launcher started us (it forwards the hang-up of its
 * terminal): a server started directly keeps the disposition it inherited, so `nohup` still works.
 */
export function takeOverStopSignals(env: NodeJS.ProcessEnv = process.env): void {
  process.on("SIGINT", () => requestStop(new StopRequested("SIGINT")))
  process.on("SIGTERM", () => requestStop(new StopRequested("SIGTERM")))
  const fd = Number(env[LAUNCHER_FD_VARIABLE])
  // Not passed on: a process we start is not the launcher's child.
  delete env[LAUNCHER_FD_VARIABLE]
  if (!isPipe(fd)) return
  process.on("SIGHUP", () => requestStop(new StopRequested("SIGHUP")))
  const pipe = createReadStream("", { fd })
  const gone = () => requestStop(new StopRequested("SIGHUP", "launcher gone"))
  pipe.on("data", () => {})
  pipe.on("end", gone)
  pipe.on("error", gone)
}

/** Only a pipe or socket can be the launcher's: a variable set by hand may name any descriptor, or none. */
function isPipe(fd: number): boolean {
  if (!Number.isInteger(fd) || fd < 3) return false
  try {
    const stat = fstatSync(fd)
    return stat.isFIFO() || stat.isSocket()
  } catch {
    return false
  }
}

/**
 * Lets one turn of the event loop pass, so a signal that already arrived is handled, and says whether a stop was
 * requested. Start-up calls it between its steps.
 */
export async function stopRequestedNow(signal: AbortSignal = stopSignal): Promise<boolean> {
  if (!signal.aborted) await new Promise((resolve) => setImmediate(resolve))
  return signal.aborted
}

/** What stopped us, for a log line: `SIGTERM`, `launcher gone`. */
export function stopCause(signal: AbortSignal = stopSignal): string {
  return signal.reason instanceof StopRequested ? signal.reason.message : String(signal.reason)
}

const SIGNAL_NUMBERS: Record<StopSignalName, number> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 }

/**
 * The exit status of a one-shot command (import, doctor) that stopped early on request: 128 + the signal number,
 * as a shell reports a command ended by that signal, so scripts can tell it did not finish. `serve` exits 0.
 */
export function stoppedExitCode(signal: AbortSignal = stopSignal): number {
  const name = signal.reason instanceof StopRequested ? signal.reason.signal : "SIGTERM"
  return 128 + SIGNAL_NUMBERS[name]
}
