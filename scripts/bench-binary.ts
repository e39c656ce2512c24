#!/usr/bin/env bun
// Measures the release artefacts, building every target first (into .bench-tmp/dist):
//   size of each binary, raw and as its release archive (.tar.gz / .zip);
//   cold start of the compiled binary (spawn → initialize + tools/list answered, median of RUNS) and its
//   idle RSS, with anchors in the same run: `bun src/cli/index.ts` from source, and a minimal MCP SDK
//   server compiled with the same options;
//   the systemd unit's exposure score; the sizes of the .deb, .rpm, .mcpb and npm packages.
//
//   bun scripts/bench-binary.ts [--runs 20] [--no-packages]
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { parseArgs } from "node:util"
import { CLI, fmt, median, ROOT, spawnAnswered, timeHandshake } from "./bench-lib"
import { build, compileConfig } from "./build"
import { distDirName, hostTarget, TARGETS, targetName } from "./build-targets"
import { builtBinary } from "./dist-lib"

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: { runs: { type: "string", default: "20" }, "no-packages": { type: "boolean", default: false } },
  strict: true,
})
const RUNS = Number(values.runs)
const WORK = join(ROOT, ".bench-tmp", "binary")
const DIST = join(WORK, "dist")
const mib = (bytes: number) =>
  bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / 1024 / 1024).toFixed(1)} MiB`

async function run(cmd: string[]): Promise<void> {
  const proc = Bun.spawn(cmd, { cwd: ROOT, stdout: "ignore", stderr: "inherit" })
  if ((await proc.exited) !== 0) throw new Error(`${cmd.join(" ")} failed`)
}

/** A minimal MCP SDK stdio server with one tool, compiled exactly like the release binary. */
async function compileMinimalServer(): Promise<string> {
  const entry = join(WORK, "minimal-server.ts")
  writeFileSync(
    entry,
    `import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js"
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js"
import { z } from "zod"
const server = new McpServer({ name: "minimal", version: "1" })
server.registerTool("echo", { inputSchema: { text: z.string() } }, async ({ text }) => ({ content: [{ type: "text", text }] }))
await server.connect(new StdioServerTransport())
`,
  )
  const outfile = join(WORK, "minimal-server")
  const result = await Bun.build({ ...compileConfig(hostTarget(), outfile, entry), root: ROOT })
  if (!result.success) throw new Error(result.logs.join("\n"))
  return outfile
}

/** Resident memory (MiB) of a server 1 s after it answered initialize + tools/list. */
async function idleRss(cmd: string[], env: Record<string, string>): Promise<number> {
  const { proc } = await spawnAnswered(cmd, env)
  await Bun.sleep(1000)
  const status = await Bun.file(`/proc/${proc.pid}/status`).text()
  proc.kill()
  await proc.exited
  return Number(status.match(/^VmRSS:\s+(\d+) kB$/m)?.[1]) / 1024
}

async function exposure(): Promise<string> {
  if (!Bun.which("systemd-analyze")) return "n/a (systemd-analyze not installed)"
  const unit = join(ROOT, "packaging", "systemd", "image-generation-mcp.service")
  const proc = Bun.spawnSync(["systemd-analyze", "security", "--offline=true", "--no-pager", unit])
  return proc.stdout.toString().match(/Overall exposure level for .*: (\d+\.\d+ \S+)/)?.[1] ?? "n/a"
}

rmSync(WORK, { recursive: true, force: true })
mkdirSync(WORK, { recursive: true })
const started = performance.now()
await build({ targets: TARGETS, outdir: DIST, archive: true })
console.log(
  `built ${TARGETS.length} targets in ${((performance.now() - started) / 1000).toFixed(1)} s (bun ${Bun.version})\n`,
)

console.log("binary size per target (raw → release archive)")
for (const target of TARGETS) {
  const raw = statSync(builtBinary(DIST, target) as string).size
  const archive = join(DIST, `${distDirName(target)}${target.os === "windows" ? ".zip" : ".tar.gz"}`)
  console.log(
    `  ${targetName(target).padEnd(20)} ${mib(raw).padStart(10)} → ${mib(statSync(archive).size).padStart(9)}`,
  )
}

const compiled = builtBinary(DIST, hostTarget()) as string
const minimal = await compileMinimalServer()
const home = join(WORK, "home")
mkdirSync(home)
const env = { PATH: process.env.PATH ?? "", HOME: home }
const subjects: [string, string[]][] = [
  ["compiled binary `serve`", [compiled, "serve"]],
  ["anchor: bun src/cli/index.ts serve", [process.execPath, CLI, "serve"]],
  ["anchor: minimal SDK server, compiled", [minimal]],
]
await timeHandshake([compiled, "serve"], env) // creates and migrates the database first
const times = subjects.map((): number[] => [])
for (let i = 0; i < RUNS; i++) {
  for (const [index, [, cmd]] of subjects.entries()) times[index]?.push(await timeHandshake(cmd, env))
}
const rss = subjects.map((): number[] => [])
for (let i = 0; i < 5; i++) {
  for (const [index, [, cmd]] of subjects.entries()) rss[index]?.push(await idleRss(cmd, env))
}
console.log(`\ncold start (spawn → initialize + tools/list), median of ${RUNS}; idle RSS, median of 5`)
for (const [index, [label]] of subjects.entries()) {
  const ms = median(times[index] ?? [])
  console.log(
    `  ${label.padEnd(38)} ${fmt(ms).padStart(9)}   ${median(rss[index] ?? [])
      .toFixed(1)
      .padStart(6)} MiB`,
  )
}

console.log(`\nsystemd unit exposure (systemd-analyze security --offline): ${await exposure()}`)

if (!values["no-packages"]) {
  const tools = ["dpkg-deb", "rpmbuild", "npm"].filter((t) => !Bun.which(t))
  if (tools.length) console.log(`\npackages skipped: ${tools.join(", ")} not installed`)
  else {
    await run([process.execPath, join(ROOT, "scripts", "package-linux.ts"), "--dist", DIST])
    await run([process.execPath, join(ROOT, "scripts", "package-mcpb.ts"), "--dist", DIST])
    await run([process.execPath, join(ROOT, "scripts", "package-npm.ts"), "--dist", DIST])
    console.log("\npackage sizes (release compression)")
    const files = [
      ...readdirSync(DIST).filter((f) => /\.(deb|rpm|mcpb)$/.test(f)),
      ...readdirSync(join(DIST, "npm"))
        .filter((f) => f.endsWith(".tgz"))
        .map((f) => `npm/${f}`),
    ]
    for (const file of files.sort())
      console.log(`  ${file.padEnd(56)} ${mib(statSync(join(DIST, file)).size).padStart(10)}`)
  }
}
