import { describe, expect, test } from "bun:test"
import { writeFile } from "node:fs/promises"
import { join } from "node:path"
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js"
import { CANCELLED_MESSAGE, QUEUED_MESSAGE } from "@/core/jobs/jobs"
import { ProviderError } from "@/providers/errors"
import { solidPng } from "@/providers/solid-png"
import type { GenerateResult } from "@/providers/types"
import { startFakeGemini } from "../fixture/fake-gemini"
import { fakeOpenAI } from "../fixture/fake-openai"
import { createFakeProvider, fakeModel, gate } from "../fixture/fake-provider"
import { fakeSdWebui } from "../fixture/fake-sd-webui"
import { tmpdir } from "../fixture/tmpdir"
import { connect, type McpTestEnv } from "../helpers/mcp"
import { waitFor } from "../helpers/wait"

const P = "IMAGE_GENERATION_MCP_"

const body = (env: McpTestEnv, result: CallToolResult) => JSON.parse(env.text(result))
const status = async (env: McpTestEnv, image_id: string) =>
  body(env, await env.call("check_generation_status", { image_id }))
const sidecar = async (env: McpTestEnv, id: string) => JSON.parse(await env.readText(`image://${id}/metadata`))
const png = (shade: number): GenerateResult => ({
  data: solidPng(8, 8, [shade, 0, 0]),
  contentType: "image/png",
  metadata: {},
})

/** Nothing was started or stored. */
async function expectNothingWritten(env: McpTestEnv): Promise<void> {
  expect(await env.services.jobs.listUnfinished()).toEqual([])
  expect(await env.services.images.count()).toBe(0)
}

