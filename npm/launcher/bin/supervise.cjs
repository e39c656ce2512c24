"use strict"
// Runs the server as a child process and stands in for it, for both launchers (this package's and bin/ in the
// source tree): SIGINT, SIGTERM and SIGHUP are passed on, and the launcher ends the way the child ended.
//
// When the launcher itself is killed outright (SIGKILL, the OOM killer), nothing can pass a signal on. So on
// POSIX the child also gets one end of a pipe as fd 3 and its number in IMAGE_GENERATION_MCP_LAUNCHER_FD; the
// kernel closes the launcher's end whatever way it dies, the child reads end of file at once and shuts down as
// on SIGTERM (src/cli/stop.ts). This needs no polling and cannot be fooled by a recycled process id, unlike
// watching the parent pid. On Windows, Node puts every child it spawns in a job object that kills it when the
// launcher's process ends, so no pipe is passed there.
const { spawn } = require("node:child_process")
const { constants } = require("node:os")

const FORWARDED = ["SIGINT", "SIGTERM", "SIGHUP"]
const LAUNCHER_FD = 3
/** Signals the launcher re-raises on itself when they ended the child; others would make it dump core. */
const RERAISED = new Set([...FORWARDED, "SIGKILL", "SIGPIPE"])

/**
 * Spawns `command` with stdin, stdout and stderr inherited and exits when it does: with its exit code, or, when
 * a signal ended it, by the same signal (its parent sees what it would have seen without a launcher); a signal
 * that cannot be re-raised becomes the shell's 128 + its number. `onSignalExit` runs first.
 */
function supervise(command, args, { name, onSignalExit } = {}) {
  const lifeline = process.platform !== "win32"
  const child = spawn(command, args, {
    stdio: lifeline ? ["inherit", "inherit", "inherit", "pipe"] : "inherit",
    env: lifeline ? { ...process.env, IMAGE_GENERATION_MCP_LAUNCHER_FD: String(LAUNCHER_FD) } : process.env,
    windowsHide: true,
  })
  // The launcher never writes to the pipe; only its closing matters.
  child.stdio[LAUNCHER_FD]?.on("error", () => {})
  const forwarders = FORWARDED.map((signal) => [signal, () => child.kill(signal)])
  for (const [signal, forward] of forwarders) process.on(signal, forward)

  child.on("error", (error) => {
    process.stderr.write(`${name}: could not start ${command}: ${error.message}\n`)
    process.exit(1)
  })
  child.on("exit", (code, signal) => {
    if (!signal) process.exit(code ?? 1)
    onSignalExit?.(signal)
    for (const [forwarded, forward] of forwarders) process.off(forwarded, forward)
    const status = 128 + (constants.signals[signal] ?? 0)
    if (RERAISED.has(signal) && process.platform !== "win32") {
      process.kill(process.pid, signal)
      // Still here: the signal did not end this process.
      setTimeout(() => process.exit(status), 100)
    } else process.exit(status)
  })
  return child
}

module.exports = { supervise }
