import { describe, expect, test } from "bun:test"
import { existsSync } from "node:fs"
import { writeFile } from "node:fs/promises"
import { join } from "node:path"
import { ConfigError, loadConfig } from "@/config/config"
import { createServices } from "@/core/services"
import { BudgetExceededError, UnpricedCallError } from "@/core/usage/errors"
import { periodBounds } from "@/core/usage/periods"
import { createFakeProvider, type FakeProvider, gate } from "../fixture/fake-provider"
import { type TempDir, tmpdir } from "../fixture/tmpdir"
import { startServices, testConfig } from "../helpers/services"
import { rejection } from "../providers/openai-helpers"

const P = "IMAGE_GENERATION_MCP_"

/** $0.25 per image for the fake providers named. */
async function prices(dir: TempDir, ...providers: string[]): Promise<string> {
  const path = join(dir.path, "prices.toml")
  await writeFile(
    path,
    providers.map((p) => `[[price]]\nprovider = "${p}"\nmodel = "${p}-model"\nusd = 0.25\n`).join("\n"),
  )
  return path
}

async function file(dir: TempDir, name: string, text: string): Promise<string> {
  const path = join(dir.path, name)
  await writeFile(path, text)
  return path
}

/** A priced fake whose calls wait for `held` (so their reservations stay open) unless it is already resolved. */
function heldProvider(name: string, held = gate()): FakeProvider & { release(): void } {
  const provider = createFakeProvider({
    name,
    generate: async (request, signal) => {
      await held.promise
      return createFakeProvider().generate(request, { signal })
    },
  })
  return Object.assign(provider, { release: () => held.resolve() })
}

async function budgeted(env: Record<string, string>, providers: FakeProvider[], dir?: TempDir) {
  const own = dir ?? (await tmpdir())
  const names = providers.map((p) => p.name)
  return startServices({
    dir: own,
    env: { [`${P}PRICES_FILE`]: await prices(own, ...names), ...env },
    deps: { extraProviders: providers },
  })
}

const start = async (
  services: Awaited<ReturnType<typeof startServices>>["services"],
  provider: string,
  subject?: string,
) => {
  const model = provider === "placeholder" ? null : `${provider}-model`
  const prepared = await services.generation.prepare({ prompt: "x", provider, model })
  return services.generation.start(prepared, { subject })
}

describe("budget settings", () => {
  test("a negative or malformed budget stops start-up with a clear message; 0 is a budget", () => {
    const load = (value: string) => loadConfig({ [`${P}DAILY_BUDGET_USD`]: value }, "/home/u")
    expect(() => load("-5")).toThrow(
      new ConfigError(`${P}DAILY_BUDGET_USD=-5 is invalid: a budget cannot be negative (0 allows only free calls).`),
    )
    expect(() => loadConfig({ [`${P}MONTHLY_BUDGET_USD`]: "ten" }, "/home/u")).toThrow(
      new ConfigError(`${P}MONTHLY_BUDGET_USD="ten" is invalid: expected an amount in USD such as 5 or 12.50.`),
    )
    expect(load("0").config.dailyBudgetUsd).toBe(0)
    expect(load("12.50").config.dailyBudgetUsd).toBe(12.5)
  })

  const badFiles: [string, string, string][] = [
    [
      "a negative amount",
      '[subjects."alice"]\ndaily_usd = -1\n',
      `[subjects."alice"]: 'daily_usd' is -1: a budget cannot be negative`,
    ],
    ["an unknown key", "[default]\nweekly_usd = 3\n", "[default]: unknown key 'weekly_usd'"],
    [
      "a line that does not parse",
      '[subjects."alice"]\ndaily_usd = 1\ndaily_usd = 2\n',
      "not valid TOML at line 3: Cannot redefine key",
    ],
    ["a stray table", "[limits]\nx = 1\n", "unknown top-level key 'limits'"],
  ]
  for (const [what, text, message] of badFiles) {
    test(`a budgets file with ${what} stops start-up naming the entry, and nothing is written`, async () => {
      await using dir = await tmpdir()
      const path = await file(dir, "budgets.toml", text)
      const config = testConfig(dir.path, { [`${P}BUDGETS_FILE`]: path })
      const error = await rejection(createServices(config))
      expect(error).toBeInstanceOf(ConfigError)
      expect((error as Error).message).toStartWith(`${P}BUDGETS_FILE (${path}): ${message}`)
      expect(existsSync(config.dbPath)).toBe(false)
    })
  }
})

