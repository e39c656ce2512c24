// The usage ledger's and the budgets' cost per generation (part 3 of bench-providers.ts): reserve + settle timed
// inside real generations through the OpenAI fake, with four budgets in force and a month of prior calls in the
// ledger; then whole generations with the ledger and budgets against the same server without them, interleaved.
import { Database } from "bun:sqlite"
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js"
import { loadConfig } from "@/config/config"
import { createServices, type Services } from "@/core/services"
import type { Reservation, UsageCall } from "@/core/usage/ledger"
import { periodBounds } from "@/core/usage/periods"
import { createMcpServer } from "@/mcp/server"
import { fmt, median } from "./bench-lib"

const PRIOR_CALLS = 10_000

interface Bench {
  services: Services
  client: Client
  generate(): Promise<void>
}

async function open(name: string, env: Record<string, string>, home: string, ledger: boolean): Promise<Bench> {
  const { config } = loadConfig(
    {
      ...env,
      IMAGE_GENERATION_MCP_PAID_PROVIDERS: "",
      IMAGE_GENERATION_MCP_READ_ONLY: "false",
      // No background previews: they would land in the other server's timings.
      IMAGE_GENERATION_MCP_TRANSFORM_CACHE_SIZE: "0",
      IMAGE_GENERATION_MCP_DB_PATH: join(home, `${name}.sqlite`),
      IMAGE_GENERATION_MCP_SCRATCH_DIR: join(home, `${name}-images`),
    },
    home,
  )
  const services = await createServices(config, { ledger })
  const server = createMcpServer(services, { transport: "stdio" })
  const client = new Client({ name: "bench", version: "1" })
  const [a, b] = InMemoryTransport.createLinkedPair()
  await Promise.all([server.connect(a), client.connect(b)])
  await services.providers.ready()
  // gpt-image-2 at 1:1 standard has a price in the table ($0.053), so every budget is checked.
  const args = { prompt: "a lighthouse", provider: "openai", model: "gpt-image-2" }
  return {
    services,
    client,
    async generate() {
      await client.callTool({ name: "generate_image", arguments: args })
      await services.jobs.idle()
    },
  }
}

/** A month of settled calls before this one, so each budget check sums a realistic ledger. */
function seedLedger(path: string): void {
  const db = new Database(path)
  const { start } = periodBounds("monthly", Date.now() / 1000)
  const insert = db.query(
    `INSERT INTO usage_ledger (call_id, image_id, at, subject, provider, model, size, quality, n, outcome, billing,
       estimate_micros, cost_micros, settled_at, owner_id)
     VALUES (?, ?, ?, ?, 'openai', 'gpt-image-2', '1024x1024', 'standard', 1, 'completed', 'charged', 53000, 53000, ?, 'bench-seed')`,
  )
  const addDay = db.query(
    `INSERT INTO usage_days (scope, subject, day, micros) VALUES (?, ?, ?, 53000)
     ON CONFLICT (scope, subject, day) DO UPDATE SET micros = micros + 53000`,
  )
  const span = Math.max(1, Date.now() / 1000 - start)
  db.transaction(() => {
    for (let i = 0; i < PRIOR_CALLS; i++) {
      const at = start + (span * i) / PRIOR_CALLS
      const subject = i % 3 ? "local" : "someone-else"
      insert.run(`seed-${i}`, `seed${String(i).padStart(8, "0")}`, at, subject, at)
      addDay.run("all", "", Math.floor(at / 86_400))
      addDay.run("subject", subject, Math.floor(at / 86_400))
    }
  })()
  db.run("PRAGMA wal_checkpoint(TRUNCATE)")
  db.close()
}

/** Times every reserve and settle the generation path makes, per generation. */
function timeLedger(services: Services): number[] {
  const perGeneration: number[] = []
  const usage = services.usage
  const reserve = usage.reserve.bind(usage)
  usage.reserve = async (call: UsageCall): Promise<Reservation> => {
    const started = performance.now()
    const reservation = await reserve(call)
    const reserving = performance.now() - started
    return {
      ...reservation,
      async settle(end) {
        const settling = performance.now()
        await reservation.settle(end)
        perGeneration.push(reserving + performance.now() - settling)
      },
    }
  }
  return perGeneration
}

export async function benchLedger(opts: { home: string; env: Record<string, string>; runs: number }): Promise<void> {
  const budgets = join(opts.home, "budgets.toml")
  writeFileSync(budgets, "[default]\ndaily_usd = 100000\nmonthly_usd = 100000\n")
  const limits = {
    IMAGE_GENERATION_MCP_DAILY_BUDGET_USD: "100000",
    IMAGE_GENERATION_MCP_MONTHLY_BUDGET_USD: "100000",
    IMAGE_GENERATION_MCP_BUDGETS_FILE: budgets,
  }
  const withLedger = await open("ledger", { ...opts.env, ...limits }, opts.home, true)
  const without = await open("plain", opts.env, opts.home, false)
  seedLedger(join(opts.home, "ledger.sqlite"))
  const ledgerMs = timeLedger(withLedger.services)
  const quoteMs: number[] = []
  const call: UsageCall = {
    imageId: "bench",
    subject: "local",
    provider: "openai",
    model: "gpt-image-2",
    aspectRatio: "1:1",
    quality: "standard",
    n: 1,
  }
  const [on, off]: [number[], number[]] = [[], []]
  // Warm-up, then alternate so both see the same machine load.
  await withLedger.generate()
  await without.generate()
  ledgerMs.length = 0
  const time = async (bench: Bench, into: number[]) => {
    const started = performance.now()
    await bench.generate()
    into.push(performance.now() - started)
  }
  for (let i = 0; i < opts.runs; i++) {
    // Alternating which goes first, so neither always follows the other's leftovers.
    if (i % 2) await time(withLedger, on).then(() => time(without, off))
    else await time(without, off).then(() => time(withLedger, on))
    const started = performance.now()
    await withLedger.services.usage.quote(call)
    quoteMs.push(performance.now() - started)
  }
  const calls = (await withLedger.services.store.usage.totals({ since: 0, until: Date.now() / 1000 + 1 }, "all"))[0]
  console.log(
    `usage ledger and budgets, median of ${opts.runs} (4 budgets in force; ${calls?.calls ?? 0} calls in the ledger this month)`,
  )
  console.log(`  reserve + settle per generation     ${fmt(median(ledgerMs))} (target ≤ 1 ms)`)
  console.log(`  the quote for a cost confirmation   ${fmt(median(quoteMs))}`)
  console.log(`  generation with ledger and budgets  ${fmt(median(on))}`)
  console.log(`  generation without them             ${fmt(median(off))}`)
  console.log(`  ratio                               ${(median(on) / median(off)).toFixed(3)}`)
  if (ledgerMs.length !== opts.runs) throw new Error(`${ledgerMs.length} settlements for ${opts.runs} generations`)
  for (const bench of [withLedger, without]) {
    await bench.client.close()
    await bench.services.close()
  }
}
