// Issue figures for the real providers, against the local fakes:
// 1. cold start with openai, gemini, sd_webui and comfyui configured vs none (lazy SDK loading keeps the gap small);
// 2. server overhead of one generation through the OpenAI fake, the fake's own latency subtracted;
// 3. server overhead of one generation through the ComfyUI fake, the time the fake spent running the prompt
//    (its sampling) subtracted;
// 4. the delay from a progress message leaving the ComfyUI fake to the client's MCP progress notification,
//    median and p99, in 3 runs;
// 5. the usage ledger and budgets per generation (reserve + settle, four budgets, a month of 10,000 calls in the
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
import { fakeComfyUi } from "../test/providers/comfyui/fake"
import { benchLedger } from "./bench-ledger"
import { CLI, fmt, median, medianTime, timeHandshake } from "./bench-lib"

const RUNS = Number(process.env.RUNS ?? 20)
const home = mkdtempSync(join(tmpdir(), "igm-bench-prov-"))
const openai = fakeOpenAI({ apiKey: "sk-bench" })
const gemini = startFakeGemini()
const sd = fakeSdWebui()
const comfy = fakeComfyUi()
const base = { PATH: process.env.PATH ?? "", HOME: home }
const configured = {
  ...base,
  IMAGE_GENERATION_MCP_OPENAI_API_KEY: "sk-bench",
  IMAGE_GENERATION_MCP_OPENAI_BASE_URL: openai.url,
  IMAGE_GENERATION_MCP_GOOGLE_API_KEY: "g-bench",
  IMAGE_GENERATION_MCP_GEMINI_BASE_URL: gemini.url,
  IMAGE_GENERATION_MCP_SD_WEBUI_HOST: sd.url,
  IMAGE_GENERATION_MCP_COMFYUI_HOST: comfy.url,
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
    `  openai + gemini + sd_webui + comfyui (fakes) ${fmt(median(all))}   difference ${fmt(median(all) - median(none))} (target < 15 ms)`,
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

  // ComfyUI: the SD 1.5 preset's 30 steps without a wait of their own (each still a WebSocket message, a progress
  // update and a notification), 512² PNG; the time the fake spent running the prompt is subtracted.
  comfy.set({ stepMs: 0 })
  const call = (onprogress?: (p: { message?: string }) => void) =>
    client.callTool(
      { name: "generate_image", arguments: { prompt: "a lighthouse", provider: "comfyui" } },
      undefined,
      onprogress ? { onprogress } : undefined,
    )
  await call()
  await services.jobs.idle()
  const overheads: number[] = []
  const ran: number[] = []
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now()
    await call()
    await services.jobs.idle()
    const total = performance.now() - started
    const record = comfy.prompts().at(-1)
    if (record?.status !== "success" || record.startedAt === undefined || record.endedAt === undefined) {
      throw new Error("a ComfyUI prompt did not succeed; the figures are not valid")
    }
    ran.push(record.endedAt - record.startedAt)
    overheads.push(total - (record.endedAt - record.startedAt))
  }
  console.log(`generation through the ComfyUI fake (512², PNG, 30 steps), median of ${RUNS}`)
  console.log(`  the fake running the prompt        ${fmt(median(ran))}`)
  console.log(`  server overhead (the rest)         ${fmt(median(overheads))} (target ≤ 20 ms)`)
  console.log(`  fastest                            ${fmt(Math.min(...overheads))}`)

  // Progress: each "progress" message leaving the fake, to the notification "Step v/30" reaching the client.
  comfy.set({ stepMs: 10 })
  console.log("progress message leaving the ComfyUI fake → MCP progress notification at the client")
  for (let run = 1; run <= 3; run++) {
    const delays: number[] = []
    for (let g = 0; g < 10; g++) {
      const received = new Map<number, number>()
      await call((p) => {
        const step = /^Step (\d+)\/\d+$/.exec(p.message ?? "")?.[1]
        if (step) received.set(Number(step), performance.now())
      })
      await services.jobs.idle()
      const id = comfy.prompts().at(-1)?.promptId
      for (const sent of comfy.sent) {
        if (sent.event !== "progress" || sent.data.prompt_id !== id) continue
        const at = received.get(Number(sent.data.value))
        if (at !== undefined) delays.push(at - sent.at)
      }
    }
    const sorted = [...delays].sort((a, b) => a - b)
    const p99 = sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)] ?? Number.NaN
    console.log(
      `  run ${run}: ${delays.length} notifications, median ${delays.length ? median(delays).toFixed(2) : "n/a"} ms, p99 ${p99.toFixed(2)} ms`,
    )
  }
  await client.close()
  await services.close()

  await benchLedger({ home, env: configured, runs: RUNS })
} finally {
  await openai[Symbol.asyncDispose]()
  await gemini[Symbol.asyncDispose]()
  await sd[Symbol.asyncDispose]()
  await comfy[Symbol.asyncDispose]()
  rmSync(home, { recursive: true, force: true })
}