describe("budgets", () => {
  test("a call whose estimate would pass the daily budget is refused before any request, saying what is left and when it resets", async () => {
    const provider = heldProvider("paid")
    provider.release()
    await using env = await budgeted({ [`${P}DAILY_BUDGET_USD`]: "0.6" }, [provider])
    await start(env.services, "paid")
    await start(env.services, "paid")
    const error = await rejection(start(env.services, "paid"))
    expect(error).toBeInstanceOf(BudgetExceededError)
    const { end } = periodBounds("daily", Date.now() / 1000)
    const reset = new Date(end * 1000).toISOString().replace(".000Z", "Z")
    expect((error as Error).message).toBe(
      `This call would cost about $0.25, but only $0.10 of the server's daily budget of $0.60 is left. It resets at 00:00 UTC (${reset}; budgets count UTC days and months). Nothing was sent to the provider.`,
    )
    expect((error as BudgetExceededError).kind).toBe("limit_reached")
    expect((error as BudgetExceededError).retryAfterS).toBeGreaterThan(0)
    await env.services.jobs.idle()
    expect(provider.requests).toHaveLength(2)
    const totals = await env.services.store.usage.totals({ since: 0, until: end }, "all")
    expect(totals[0]).toMatchObject({ calls: 2, costMicros: 500_000, reservedMicros: 0 })
  })

  test("50 concurrent calls against a budget for 10: exactly 10 run", async () => {
    const provider = heldProvider("paid")
    await using env = await budgeted({ [`${P}DAILY_BUDGET_USD`]: "2.50" }, [provider])
    const prepared = await env.services.generation.prepare({ prompt: "x", provider: "paid", model: "paid-model" })
    const results = await Promise.allSettled(Array.from({ length: 50 }, () => env.services.generation.start(prepared)))
    const ran = results.filter((r) => r.status === "fulfilled")
    const refused = results.filter((r) => r.status === "rejected")
    expect(ran).toHaveLength(10)
    expect(refused).toHaveLength(40)
    for (const r of refused) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(BudgetExceededError)
    provider.release()
    await env.services.jobs.idle()
    expect(provider.requests).toHaveLength(10)
    const [standing] = await env.services.usage.standing("local")
    expect(standing).toMatchObject({ usedMicros: 2_500_000, remainingMicros: 0 })
  })

  test("subjects have their own limits; [default] covers subjects the file does not name", async () => {
    await using dir = await tmpdir()
    const budgets = await file(
      dir,
      "budgets.toml",
      '[default]\ndaily_usd = 0.5\n\n[subjects."alice@example.com"]\ndaily_usd = 0.25\nmonthly_usd = 10\n',
    )
    const provider = heldProvider("paid")
    provider.release()
    await using env = await budgeted(
      { [`${P}BUDGETS_FILE`]: budgets, [`${P}MONTHLY_BUDGET_USD`]: "100" },
      [provider],
      dir,
    )
    await start(env.services, "paid", "alice@example.com")
    const refused = await rejection(start(env.services, "paid", "alice@example.com"))
    expect((refused as Error).message).toContain("only $0.00 of your daily budget of $0.25 is left")
    await start(env.services, "paid", "bob")
    await start(env.services, "paid", "bob")
    expect((await rejection(start(env.services, "paid", "bob"))) as Error).toBeInstanceOf(BudgetExceededError)
    const standing = await env.services.usage.standing("alice@example.com")
    expect(standing.map((s) => [s.period, s.subject ?? null, s.limitMicros, s.usedMicros])).toEqual([
      ["monthly", null, 100_000_000, 750_000],
      ["daily", "alice@example.com", 250_000, 250_000],
      ["monthly", "alice@example.com", 10_000_000, 250_000],
    ])
  })

  test("the monthly budget's message names the day it resets", async () => {
    const provider = heldProvider("paid")
    await using env = await budgeted({ [`${P}MONTHLY_BUDGET_USD`]: "0.1" }, [provider])
    const error = await rejection(start(env.services, "paid"))
    const { end } = periodBounds("monthly", Date.now() / 1000)
    const day = new Date(end * 1000).toISOString().slice(0, 10)
    expect((error as Error).message).toContain(
      `of the server's monthly budget of $0.10 is left. It resets on ${day} at 00:00 UTC`,
    )
    expect(provider.requests).toHaveLength(0)
  })

  test("free calls always run; a call of unknown price is refused under a budget and runs without one", async () => {
    const unpriced = createFakeProvider({ name: "unpriced" })
    await using dir = await tmpdir()
    await using env = await startServices({
      dir,
      env: { [`${P}DAILY_BUDGET_USD`]: "0" },
      deps: { extraProviders: [unpriced] },
    })
    await start(env.services, "placeholder")
    const error = await rejection(start(env.services, "unpriced"))
    expect(error).toBeInstanceOf(UnpricedCallError)
    expect((error as Error).message).toBe(
      "No price is known for unpriced model 'unpriced-model' (quality standard), so this call cannot be checked against the server's daily budget and was not started. Choose a model with a known price, or add its price to the file named by IMAGE_GENERATION_MCP_PRICES_FILE.",
    )
    expect(unpriced.requests).toHaveLength(0)
    await using open = await startServices({ deps: { extraProviders: [unpriced] } })
    await start(open.services, "unpriced")
    await open.services.jobs.idle()
    expect(unpriced.requests).toHaveLength(1)
  })

  test("a refused call gives its reservation back", async () => {
    let refuse = true
    const flaky = createFakeProvider({
      name: "flaky",
      generate: async (request, signal) => {
        if (refuse) throw new (await import("@/providers/errors")).ProviderError("flaky", "bad request")
        return createFakeProvider().generate(request, { signal })
      },
    })
    await using env = await budgeted({ [`${P}DAILY_BUDGET_USD`]: "0.25" }, [flaky])
    await start(env.services, "flaky")
    await env.services.jobs.idle()
    refuse = false
    await start(env.services, "flaky")
    await env.services.jobs.idle()
    expect(flaky.requests).toHaveLength(2)
    expect((await env.services.usage.standing("local"))[0]).toMatchObject({ usedMicros: 250_000, remainingMicros: 0 })
  })
})
