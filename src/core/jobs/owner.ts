/** Identifies one run of the server process; pids are reused (pid 1 in every container), start times are not. */
export interface ProcessIdentity {
  pid: number
  startedEpoch: number
}

export function currentProcess(startedEpoch = Date.now() / 1000): ProcessIdentity {
  return { pid: process.pid, startedEpoch }
}

/**
 * Whether the process that started a job this process is not running is still alive (another server may share
 * the database). A job with our own pid is either ours and finished, or from an earlier run that had our pid.
 */
export function isOwnerAlive(owner: { ownerPid: number }, self: ProcessIdentity): boolean {
  if (owner.ownerPid === self.pid) return false
  try {
    process.kill(owner.ownerPid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"
  }
}
