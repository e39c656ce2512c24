import { describe, expect, test } from "bun:test"
import { writeFile } from "node:fs/promises"
import { join } from "node:path"
import { ElicitRequestSchema } from "@modelcontextprotocol/sdk/types.js"
import { periodBounds, utcMinute } from "@/core/usage/periods"
import { createFakeProvider, gate } from "../fixture/fake-provider"
import { tmpdir } from "../fixture/tmpdir"
import { connect } from "../helpers/mcp"

const P = "IMAGE_GENERATION_MCP_"
const today = () => new Date().toISOString().slice(0, 10)

async function pricedEnv(extra: Record<string, string> = {}, opts: Parameters<typeof connect>[0] = {}) {
  const dir = await tmpdir()
  const prices = join(dir.path, "prices.toml")
  await writeFile(prices, '[[price]]\nprovider = "paid"\nmodel = "paid-model"\nusd = 0.25\n')
  const paid = createFakeProvider({ name: "paid" })
  const env = await connect({
    dir,
    env: { [`${P}PRICES_FILE`]: prices, ...extra },
    deps: { extraProviders: [paid] },
    ...opts,
  })
  const close = env[Symbol.asyncDispose]
  return Object.assign(env, {
    paid,
    async [Symbol.asyncDispose]() {
      await close()
      await dir[Symbol.asyncDispose]()
    },
  })
}

describe("get_usage and usage://summary", () => {
  test("totals by day, provider, model and subject, with the budgets left and when they reset", async () => {
    await using env = await pricedEnv({ [`${P}DAILY_BUDGET_USD`]: "5" })
    await env.call("generate_image", { prompt: "a", provider: "paid", model: "paid-model" })
    await env.call("generate_image", { prompt: "b", provider: "paid", model: "paid-model" })
    await env.call("generate_image", { prompt: "c", provider: "placeholder" })
    await env.services.jobs.idle()
    const result = await env.call("get_usage")
    expect(result.isError).toBeFalsy()
    const usage = JSON.parse(env.text(result))
    expect(result.structuredContent).toEqual(usage)
    const month = periodBounds("monthly", Date.now() / 1000)
    expect(usage.period).toMatchObject({
      since: new Date(month.start * 1000).toISOString().replace(".000", ""),
      time_zone: "UTC",
    })
    const paid = { calls: 2, images: 2, cost_usd: 0.5, uncertain_usd: 0, reserved_usd: 0, unknown_cost_calls: 0 }
    const free = { calls: 1, images: 1, cost_usd: 0, uncertain_usd: 0, reserved_usd: 0, unknown_cost_calls: 0 }
    expect(usage.total).toEqual({ ...paid, calls: 3, images: 3 })
    expect(usage.by_day).toEqual([{ day: today(), ...paid, calls: 3, images: 3 }])
    expect(usage.by_provider).toEqual([
      { provider: "paid", ...paid },
      { provider: "placeholder", ...free },
    ])
    expect(usage.by_model).toEqual([
      { provider: "paid", model: "paid-model", ...paid },
      { provider: "placeholder", model: "placeholder", ...free },
    ])
    expect(usage.by_subject).toEqual([{ subject: "local", ...paid, calls: 3, images: 3 }])
    const reset = periodBounds("daily", Date.now() / 1000).end
    expect(usage.budgets).toEqual([
      {
        period: "daily",
        subject: null,
        limit_usd: 5,
        used_usd: 0.5,
        remaining_usd: 4.5,
        resets_at: new Date(reset * 1000).toISOString().replace(".000", ""),
      },
    ])
    expect(usage.prices.file).toEndWith("prices.toml")
    expect(usage.prices.sources.map((s: { provider: string }) => s.provider)).toContain("openai")

    const resource = JSON.parse(await env.readText("usage://summary"))
    expect({ ...resource, period: undefined }).toEqual({ ...usage, period: undefined })
    const bridged = JSON.parse(env.text(await env.call("read_resource", { uri: "usage://summary" })))
    expect(bridged.total).toEqual(usage.total)
  })

  test("a running call shows as reserved; a period is chosen by day or timestamp", async () => {
    const held = gate()
    await using dir = await tmpdir()
    const prices = join(dir.path, "prices.toml")
    await writeFile(prices, '[[price]]\nprovider = "slow"\nmodel = "slow-model"\nusd = 0.1\n')
    const slow = createFakeProvider({
      name: "slow",
      generate: async (request, signal) => {
        await held.promise
        return createFakeProvider().generate(request, { signal })
      },
    })
    await using env = await connect({ dir, env: { [`${P}PRICES_FILE`]: prices }, deps: { extraProviders: [slow] } })
    await env.call("generate_image", { prompt: "a", provider: "slow", model: "slow-model" })
    const running = JSON.parse(env.text(await env.call("get_usage", { since: today(), until: today() })))
    expect(running.total).toMatchObject({ calls: 1, cost_usd: 0, reserved_usd: 0.1 })
    held.resolve()
    await env.services.jobs.idle()
    const done = JSON.parse(env.text(await env.call("get_usage", { since: `${today()}T00:00:00Z` })))
    expect(done.total).toMatchObject({ calls: 1, cost_usd: 0.1, reserved_usd: 0 })
    const before = JSON.parse(env.text(await env.call("get_usage", { since: "2020-01-01", until: "2020-01-31" })))
    expect(before.total.calls).toBe(0)
    expect(before.period).toMatchObject({ since: "2020-01-01T00:00:00Z", until: "2020-02-01T00:00:00Z" })
    expect(before.by_day).toEqual([])
  })

  test("a period that cannot be read, or ends before it starts, is a clear error", async () => {
    await using env = await connect()
    const bad = await env.call("get_usage", { since: "last tuesday" })
    expect(bad.isError).toBe(true)
    expect(env.text(bad)).toBe(
      "'since' must be a day (YYYY-MM-DD) or an ISO timestamp such as 2026-12-01T09:30:00Z; got 'last tuesday'.",
    )
    const backwards = await env.call("get_usage", { since: "2026-03-02", until: "2026-03-01" })
    expect(env.text(backwards)).toBe("The period is empty: 'until' (2026-03-01) must come after 'since' (2026-03-02).")
    const future = await env.call("get_usage", { since: "2999-01-01" })
    expect(env.text(future)).toStartWith("The period is empty: 'until' (now, ")
  })

  test("an image's metadata shows what it cost", async () => {
    await using env = await pricedEnv()
    const { image_id } = JSON.parse(
      env.text(await env.call("generate_image", { prompt: "a", provider: "paid", model: "paid-model", quality: "hd" })),
    )
    await env.services.jobs.idle()
    const meta = JSON.parse(await env.readText(`image://${image_id}/metadata`))
    expect(meta.cost).toEqual({
      usd: 0.25,
      call_usd: 0.25,
      n: 1,
      billing: "charged",
      provider: "paid",
      model: "paid-model",
      size: null,
      quality: "hd",
    })
  })
})

