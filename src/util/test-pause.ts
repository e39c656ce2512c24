// Test-only seam, not a setting (it stays out of env.example and the README):
//   IMAGE_GENERATION_MCP_TEST_PAUSE=<phase>:<file>
// makes the process write `test-pause: <phase>` to stderr the first time it reaches <phase>, then block there until
// <file> exists. The signal tests use it to deliver SIGINT/SIGTERM at a chosen moment of start-up. Unset, a call
// costs one comparison.
import { existsSync, writeSync } from "node:fs"

const spec = process.env.IMAGE_GENERATION_MCP_TEST_PAUSE
let paused = false

/** Phases: `entry` (before the program's modules load), `migration` (inside a migration's transaction),
 * `scratch-import` (after the first batch of an import is stored). */
export function pauseForTest(phase: string): void {
  if (spec === undefined || paused || !spec.startsWith(`${phase}:`)) return
  paused = true
  const release = spec.slice(phase.length + 1)
  writeSync(2, `test-pause: ${phase}\n`)
  // Blocking on purpose: the phase may be inside a synchronous SQLite transaction. Signals that arrive meanwhile
  // are queued and handled once the event loop turns again.
  while (!existsSync(release)) Bun.sleepSync(5)
}
