// A server killed (SIGKILL) while a paid call is reserved and in flight: after its job's lease has run out, the next
// start leaves nothing reserved, and the call is settled as interrupted with its estimate (it may have been billed).
import { expect, test } from "bun:test"
import { join } from "node:path"
import { fakeOpenAI } from "../fixture/fake-openai"
import { tmpdir } from "../fixture/tmpdir"
import { CLI } from "../helpers/cli"
import { handshake, queryOne, spawnWatched } from "../helpers/processes"
import { startServices } from "../helpers/services"
import { waitFor } from "../helpers/wait"

const P = "IMAGE_GENERATION_MCP_"
const KEY = "sk-kill-test-0123456789"

test("a server killed between reservation and settlement leaves no budget reserved after restart", async () => {
  await using dir = await tmpdir()
  await using openai = fakeOpenAI({ apiKey: KEY })
  const env = {
    [`${P}OPENAI_API_KEY`]: KEY,
    [`${P}OPENAI_BASE_URL`]: openai.url,
    [`${P}DAILY_BUDGET_USD`]: "1",
    [`${P}PAID_PROVIDERS`]: "",
    // The killed server's job, and with it its reserved call, is given up once this lease has run out.
    [`${P}JOB_LEASE_S`]: "1",
  }
  const server = spawnWatched([process.execPath, CLI, "serve"], {
    PATH: process.env.PATH ?? "",
    HOME: dir.path,
    [`${P}DB_PATH`]: join(dir.path, "state.sqlite"),
    [`${P}SCRATCH_DIR`]: join(dir.path, "images"),
    [`${P}STYLES_DIR`]: join(dir.path, "styles"),
    [`${P}READ_ONLY`]: "false",
    ...env,
  })
  try {
    await handshake(server)
    const held = openai.hangNext()
    const reply = await server.request("tools/call", {
      name: "generate_image",
      arguments: { prompt: "a lighthouse", provider: "openai", model: "gpt-image-2" },
    })
    const text = (reply.result as { content: { text: string }[] }).content[0]?.text ?? ""
    expect(JSON.parse(text)).toMatchObject({ status: "generating" })
    await held.arrived
    server.proc.kill("SIGKILL")
    expect(await server.exited).toBe(128 + 9)
  } finally {
    server.proc.kill("SIGKILL")
  }

  const left = queryOne<{ outcome: string; estimate_micros: number }>(
    join(dir.path, "state.sqlite"),
    "SELECT outcome, estimate_micros FROM usage_ledger",
  )
  // $0.053 for the image and $0.003 for each of its two partial images (live previews are on by default).
  expect(left).toEqual({ outcome: "reserved", estimate_micros: 59_000 })
  const { lease } = queryOne<{ lease: number }>(
    join(dir.path, "state.sqlite"),
    "SELECT lease_expires_epoch AS lease FROM jobs",
  ) as { lease: number }
  await waitFor(() => Date.now() / 1000 > lease, "the killed server's job lease to run out")

  await using restarted = await startServices({ dir, env })
  const { store } = restarted.services
  expect(await store.usage.listReserved()).toEqual([])
  const totals = await store.usage.totals({ since: 0, until: Date.now() / 1000 + 1 }, "all")
  expect(totals[0]).toMatchObject({ calls: 1, reservedMicros: 0, costMicros: 59_000, uncertainMicros: 59_000 })
  const [daily] = await restarted.services.usage.standing("local")
  expect(daily).toMatchObject({ limitMicros: 1_000_000, usedMicros: 59_000, remainingMicros: 941_000 })
})
