// Live-preview latency: from the moment the OpenAI fake hands its first partial image to the connection, to the
// moment the MCP client receives the progress notification announcing it (SDK stream parsing, the provider, core's
// checks, the notification). Fake, server and client share this process and its clock; the client is connected
// in memory, so transport time beyond that is not included. Each run waits for the last to be stored, and a raw
// streamed request read to its first event gives the fake's and the HTTP transfer's own share. RUNS=100 by default.
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js"
import { loadConfig } from "@/config/config"
import { createServices } from "@/core/services"
import { createMcpServer } from "@/mcp/server"
import { PREVIEW_META } from "@/mcp/tools/generation-result"
import { fakeOpenAI } from "../test/fixture/fake-openai"
import { fmt, median } from "./bench-lib"

const RUNS = Number(process.env.RUNS ?? 100)
const home = mkdtempSync(join(tmpdir(), "igm-bench-previews-"))
const openai = fakeOpenAI({ apiKey: "sk-bench" })

/** The nearest-rank percentile `p` (0-100) of `values`. */
function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number
}

try {
  const { config } = loadConfig(
    {
      HOME: home,
      IMAGE_GENERATION_MCP_OPENAI_API_KEY: "sk-bench",
      IMAGE_GENERATION_MCP_OPENAI_BASE_URL: openai.url,
      IMAGE_GENERATION_MCP_PAID_PROVIDERS: "",
      IMAGE_GENERATION_MCP_READ_ONLY: "false",
      IMAGE_GENERATION_MCP_DB_PATH: join(home, "state.sqlite"),
      IMAGE_GENERATION_MCP_SCRATCH_DIR: join(home, "images"),
    },
    home,
  )
  const services = await createServices(config)
  const server = createMcpServer(services, { transport: "stdio" })
  const client = new Client({ name: "bench", version: "1" })
  const [a, b] = InMemoryTransport.createLinkedPair()
  await Promise.all([server.connect(a), client.connect(b)])
  await services.providers.ready()

  /** The size of the last partial image the fake streamed, read back through a raw streamed request. */
  const partialBytes = async (): Promise<number> => {
    const res = await fetch(`${openai.url}/images/generations`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer sk-bench" },
      body: JSON.stringify({ model: "gpt-image-2", prompt: "x", size: "1024x1024", stream: true, partial_images: 1 }),
    })
    const data = (await res.text()).split("\n").find((line) => line.startsWith("data: "))
    return Buffer.from(JSON.parse(data?.slice(6) ?? "{}").b64_json ?? "", "base64").length
  }

  /** A raw streamed request read until its first event is complete: the fake and the HTTP transfer alone. */
  const rawFirstEvent = async (): Promise<number> => {
    const res = await fetch(`${openai.url}/images/generations`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer sk-bench" },
      body: JSON.stringify({ model: "gpt-image-2", prompt: "x", size: "1024x1024", stream: true, partial_images: 2 }),
    })
    const reader = (res.body as ReadableStream<Uint8Array>).getReader()
    // An event ends at the first blank line: two newlines in a row, possibly split across chunks.
    let previous = 0
    for (let ended = false; !ended; ) {
      const { value, done } = await reader.read()
      if (done) break
      for (const byte of value) {
        if (byte === 10 && previous === 10) ended = true
        previous = byte
      }
    }
    const arrived = performance.now()
    await reader.cancel()
    const first = openai.requests.at(-1)?.events[0]
    if (!first) throw new Error("the raw request saw no event")
    return arrived - first.at
  }

  /**
   * One generation with a progress token: ms from the fake's first partial image to its notification, and to the
   * moment core kept it (heard by a listener added on the first progress message, which names the image id).
   */
  const once = async (): Promise<{ total: number; toCore?: number }> => {
    let announced: number | undefined
    let kept: number | undefined
    let unsubscribe = () => {}
    await client.callTool(
      { name: "generate_image", arguments: { prompt: "a lighthouse", provider: "openai" } },
      undefined,
      {
        onprogress: (p) => {
          const id = /^generating ([0-9a-f]{12})/.exec(p.message ?? "")?.[1]
          if (id && !kept) unsubscribe = services.previews.on(id, () => (kept ??= performance.now()))
          const meta = (p as { _meta?: Record<string, { number?: number }> })._meta
          if (meta?.[PREVIEW_META]?.number === 1) announced ??= performance.now()
        },
      },
    )
    unsubscribe()
    const first = openai.requests.at(-1)?.events.find((e) => e.type === "image_generation.partial_image")
    if (announced === undefined || !first) throw new Error("no preview was announced; the figures would be invalid")
    return { total: announced - first.at, toCore: kept === undefined ? undefined : kept - first.at }
  }

  console.log(`first partial image leaving the OpenAI fake → the client's progress notification (1024² PNG)`)
  for (const photoLike of [false, true]) {
    openai.set({ photoLike })
    await once()
    const bytes = await partialBytes()
    const samples: number[] = []
    const toCore: number[] = []
    const coreToClient: number[] = []
    const raw: number[] = []
    for (let i = 0; i < RUNS; i++) {
      const run = await once()
      samples.push(run.total)
      if (run.toCore !== undefined) {
        toCore.push(run.toCore)
        coreToClient.push(run.total - run.toCore)
      }
      await services.jobs.idle()
      raw.push(await rawFirstEvent())
    }
    const line = (label: string, values: number[]) =>
      console.log(`    ${label.padEnd(44)} median ${fmt(median(values))}   p99 ${fmt(percentile(values, 99))}`)
    const label = photoLike ? `noise, ${(bytes / 2 ** 20).toFixed(1)} MiB each` : `solid colour, ${bytes} B each`
    console.log(`  partial images of ${label}, ${RUNS} runs`)
    line("fake → client notification", samples)
    line(`fake → kept in core (${toCore.length} runs heard)`, toCore)
    line("kept in core → client notification", coreToClient)
    line("raw HTTP: fake → first event read by fetch", raw)
  }
  const stored = await services.images.count()
  if (stored !== 2 * (RUNS + 1)) throw new Error(`${stored} of ${2 * (RUNS + 1)} generations were stored`)
  await client.close()
  await services.close()
} finally {
  await openai[Symbol.asyncDispose]()
  rmSync(home, { recursive: true, force: true })
}
