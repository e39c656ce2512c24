import { readFileSync } from "node:fs"

/** Identifies one run of the server process; pids are reused (pid 1 in every container), start times are not. */
export interface ProcessIdentity {
  pid: number
  /** When the process started, in epoch seconds (from the kernel where it tells). */
  startedEpoch: number
}

const CLOCK_TICKS_PER_SECOND = 100

/** The kernel's start time of a process, in epoch seconds; undefined where /proc is not available. */
export function processStartEpoch(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
    // The command name (field 2) may hold spaces and parentheses; fields after the last ')' are plain.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
    const ticks = Number(fields[19])
    const boot = bootEpoch()
    if (!Number.isFinite(ticks) || boot === undefined) return undefined
    return boot + ticks / CLOCK_TICKS_PER_SECOND
  } catch {
    return undefined
  }
}

let cachedBoot: number | undefined

/**
 * The boot time in epoch seconds: `btime` of /proc/stat, or, where that file is hidden (systemd's
 * `ProcSubset=pid`), our own start ticks subtracted from our own start time (good to well under a second).
 */
function bootEpoch(): number | undefined {
  if (cachedBoot !== undefined) return cachedBoot
  try {
    cachedBoot = Number(readFileSync("/proc/stat", "utf8").match(/^btime (\d+)$/m)?.[1])
  } catch {
    cachedBoot = undefined
  }
  if (!Number.isFinite(cachedBoot)) cachedBoot = estimateBootEpoch()
  return cachedBoot
}

/** The boot time worked out from this process alone (/proc/self/stat and its uptime). */
export function estimateBootEpoch(): number | undefined {
  try {
    const stat = readFileSync("/proc/self/stat", "utf8")
    const ticks = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19])
    if (!Number.isFinite(ticks)) return undefined
    return Date.now() / 1000 - process.uptime() - ticks / CLOCK_TICKS_PER_SECOND
  } catch {
    return undefined
  }
}

export function currentProcess(): ProcessIdentity {
  return { pid: process.pid, startedEpoch: processStartEpoch(process.pid) ?? Date.now() / 1000 - process.uptime() }
}

/**
 * Whether the process that started a job (one this process is not running) is still alive: another server may
 * share the database. A job with our own pid is ours and finished, or from an earlier run that had our pid; a live
 * pid whose start time differs from the recorded one belongs to some other, newer process.
 */
export function isOwnerAlive(owner: { ownerPid: number; ownerStartedEpoch: number }, self: ProcessIdentity): boolean {
  if (owner.ownerPid === self.pid) return false
  try {
    process.kill(owner.ownerPid, 0)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false
  }
  const started = processStartEpoch(owner.ownerPid)
  return started === undefined || Math.abs(started - owner.ownerStartedEpoch) < 2
}
