#!/usr/bin/env bun
// One real generation per configured provider, through the whole server over stdio, for users who have keys
// or a local GPU server. It reads the same IMAGE_GENERATION_MCP_* settings the server does (your API keys,
// SD WebUI or ComfyUI host) and spends money on paid providers: one small, low-quality image each.
//
//   npm run test:live [-- --provider openai,gemini]
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { parseArgs } from "node:util"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js"
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js"
import { loadConfig } from "../src/config/config"
import { PROVIDER_DEFINITIONS } from "../src/providers/index"
import { isEnabled } from "../src/providers/registry"

const ROOT = join(import.meta.dir, "..")
const POLL_LIMIT_MS = 10 * 60_000

const text = (result: unknown) => {
  const item = (result as CallToolResult).content.find((c) => c.type === "text")
  return item?.type === "text" ? item.text : ""
}

/** The providers the environment configures (the placeholder is not a real service, so it is left out). */
function configuredProviders(only: string[] | undefined): string[] {
  const { config } = loadConfig(process.env)
  return PROVIDER_DEFINITIONS.filter((d) => {
    const enabling = d.settings.filter((s) => s.enables).map((s) => s.key)
    return enabling.length > 0 && isEnabled(config.providers[d.name], enabling)
  })
    .map((d) => d.name)
    .filter((name) => !only || only.includes(name))
}

async function generateOnce(client: Client, provider: string): Promise<string> {
  const started = Date.now()
  const result = await client.callTool({
    name: "generate_image",
    arguments: { prompt: "a small red apple on a white table, studio photo", provider, aspect_ratio: "1:1" },
  })
  if (result.isError) throw new Error(text(result))
  const { image_id: id } = JSON.parse(text(result)) as { image_id: string }
  for (;;) {
    const status = JSON.parse(
      text(await client.callTool({ name: "check_generation_status", arguments: { image_id: id } })),
    )
    if (status.status === "completed") break
    if (status.status !== "generating") throw new Error(`${status.status}: ${status.error ?? "no reason given"}`)
    if (Date.now() - started > POLL_LIMIT_MS) throw new Error("still generating after 10 minutes")
    await Bun.sleep(1000)
  }
  const meta = await client.readResource({ uri: `image://${id}/metadata` })
  const first = meta.contents[0]
  const metadata = JSON.parse(first && "text" in first ? first.text : "{}")
  const seconds = ((Date.now() - started) / 1000).toFixed(1)
  const [width, height] = metadata.original_dimensions ?? []
  return `${width}x${height} ${metadata.provider_metadata?.model ?? ""} in ${seconds} s`
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { provider: { type: "string" } } })
  const providers = configuredProviders(values.provider?.split(","))
  if (providers.length === 0) {
    console.error("No real provider is configured: set IMAGE_GENERATION_MCP_OPENAI_API_KEY, _GOOGLE_API_KEY,")
    console.error("_SD_WEBUI_HOST or _COMFYUI_HOST (see packaging/env.example.in), then run this again.")
    return 2
  }
  console.error(`Generating one image with each of: ${providers.join(", ")} (paid providers bill one image).`)
  const state = mkdtempSync(join(tmpdir(), "igm-live-"))
  const env = {
    ...(process.env as Record<string, string>),
    IMAGE_GENERATION_MCP_READ_ONLY: "false",
    IMAGE_GENERATION_MCP_PAID_PROVIDERS: "",
    IMAGE_GENERATION_MCP_SCRATCH_DIR: join(state, "images"),
    IMAGE_GENERATION_MCP_DB_PATH: join(state, "state.sqlite"),
  }
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [join(ROOT, "src", "cli", "index.ts"), "serve"],
    env,
    stderr: "inherit",
  })
  const client = new Client({ name: "test-live", version: "1.0.0" })
  let failed = 0
  try {
    await client.connect(transport)
    for (const provider of providers) {
      try {
        console.log(`ok    ${provider.padEnd(12)} ${await generateOnce(client, provider)}`)
      } catch (error) {
        failed++
        console.log(`FAIL  ${provider.padEnd(12)} ${error instanceof Error ? error.message : String(error)}`)
      }
    }
  } finally {
    await client.close().catch(() => {})
    rmSync(state, { recursive: true, force: true })
  }
  console.log(`${providers.length - failed} passed, ${failed} failed`)
  return failed ? 1 : 0
}

process.exit(await main())
