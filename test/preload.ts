// Runs before any test module: point HOME and XDG dirs at a temp dir so nothing touches the real home.
import { setDefaultTimeout } from "bun:test"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { TEST_TIMEOUT_MS } from "./helpers/wait"

// bun reads no test timeout from bunfig.toml, and its own default (5 s) is less than a browser test takes on a busy
// machine; when a test times out, bun also kills the child processes it saw started (a shared Chromium too). The
// limit sits far above the per-state deadlines the tests wait with (test/helpers/wait.ts). bun 1.4 keeps a preload's
// default for the first test file only (oven-sh/bun#43787), so `npm test` also passes it as --timeout and the
// browser suites set it themselves (describeBrowser).
setDefaultTimeout(TEST_TIMEOUT_MS)

const home = mkdtempSync(join(tmpdir(), "igm-home-"))
process.env.HOME = home
process.env.XDG_DATA_HOME = join(home, ".local", "share")
process.env.XDG_CONFIG_HOME = join(home, ".config")
process.env.XDG_STATE_HOME = join(home, ".local", "state")
for (const key of Object.keys(process.env)) {
  if (key.startsWith("IMAGE_GENERATION_MCP_") || key.startsWith("FASTMCP_")) delete process.env[key]
}

// `bun test` straight from a fresh clone: the embedded widget HTML is generated, so build it when missing or stale.
const { ensureWidgets } = await import("../scripts/ensure-widgets.mjs")
if (!ensureWidgets(join(import.meta.dir, ".."), process.execPath)) throw new Error("Building the widgets failed")

// Failures that tests provoke on purpose would otherwise fill the output; errors still show.
const { configureLogger } = await import("@/util/log")
configureLogger({ level: "error" })