describe("n: several images from one call (docs/decisions.md#batches)", () => {
  test("each image has its own id and seed, they share a batch_id; the result keeps image_id as the first", async () => {
    await using env = await connect()
    const result = await env.call("generate_image", { prompt: "a fox", provider: "placeholder", n: 3 })
    const started = body(env, result)
    expect(started.image_ids).toHaveLength(3)
    expect(started.image_id).toBe(started.image_ids[0])
    expect(started.batch_id).toMatch(/^batch-[0-9a-f]{12}$/)
    expect(result.content.filter((c) => c.type === "resource_link").map((c) => "uri" in c && c.uri)).toEqual(
      started.image_ids.map((id: string) => `image://${id}/view`),
    )
    await env.services.jobs.idle()
    const batch = await status(env, started.batch_id)
    expect(batch).toMatchObject({
      status: "completed",
      batch_id: started.batch_id,
      image_ids: started.image_ids,
      completed: 3,
      generating: 0,
      failed: 0,
      cancelled: 0,
      progress: 1,
    })
    expect(batch.images).toEqual(started.image_ids.map((image_id: string) => ({ status: "completed", image_id })))
    const sidecars = await Promise.all(started.image_ids.map((id: string) => sidecar(env, id)))
    expect(sidecars.map((s) => [s.batch_id, s.batch_index])).toEqual([0, 1, 2].map((i) => [started.batch_id, i]))
    // Without a seed, a batch gets a random first seed and the ones after it, so its images differ.
    const [first] = sidecars.map((s) => s.seed)
    expect(sidecars.map((s) => s.seed)).toEqual([first, first + 1, first + 2])
    expect(new Set(sidecars.map((s) => s.provider_metadata.color)).size).toBe(3)
    for (const id of started.image_ids) expect((await status(env, id)).status).toBe("completed")
  })

  test("with a seed, image i uses seed+i: one image alone with that seed is the same picture", async () => {
    await using env = await connect()
    const { image_ids } = body(
      env,
      await env.call("generate_image", { prompt: "owl", provider: "placeholder", n: 2, seed: 10 }),
    )
    const alone = body(env, await env.call("generate_image", { prompt: "owl", provider: "placeholder", seed: 11 }))
    await env.services.jobs.idle()
    expect((await sidecar(env, image_ids[1])).seed).toBe(11)
    const bytes = async (id: string) => env.services.images.readOriginal(await env.services.images.require(id))
    expect(await bytes(alone.image_id)).toEqual(await bytes(image_ids[1]))
  })

  test.each([
    [0, "n must be a whole number from 1 to 4 (IMAGE_GENERATION_MCP_MAX_IMAGES_PER_CALL); got 0."],
    [5, "n must be a whole number from 1 to 4 (IMAGE_GENERATION_MCP_MAX_IMAGES_PER_CALL); got 5."],
    [2.5, "n must be a whole number from 1 to 4 (IMAGE_GENERATION_MCP_MAX_IMAGES_PER_CALL); got 2.5."],
    [-1, "n must be a whole number from 1 to 4 (IMAGE_GENERATION_MCP_MAX_IMAGES_PER_CALL); got -1."],
  ])("n=%p is refused with a clear error and nothing is started", async (n, message) => {
    await using env = await connect()
    for (const tool of ["generate_image", "transform_image"]) {
      const extra = tool === "transform_image" ? { reference_images: ["aaaaaaaaaaaa"] } : {}
      const result = await env.call(tool, { prompt: "x", provider: "placeholder", n, ...extra })
      expect(result.isError).toBe(true)
      expect(env.text(result)).toBe(message)
    }
    await expectNothingWritten(env)
  })

  test("MAX_IMAGES_PER_CALL lowers or raises the cap", async () => {
    await using low = await connect({ env: { [`${P}MAX_IMAGES_PER_CALL`]: "2" } })
    const refused = await low.call("generate_image", { prompt: "x", provider: "placeholder", n: 3 })
    expect(low.text(refused)).toBe(
      "n must be a whole number from 1 to 2 (IMAGE_GENERATION_MCP_MAX_IMAGES_PER_CALL); got 3.",
    )
    await expectNothingWritten(low)
    await using high = await connect({ env: { [`${P}MAX_IMAGES_PER_CALL`]: "6" } })
    const started = body(high, await high.call("generate_image", { prompt: "x", provider: "placeholder", n: 6 }))
    expect(started.image_ids).toHaveLength(6)
    await high.services.jobs.idle()
    expect((await status(high, started.batch_id)).completed).toBe(6)
  })

  test("a seed whose batch would pass the model's largest seed is refused before anything starts", async () => {
    await using env = await connect()
    const result = await env.call("generate_image", { prompt: "x", provider: "placeholder", n: 2, seed: 4294967295 })
    expect(env.text(result)).toBe(
      "seeds 4294967295 to 4294967296 (one per image) are too large for model 'placeholder' of placeholder, which takes 0 to 4294967295.",
    )
    await expectNothingWritten(env)
  })

  test("OpenAI batches natively: n images in one request, more than 10 split into requests of at most 10", async () => {
    await using openai = fakeOpenAI()
    await using env = await connect({
      env: {
        [`${P}OPENAI_API_KEY`]: "sk-test",
        [`${P}OPENAI_BASE_URL`]: openai.url,
        [`${P}MAX_IMAGES_PER_CALL`]: "12",
      },
    })
    const three = body(env, await env.call("generate_image", { prompt: "a logo", provider: "openai", n: 3 }))
    await env.services.jobs.idle()
    const generations = () => openai.requests.filter((r) => r.path === "/v1/images/generations")
    expect(generations().map((r) => (r.json as { n: number }).n)).toEqual([3])
    expect((await status(env, three.batch_id)).completed).toBe(3)
    // One ledger entry for the request; each image's metadata shows its share of it.
    for (const id of three.image_ids) expect((await sidecar(env, id)).cost).toMatchObject({ n: 3, provider: "openai" })
    const twelve = body(env, await env.call("generate_image", { prompt: "a logo", provider: "openai", n: 12 }))
    await env.services.jobs.idle()
    expect(
      generations()
        .map((r) => (r.json as { n: number }).n)
        .slice(1)
        .sort(),
    ).toEqual([10, 2].sort())
    expect((await status(env, twelve.batch_id)).completed).toBe(12)
  })

  test("SD WebUI batches natively: one job with batch_size n, each image with the seed the WebUI used", async () => {
    await using webui = fakeSdWebui()
    await using env = await connect({ env: { [`${P}SD_WEBUI_HOST`]: webui.url } })
    const started = body(env, await env.call("generate_image", { prompt: "cat", provider: "sd_webui", n: 3, seed: 70 }))
    await env.services.jobs.idle()
    const jobs = webui.calls("/sdapi/v1/txt2img")
    expect(jobs).toHaveLength(1)
    expect(jobs[0]?.body).toMatchObject({ batch_size: 3, seed: 70 })
    const seeds = await Promise.all(started.image_ids.map(async (id: string) => (await sidecar(env, id)).seed))
    expect(seeds).toEqual([70, 71, 72])
  })

  test("Gemini makes one request per image, each with its own seed", async () => {
    await using gemini = startFakeGemini()
    await using env = await connect({ env: { [`${P}GOOGLE_API_KEY`]: "g", [`${P}GEMINI_BASE_URL`]: gemini.url } })
    const started = body(env, await env.call("generate_image", { prompt: "a map", provider: "gemini", n: 3, seed: 5 }))
    await env.services.jobs.idle()
    const sent = gemini.requests.map((r) => r.body.generationConfig?.seed).sort()
    expect(sent).toEqual([5, 6, 7])
    expect((await status(env, started.batch_id)).completed).toBe(3)
  })

  test("requests of one call run at most as many at once as the provider tolerates; the rest say they wait", async () => {
    const holds = [gate(), gate(), gate(), gate()]
    let inFlight = 0
    let most = 0
    let calls = 0
    const slow = createFakeProvider({
      name: "slow",
      generate: async () => {
        const hold = holds[calls++] ?? gate()
        inFlight++
        most = Math.max(most, inFlight)
        await hold.promise
        inFlight--
        return png(calls)
      },
    })
    await using env = await connect({ deps: { extraProviders: [slow] } })
    const started = body(env, await env.call("generate_image", { prompt: "x", provider: "slow", n: 4 }))
    await waitFor(() => calls === 2, "two requests running")
    const batch = await status(env, started.batch_id)
    expect(batch.status).toBe("generating")
    expect(batch.images.map((i: { progress_message: string }) => i.progress_message)).toEqual([
      "",
      "",
      QUEUED_MESSAGE,
      QUEUED_MESSAGE,
    ])
    holds[0]?.resolve()
    await waitFor(() => calls === 3, "the third request started")
    for (const hold of holds) hold.resolve()
    await env.services.jobs.idle()
    expect(most).toBe(2)
    expect((await status(env, started.batch_id)).completed).toBe(4)
  })

  test("cancel one image of a native request: the request goes on for the others, the cancelled one keeps nothing", async () => {
    const hold = gate()
    const native = createFakeProvider({
      name: "native",
      models: [fakeModel("native-model", { max_batch_size: 4 })],
      generateBatch: async (_request, count) => {
        await hold.promise
        return Array.from({ length: count }, (_, i) => png(i + 1))
      },
    })
    await using env = await connect({ deps: { extraProviders: [native] } })
    const started = body(env, await env.call("generate_image", { prompt: "x", provider: "native", n: 3 }))
    const [a, b, c] = started.image_ids
    expect(body(env, await env.call("cancel_generation", { image_id: b }))).toEqual({
      status: "cancelled",
      image_id: b,
    })
    hold.resolve()
    await env.services.jobs.idle()
    expect(native.batches).toEqual([3])
    expect(await status(env, b)).toEqual({ status: "cancelled", image_id: b, error: CANCELLED_MESSAGE })
    expect(await env.services.images.get(b)).toBeUndefined()
    expect((await env.services.images.get(a))?.batchIndex).toBe(0)
    expect((await env.services.images.get(c))?.batchIndex).toBe(2)
    expect(await status(env, started.batch_id)).toMatchObject({ status: "completed", completed: 2, cancelled: 1 })
  })

  test("cancelling every image of a request aborts it; cancel_generation with the batch_id stops the whole batch", async () => {
    let aborted = 0
    const native = createFakeProvider({
      name: "native",
      models: [fakeModel("native-model", { max_batch_size: 2 })],
      generateBatch: (_request, _count, signal) =>
        new Promise((_resolve, reject) =>
          signal.addEventListener("abort", () => {
            aborted++
            reject(signal.reason)
          }),
        ),
    })
    await using env = await connect({ deps: { extraProviders: [native] } })
    const started = body(env, await env.call("generate_image", { prompt: "x", provider: "native", n: 4 }))
    await waitFor(() => native.batches.length === 2, "both requests running")
    const [a, b] = started.image_ids
    await env.call("cancel_generation", { image_id: a })
    expect(aborted).toBe(0)
    await env.call("cancel_generation", { image_id: b })
    await waitFor(() => aborted === 1, "the first request aborted")
    const rest = body(env, await env.call("cancel_generation", { image_id: started.batch_id }))
    expect(rest).toEqual({
      status: "cancelled",
      batch_id: started.batch_id,
      cancelled_image_ids: started.image_ids.slice(2),
    })
    await env.services.jobs.idle()
    expect(aborted).toBe(2)
    expect(await status(env, started.batch_id)).toMatchObject({ status: "cancelled", cancelled: 4 })
    const again = body(env, await env.call("cancel_generation", { image_id: started.batch_id }))
    expect(again).toEqual({ status: "finished", batch_id: started.batch_id, cancelled_image_ids: [] })
    const unknown = await env.call("cancel_generation", { image_id: "batch-000000000000" })
    expect(unknown.isError).toBe(true)
    expect(env.text(unknown)).toBe("No batch with id 'batch-000000000000' is known.")
    expect((await status(env, "batch-000000000000")).status).toBe("unknown")
  })

  test("a failed request fails its images with the reason; a batch with nothing made is failed", async () => {
    const failing = createFakeProvider({
      name: "failing",
      generate: async () => Promise.reject(new ProviderError("failing", "API error (HTTP 500): boom")),
    })
    await using env = await connect({ deps: { extraProviders: [failing] } })
    const started = body(env, await env.call("generate_image", { prompt: "x", provider: "failing", n: 2 }))
    await env.services.jobs.idle()
    const batch = await status(env, started.batch_id)
    expect(batch).toMatchObject({ status: "failed", failed: 2, completed: 0 })
    expect(batch.images[0]).toEqual({
      status: "failed",
      image_id: started.image_id,
      error: "[failing] API error (HTTP 500): boom",
    })
  })

  test("a budget that cannot take every image refuses the whole call before any request", async () => {
    await using dir = await tmpdir()
    const prices = join(dir.path, "prices.toml")
    await writeFile(prices, '[[price]]\nprovider = "paid"\nmodel = "paid-model"\nusd = 0.25\n')
    const paid = createFakeProvider({ name: "paid", models: [fakeModel("paid-model")] })
    await using env = await connect({
      dir,
      env: { [`${P}PRICES_FILE`]: prices, [`${P}DAILY_BUDGET_USD`]: "0.6" },
      deps: { extraProviders: [paid] },
    })
    const refused = await env.call("generate_image", { prompt: "x", provider: "paid", model: "paid-model", n: 3 })
    expect(refused.isError).toBe(true)
    expect(env.text(refused)).toStartWith("This call would cost about $0.75, but only $0.60")
    expect(paid.requests).toEqual([])
    await expectNothingWritten(env)
    const usage = JSON.parse(env.text(await env.call("get_usage")))
    expect(usage.total).toMatchObject({ cost_usd: 0, reserved_usd: 0 })
    const two = body(
      env,
      await env.call("generate_image", { prompt: "x", provider: "paid", model: "paid-model", n: 2 }),
    )
    await env.services.jobs.idle()
    expect((await status(env, two.batch_id)).completed).toBe(2)
    expect(JSON.parse(env.text(await env.call("get_usage"))).total).toMatchObject({ cost_usd: 0.5 })
  })

  test("with a progress token the call waits for the whole batch and links every image made", async () => {
    await using env = await connect()
    const progress: number[] = []
    const result = (await env.client.callTool(
      { name: "generate_image", arguments: { prompt: "x", provider: "placeholder", n: 2 } },
      undefined,
      { onprogress: (p) => progress.push(p.progress) },
    )) as CallToolResult
    const done = body(env, result)
    expect(done).toMatchObject({ status: "completed", completed: 2, failed: 0 })
    expect(done.images.map((i: { status: string }) => i.status)).toEqual(["completed", "completed"])
    expect(result.content.filter((c) => c.type === "resource_link")).toHaveLength(2)
    expect(progress.length).toBeGreaterThan(0)
  })
})
