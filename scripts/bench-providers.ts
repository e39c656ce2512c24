// Issue figures for the real providers, against the local fakes:
// 1. cold start with openai, gemini and sd_webui configured vs none (lazy SDK loading keeps the gap small);
// 2. server overhead of one generation through the OpenAI fake, the fake's own latency subtracted;
// 3. the usage ledger and budgets per generation (reserve + settle, four budgets, a month of 10,000 calls in the
//    ledger), and a generation with them against one without, in the same run.
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js"
import { loadConfig } from "@/config/config"
import { createServices } from "@/core/services"
import { createMcpServer } from "@/mcp/server"
import { startFakeGemini } from "../test/fixture/fake-gemini"
import { fakeOpenAI } from "../test/fixture/fake-openai"
import { fakeSdWebui } from "../test/fixture/fake-sd-webui"
import { benchLedger } from "./bench-ledger"
import { CLI, fmt, median, medianTime, timeHandshake } from "./bench-lib"

const RUNS = Number(process.env.RUNS ?? 20)
const home = mkdtempSync(join(tmpdir(), "igm-bench-prov-"))
const openai = fakeOpenAI({ apiKey: "sk-bench" })
const gemini = startFakeGemini()
const sd = fakeSdWebui()
const base = { PATH: process.env.PATH ?? "", HOME: home }
const configured = {
  ...base,
  IMAGE_GENERATION_MCP_OPENAI_API_KEY: "sk-bench",
  IMAGE_GENERATION_MCP_OPENAI_BASE_URL: openai.url,
  IMAGE_GENERATION_MCP_GOOGLE_API_KEY: "g-bench",
  IMAGE_GENERATION_MCP_GEMINI_BASE_URL: gemini.url,
  IMAGE_GENERATION_MCP_SD_WEBUI_HOST: sd.url,
}

try {
  await timeHandshake([process.execPath, CLI, "serve"], base)
  const none: number[] = []
  const all: number[] = []
  for (let i = 0; i < RUNS; i++) {
    none.push(await timeHandshake([process.execPath, CLI, "serve"], base))
    all.push(await timeHandshake([process.execPath, CLI, "serve"], configured))
  }
  console.log(`cold start (spawn → initialize + tools/list), median of ${RUNS}`)
  console.log(`  no providers configured            ${fmt(median(none))}`)
  console.log(
    `  openai + gemini + sd_webui (fakes) ${fmt(median(all))}   difference ${fmt(median(all) - median(none))} (target < 15 ms)`,
  )

  const { config } = loadConfig(
    {
      ...configured,
      IMAGE_GENERATION_MCP_PAID_PROVIDERS: "",
      IMAGE_GENERATION_MCP_READ_ONLY: "false",
      IMAGE_GENERATION_MCP_DB_PATH: join(home, "g.sqlite"),
      IMAGE_GENERATION_MCP_SCRATCH_DIR: join(home, "g-images"),
    },
    home,
  )
  const services = await createServices(config)
  const server = createMcpServer(services, { transport: "stdio" })
  const client = new Client({ name: "bench", version: "1" })
  const [a, b] = InMemoryTransport.createLinkedPair()
  await Promise.all([server.connect(a), client.connect(b)])
  await services.providers.ready()
  const body = {
    model: "gpt-image-2",
    prompt: "a lighthouse",
    n: 1,
    size: "1024x1024",
    quality: "auto",
    output_format: "png",
  }
  const direct = await medianTime(async () => {
    const res = await fetch(`${openai.url}/images/generations`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer sk-bench" },
      body: JSON.stringify(body),
    })
    await res.json()
  }, RUNS)
  const through = await medianTime(async () => {
    await client.callTool({ name: "generate_image", arguments: { prompt: "a lighthouse", provider: "openai" } })
    await services.jobs.idle()
  }, RUNS)
  console.log(`generation through the OpenAI fake (1024², PNG), median of ${RUNS}`)
  console.log(`  tool call → image stored           ${fmt(through)}`)
  console.log(`  the fake answering a raw request   ${fmt(direct)}`)
  console.log(`  server overhead                    ${fmt(through - direct)} (target ≤ 20 ms)`)
  const stored = await services.images.count()
  if (stored < RUNS) throw new Error(`only ${stored} generations were stored; the figures above are not valid`)
  await client.close()
  await services.close()

  await benchLedger({ home, env: configured, runs: RUNS })
} finally {
  await openai[Symbol.asyncDispose]()
  await gemini[Symbol.asyncDispose]()
  await sd[Symbol.asyncDispose]()
  rmSync(home, { recursive: true, force: true })
}
