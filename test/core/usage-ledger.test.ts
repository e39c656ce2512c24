import { describe, expect, test } from "bun:test"
import { writeFile } from "node:fs/promises"
import { join } from "node:path"
import { ProviderConnectionError, ProviderError } from "@/providers/errors"
import type { UsageRecord } from "@/storage/types"
import { createFakeProvider, type FakeProviderOptions, gate } from "../fixture/fake-provider"
import { type TempDir, tmpdir } from "../fixture/tmpdir"
import { startServices } from "../helpers/services"
import { waitFor } from "../helpers/wait"

/** A prices file giving the fake providers a price of $0.25 per image. */
async function pricesFile(dir: TempDir, providers: string[]): Promise<string> {
  const path = join(dir.path, "prices.toml")
  const rows = providers.map((p) => `[[price]]\nprovider = "${p}"\nmodel = "${p}-model"\nusd = 0.25\n`)
  await writeFile(path, rows.join("\n"))
  return path
}

const fake = (name: string, generate?: FakeProviderOptions["generate"]) =>
  createFakeProvider({ name, ...(generate && { generate }) })

describe("the usage ledger", () => {
  test("records every provider call with its subject, model, size, quality, n, outcome and cost", async () => {
    await using dir = await tmpdir()
    const priced = fake("priced")
    await using env = await startServices({
      dir,
      env: { IMAGE_GENERATION_MCP_PRICES_FILE: await pricesFile(dir, ["priced"]) },
      deps: { extraProviders: [priced] },
    })
    const { generation, usage } = env.services
    const started = await generation.start(
      await generation.prepare({ prompt: "a fox", provider: "priced", model: "priced-model", quality: "hd" }),
      { subject: "alice" },
    )
    const free = await generation.start(await generation.prepare({ prompt: "a box", provider: "placeholder" }))
    await env.services.jobs.idle()
    expect(await usage.forImage(started.image_id)).toMatchObject({
      imageId: started.image_id,
      subject: "alice",
      provider: "priced",
      model: "priced-model",
      size: null,
      quality: "hd",
      n: 1,
      outcome: "completed",
      billing: "charged",
      estimateMicros: 250_000,
      costMicros: 250_000,
    } satisfies Partial<UsageRecord>)
    expect(await usage.forImage(free.image_id)).toMatchObject({
      subject: "local",
      provider: "placeholder",
      outcome: "completed",
      costMicros: 0,
    })
  })

  test("a model without a known price is recorded as unknown, not guessed", async () => {
    await using env = await startServices({ deps: { extraProviders: [fake("unpriced")] } })
    const { generation, usage } = env.services
    const started = await generation.start(await generation.prepare({ prompt: "x", provider: "unpriced" }))
    await env.services.jobs.idle()
    expect(await usage.forImage(started.image_id)).toMatchObject({
      outcome: "completed",
      billing: "charged",
      estimateMicros: null,
      costMicros: null,
    })
  })

  test("a refusal costs nothing; a failure without an answer, or a cancel, keeps its estimate as uncertain", async () => {
    await using dir = await tmpdir()
    const refused = fake("refused", async () => {
      throw new ProviderError("refused", "bad request")
    })
    const unreachable = fake("unreachable", async () => {
      throw new ProviderConnectionError("unreachable", "timed out")
    })
    const held = gate()
    const slow = fake("slow", (request, signal) => {
      signal.addEventListener("abort", () => held.reject(signal.reason))
      return held.promise.then(() => createFakeProvider().generate(request, { signal }))
    })
    await using env = await startServices({
      dir,
      env: { IMAGE_GENERATION_MCP_PRICES_FILE: await pricesFile(dir, ["refused", "unreachable", "slow"]) },
      deps: { extraProviders: [refused, unreachable, slow] },
    })
    const { generation, usage, jobs } = env.services
    const start = async (provider: string) =>
      (await generation.start(await generation.prepare({ prompt: "x", provider, model: `${provider}-model` }))).image_id
    const [a, b, c] = [await start("refused"), await start("unreachable"), await start("slow")]
    await waitFor(async () => (await usage.forImage(b))?.outcome === "failed", "the unreachable call to settle")
    expect(await jobs.cancel(c)).toEqual({ outcome: "cancelled" })
    await jobs.idle()
    const settled = async (id: string) => {
      const record = await usage.forImage(id)
      return [record?.outcome, record?.billing, record?.costMicros]
    }
    expect(await settled(a)).toEqual(["failed", "none", 0])
    expect(await settled(b)).toEqual(["failed", "uncertain", 250_000])
    await waitFor(async () => (await usage.forImage(c))?.outcome === "cancelled", "the cancelled call to settle")
    expect(await settled(c)).toEqual(["cancelled", "uncertain", 250_000])
  })

  test("a call left reserved by a killed server is settled as interrupted once its job's lease runs out", async () => {
    await using dir = await tmpdir()
    const env = {
      IMAGE_GENERATION_MCP_PRICES_FILE: await pricesFile(dir, ["never"]),
      IMAGE_GENERATION_MCP_JOB_LEASE_S: "1",
    }
    const never = fake("never", () => new Promise(() => {}))
    const first = await startServices({ dir, env, deps: { extraProviders: [never] } })
    const { generation } = first.services
    const stuck = await generation.start(
      await generation.prepare({ prompt: "lost", provider: "never", model: "never-model" }),
    )
    expect(await first.services.usage.forImage(stuck.image_id)).toMatchObject({ outcome: "reserved" })

    // A second server on the same database leaves the call alone while its server keeps the job's lease.
    await using second = await startServices({ dir, env })
    expect(await second.services.usage.recoverInterrupted()).toBe(0)
    expect(await second.services.store.usage.listReserved()).toHaveLength(1)
    // The first server "dies": its storage is closed without any shutdown bookkeeping, as a kill leaves it.
    await first.services.storage.close()
    await waitFor(
      async () => (await second.services.jobs.get(stuck.image_id))?.status === "failed",
      "the job to be reported interrupted",
    )
    await waitFor(async () => (await second.services.store.usage.listReserved()).length === 0, "the call to be settled")
    expect(await second.services.usage.forImage(stuck.image_id)).toMatchObject({
      outcome: "interrupted",
      billing: "uncertain",
      costMicros: 250_000,
    })
  })
})
