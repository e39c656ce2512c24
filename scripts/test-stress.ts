// The suite on a busy machine, as a new user meets it: `npm test` in a fresh clone of HEAD, several runs in a row,
// while every core is kept busy by another process (stress-ng, else busy loops). Prints each run's closing line
// and wall time; exits 1 when any run failed. Committed work only: the clone does not see uncommitted changes.
//
//   npm run test:stress [-- --runs 3] [--cpus N] [--keep]
import { spawn, spawnSync } from "node:child_process"
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs"
import { availableParallelism, tmpdir } from "node:os"
import { join } from "node:path"
import { parseArgs } from "node:util"

const root = join(import.meta.dir, "..")
const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    runs: { type: "string", default: "3" },
    cpus: { type: "string", default: String(availableParallelism()) },
    keep: { type: "boolean", default: false },
  },
})
const runs = Number(values.runs)
const cpus = Number(values.cpus)
if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(cpus) || cpus < 1) {
  console.error("usage: npm run test:stress [-- --runs N] [--cpus N] [--keep]")
  process.exit(2)
}

const git = (...args: string[]) => {
  const result = spawnSync("git", args, { cwd: root, encoding: "utf8" })
  if (result.status !== 0) throw new Error(`git ${args.join(" ")} failed: ${result.stderr}`)
  return result.stdout.trim()
}
const head = git("rev-parse", "HEAD")
if (git("status", "--porcelain", "--untracked-files=no")) {
  console.error("Note: uncommitted changes are not part of the runs (each run clones HEAD).")
}

/** Keeps `cpus` cores busy until stopped: stress-ng when installed, else one busy-looping process per core. */
function startLoad(): { what: string; stop(): void } {
  const stressNg = Bun.which("stress-ng")
  const procs = stressNg
    ? [spawn(stressNg, ["--cpu", String(cpus), "--quiet"], { stdio: "ignore" })]
    : Array.from({ length: cpus }, () => spawn(process.execPath, ["-e", "for (;;) {}"], { stdio: "ignore" }))
  return {
    what: stressNg ? `stress-ng --cpu ${cpus}` : `${cpus} busy-loop processes (stress-ng is not installed)`,
    stop: () => {
      for (const proc of procs) proc.kill("SIGTERM")
    },
  }
}

/** The runner's closing "N passed, N failed" line, and the failed tests' lines, from a run's output. */
function summarise(log: string): { closing: string; failures: string[] } {
  const lines = log.split("\n")
  const closing = lines.findLast((line) => /^\d+ passed, \d+ failed/.test(line)) ?? "(no closing line)"
  const failures = [...new Set(lines.filter((line) => line.startsWith("(fail)")))]
  return { closing, failures }
}

const minutes = (ms: number) => `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`

const workDir = mkdtempSync(join(tmpdir(), "igm-stress-"))
const load = startLoad()
let current: ReturnType<typeof spawn> | undefined
const stopAll = () => {
  // npm test runs in its own process group: end it with everything it started.
  if (current?.pid) spawnSync("kill", ["-TERM", `-${current.pid}`])
  load.stop()
}
process.on("SIGINT", () => {
  stopAll()
  process.exit(130)
})

console.log(`Load: ${load.what}. Commit ${head.slice(0, 12)}, ${runs} run(s); clones and logs in ${workDir}`)
let failedRuns = 0
try {
  for (let run = 1; run <= runs; run++) {
    const clone = join(workDir, `run-${run}`)
    const logPath = join(workDir, `run-${run}.log`)
    git("clone", "--quiet", "--no-checkout", root, clone)
    git("-C", clone, "checkout", "--quiet", "--detach", head)
    const log = openSync(logPath, "w")
    const started = performance.now()
    const npmTest = spawn("npm", ["test"], { cwd: clone, stdio: ["ignore", log, log], detached: true })
    current = npmTest
    const code = await new Promise<number>((resolve) => npmTest.on("exit", (c) => resolve(c ?? 1)))
    const took = performance.now() - started
    current = undefined
    closeSync(log)
    const { closing, failures } = summarise(readFileSync(logPath, "utf8"))
    console.log(`run ${run}/${runs}: ${closing} — ${minutes(took)} (exit ${code})`)
    if (code !== 0) {
      failedRuns++
      for (const line of failures.slice(0, 30)) console.log(`  ${line}`)
      console.log(`  log: ${logPath}`)
    }
    if (!values.keep) rmSync(clone, { recursive: true, force: true })
  }
} finally {
  stopAll()
}
console.log(failedRuns ? `${failedRuns} of ${runs} run(s) failed.` : `All ${runs} run(s) passed under load.`)
process.exit(failedRuns ? 1 : 0)
