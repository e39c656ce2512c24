// The whole check: type-check, lint, then bun test. Prints "N passed, N failed[, N skipped]" last.
// Type-check and lint count as one check each next to the test cases.
import { mkdirSync, readFileSync, rmSync } from "node:fs"
import { join } from "node:path"
import { TEST_TIMEOUT_MS } from "../test/helpers/wait"

const root = join(import.meta.dir, "..")
const resultsDir = join(root, ".test-results")
const junit = join(resultsDir, "junit.xml")
const bin = (name: string) => join(root, "node_modules", ".bin", name)

function run(label: string, cmd: string[]): boolean {
  console.error(`\n── ${label}: ${cmd.map((c) => c.replace(`${root}/`, "")).join(" ")}`)
  const proc = Bun.spawnSync(cmd, { cwd: root, stdout: "inherit", stderr: "inherit", env: { ...process.env } })
  return proc.exitCode === 0
}

const checks = [
  run("type-check", [bin("tsc"), "--noEmit", "-p", "tsconfig.json"]),
  run("type-check widgets (DOM)", [bin("tsc"), "--noEmit", "-p", "src/widgets"]),
  run("lint", [bin("biome"), "check", "."]),
]
rmSync(resultsDir, { recursive: true, force: true })
mkdirSync(resultsDir, { recursive: true })
const extra = process.argv.slice(2)
// Every file gets the suite's time limit: bun reads none from bunfig.toml, and keeps the preload's for one file only.
const timeout = `--timeout=${TEST_TIMEOUT_MS}`
const testsOk = run("tests", [
  process.execPath,
  "test",
  timeout,
  "--reporter=junit",
  `--reporter-outfile=${junit}`,
  ...extra,
])

let passed = checks.filter(Boolean).length
let failed = checks.length - passed
let skipped = 0
try {
  const xml = readFileSync(junit, "utf8")
  const suites = xml.match(/<testsuites\b[^>]*>/)?.[0] ?? ""
  const attr = (name: string) => Number(suites.match(new RegExp(`\\b${name}="(\\d+)"`))?.[1] ?? 0)
  const total = attr("tests")
  const failures = attr("failures") + attr("errors")
  skipped = attr("skipped")
  passed += total - failures - skipped
  failed += failures
  if (total === 0) failed += 1
} catch {
  failed += 1
  console.error("No test report was written.")
}
if (!testsOk && failed === 0) failed += 1
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`)
process.exit(failed === 0 ? 0 : 1)
