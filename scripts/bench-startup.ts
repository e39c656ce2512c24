// Cold start under bun: spawn → initialize + tools/list answered, median of 20 runs.
// Anchors in the same run: a bare `bun` process, and a minimal MCP SDK stdio server with one tool.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { CLI, fmt, median, ROOT, timeHandshake } from "./bench-lib"

const RUNS = Number(process.env.RUNS ?? 20)
const home = mkdtempSync(join(tmpdir(), "igm-bench-"))
const env = { PATH: process.env.PATH ?? "", HOME: home }

const minimal = join(ROOT, "scripts", ".bench-minimal-server.ts")
writeFileSync(
  minimal,
  `import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js"
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js"
import { z } from "zod"
const server = new McpServer({ name: "minimal", version: "1" })
server.registerTool("echo", { inputSchema: { text: z.string() } }, async ({ text }) => ({ content: [{ type: "text", text }] }))
await server.connect(new StdioServerTransport())
`,
)

async function bareBun(): Promise<number> {
  const started = performance.now()
  await Bun.spawn([process.execPath, "-e", "0"], { env }).exited
  return performance.now() - started
}

try {
  await timeHandshake([process.execPath, CLI, "serve"], env) // first run creates the database
  const ours: number[] = []
  const sdk: number[] = []
  const bare: number[] = []
  for (let i = 0; i < RUNS; i++) {
    ours.push(await timeHandshake([process.execPath, CLI, "serve"], env))
    sdk.push(await timeHandshake([process.execPath, minimal], env))
    bare.push(await bareBun())
  }
  const [o, s, b] = [median(ours), median(sdk), median(bare)]
  console.log(`cold start, median of ${RUNS} (bun ${Bun.version})`)
  console.log(`  image-generation-mcp serve       ${fmt(o)}`)
  console.log(`  minimal MCP SDK server (anchor)  ${fmt(s)}   ratio ${(o / s).toFixed(2)}x`)
  console.log(`  bare bun process (anchor)        ${fmt(b)}   ratio ${(o / b).toFixed(2)}x`)
} finally {
  rmSync(minimal, { force: true })
  rmSync(home, { recursive: true, force: true })
}