describe("the cost confirmation", () => {
  test("shows the call's estimate and the budget left; a call the budget refuses is refused before asking", async () => {
    await using env = await pricedEnv(
      { [`${P}PAID_PROVIDERS`]: "paid", [`${P}DAILY_BUDGET_USD`]: "0.6" },
      { capabilities: { elicitation: {} } },
    )
    const asked: string[] = []
    env.client.setRequestHandler(ElicitRequestSchema, async (request) => {
      asked.push(String(request.params.message))
      return { action: "accept" }
    })
    const args = { prompt: "x", provider: "paid", model: "paid-model" }
    await env.call("generate_image", args)
    await env.call("generate_image", args)
    const refused = await env.call("generate_image", args)
    const reset = utcMinute(periodBounds("daily", Date.now() / 1000).end)
    expect(asked).toEqual([
      `This will use paid (paid-model), which costs money. Estimated cost: $0.25 (1 image). Budget left: $0.60 of the server's daily budget of $0.60 (resets ${reset}). Proceed?`,
      `This will use paid (paid-model), which costs money. Estimated cost: $0.25 (1 image). Budget left: $0.35 of the server's daily budget of $0.60 (resets ${reset}). Proceed?`,
    ])
    expect(refused.isError).toBe(true)
    expect(env.text(refused)).toStartWith(
      "This call would cost about $0.25, but only $0.10 of the server's daily budget of $0.60 is left.",
    )
    await env.services.jobs.idle()
    expect(env.paid.requests).toHaveLength(2)
  })

  test("50 concurrent generate_image calls against a budget for 10: exactly 10 run, the rest are refused", async () => {
    const held = gate()
    await using dir = await tmpdir()
    const prices = join(dir.path, "prices.toml")
    await writeFile(prices, '[[price]]\nprovider = "held"\nmodel = "held-model"\nusd = 0.25\n')
    const provider = createFakeProvider({
      name: "held",
      generate: async (request, signal) => {
        await held.promise
        return createFakeProvider().generate(request, { signal })
      },
    })
    await using env = await connect({
      dir,
      env: { [`${P}PRICES_FILE`]: prices, [`${P}DAILY_BUDGET_USD`]: "2.5" },
      deps: { extraProviders: [provider] },
    })
    const args = { prompt: "x", provider: "held", model: "held-model" }
    const results = await Promise.all(Array.from({ length: 50 }, () => env.call("generate_image", args)))
    const refused = results.filter((r) => r.isError)
    expect(results.length - refused.length).toBe(10)
    for (const r of refused) expect(env.text(r)).toContain("of the server's daily budget of $2.50 is left")
    held.resolve()
    await env.services.jobs.idle()
    expect(provider.requests).toHaveLength(10)
    expect(await env.services.images.count()).toBe(10)
  })
})
