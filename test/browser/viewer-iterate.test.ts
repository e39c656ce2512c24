import { afterAll, afterEach, beforeAll, expect, test } from "bun:test"
import { ProviderError } from "@/providers/errors"
import { solidPng } from "@/providers/solid-png"
import type { GenerateResult } from "@/providers/types"
import { createFakeProvider, fakeModel } from "../fixture/fake-provider"
import { waitFor } from "../helpers/wait"
import { describeBrowser, type OpenWidget, startWidgetHost, type WidgetHost } from "./harness"

/** A provider that takes seeds and reports its model: its colour follows the seed, so seeds can be told apart. */
const seeded = createFakeProvider({
  name: "seeded",
  models: [fakeModel("seeded-1", { supports_seed: true, max_seed: 1000 })],
  generate: async (request): Promise<GenerateResult> => {
    const seed = request.seed ?? 0
    return {
      data: solidPng(24, 16, [seed % 256, 80, 40]),
      contentType: "image/png",
      metadata: { model: "seeded-1", seed },
    }
  },
})
/** Fails until `flaky.fixed` is set. */
const flaky = Object.assign(
  createFakeProvider({
    name: "flaky",
    generate: async () => {
      if (!flaky.fixed) throw new ProviderError("flaky", "the service is busy", { kind: "upstream_refused" })
      return { data: solidPng(8, 8, [1, 2, 3]), contentType: "image/png", metadata: {} }
    },
  }),
  { fixed: false },
)

const state = (w: OpenWidget, name: string) => w.frame.locator(`[data-state="${name}"]`).waitFor()
const text = async (w: OpenWidget, selector: string) => (await w.frame.locator(selector).textContent())?.trim()
const until = (check: () => boolean) => waitFor(check, "the widget")
const calls = (w: OpenWidget, name: string) => w.events.toolCalls.filter((c) => c.name === name)

describeBrowser("image viewer: seeds, batches, Regenerate and Variations", () => {
  let host: WidgetHost

  beforeAll(async () => {
    host = await startWidgetHost({ deps: { extraProviders: [seeded, flaky] } })
  })
  afterAll(async () => {
    await host?.close()
  })
  afterEach(async () => {
    await host?.closePages()
  })

  /** Generates through the server and waits until the images are stored. */
  async function generate(
    args: Record<string, unknown>,
  ): Promise<{ image_id: string; image_ids?: string[]; batch_id?: string }> {
    const started = JSON.parse(host.env.text(await host.env.call("generate_image", args)))
    await host.env.services.jobs.idle()
    return started
  }

  test("shows the seed, the model and the batch, and steps through the batch's images", async () => {
    const { image_ids = [], batch_id } = await generate({ prompt: "two foxes", provider: "seeded", n: 2, seed: 5 })
    const w = await host.open("viewer", { tool: "show_image", args: { uri: `image://${image_ids[1]}/view` } })
    await state(w, "completed")
    expect(await text(w, ".details")).toStartWith("seeded (seeded-1) · 24×16")
    expect(await text(w, ".provenance")).toBe("seed 6")
    await w.frame.getByText(`${batch_id} · 2 of 2`).waitFor()
    await w.screenshot("viewer-batch")
    await w.frame.getByRole("button", { name: "Previous image of the batch" }).click()
    await w.frame.getByText(`${batch_id} · 1 of 2`).waitFor()
    expect(await text(w, ".provenance")).toBe("seed 5")
    expect(await w.frame.getByRole("button", { name: "Previous image of the batch" }).count()).toBe(0)
    expect(calls(w, "show_image").at(-1)?.args).toEqual({ uri: `image://${image_ids[0]}/view` })
  })

  test("Regenerate makes the same generation again and shows the new image with where it came from", async () => {
    const { image_id } = await generate({ prompt: "an owl", provider: "seeded", seed: 42 })
    const w = await host.open("viewer", { tool: "show_image", args: { uri: `image://${image_id}/view` } })
    await state(w, "completed")
    await w.frame.getByRole("button", { name: "Regenerate" }).click()
    await w.frame.getByText(`seed 42 · regenerated from ${image_id}`).waitFor()
    expect(calls(w, "regenerate_image").map((c) => c.args)).toEqual([{ image_id }])
    const shown = String((calls(w, "show_image").at(-1)?.args as { uri?: string } | undefined)?.uri)
    const newId = shown.match(/^image:\/\/([0-9a-f]{12})/)?.[1] ?? ""
    expect(newId).not.toBe(image_id)
    expect(await host.env.services.images.get(newId)).toMatchObject({ regeneratedFrom: image_id, seed: 42 })
    await w.screenshot("viewer-regenerated")
  })

  test("Variations asks for as many fresh takes as the server allows and pages through them", async () => {
    const { image_id } = await generate({ prompt: "a heron", provider: "seeded", seed: 7 })
    const w = await host.open("viewer", { tool: "show_image", args: { uri: `image://${image_id}/view` } })
    await state(w, "completed")
    await w.frame.getByRole("button", { name: "Variations" }).click()
    await w.frame.getByText(/ · 1 of 4$/).waitFor()
    expect(calls(w, "get_server_info")).toHaveLength(1)
    expect(calls(w, "regenerate_image").map((c) => c.args)).toEqual([{ image_id, changes: { seed: null, n: 4 } }])
    const batchId = String(await w.frame.locator("[data-batch]").getAttribute("data-batch"))
    const made = await host.env.services.images.listBatch(batchId)
    expect(made).toHaveLength(4)
    expect(made.every((image) => image.regeneratedFrom === image_id)).toBe(true)
    expect(new Set(made.map((image) => image.seed)).size).toBe(4)
    await w.frame.getByRole("button", { name: "Next image of the batch" }).click()
    await w.frame.getByText(`${batchId} · 2 of 4`).waitFor()
    expect(await text(w, ".provenance")).toBe(`seed ${made[1]?.seed} · regenerated from ${image_id}`)
    await w.screenshot("viewer-variations")
  })

  test("a failed generation offers Try again, which regenerates it", async () => {
    const { image_id } = await generate({ prompt: "a crane", provider: "flaky" })
    const w = await host.open("viewer", { tool: "check_generation_status", args: { image_id } })
    await state(w, "failed")
    expect(await text(w, ".status-detail")).toContain("the service is busy")
    flaky.fixed = true
    await w.frame.getByRole("button", { name: "Try again" }).click()
    await state(w, "completed")
    expect(await text(w, ".provenance")).toBe(`regenerated from ${image_id}`)
    expect(calls(w, "regenerate_image").map((c) => c.args)).toEqual([{ image_id }])
  })

  test("a refused regenerate leaves the image shown and says why", async () => {
    const made = await generate({ prompt: "a stone", provider: "seeded", seed: 2 })
    // The model it was made with is not offered any more: the rerun is refused before anything starts.
    await host.env.services.store.images.upsert({
      ...(await host.env.services.images.require(made.image_id)),
      request: { model: "gone-model", strength: null, references: [], mask: null },
    })
    const w = await host.open("viewer", { tool: "show_image", args: { uri: `image://${made.image_id}/view` } })
    await state(w, "completed")
    await w.frame.getByRole("button", { name: "Regenerate" }).click()
    await until(() => w.dialogs.length > 0)
    expect(w.dialogs).toEqual([
      "Could not regenerate: Model 'gone-model' is not offered by provider 'seeded'. Available: seeded-1.",
    ])
    await state(w, "completed")
    expect(await w.frame.locator('[role="alert"].notice').textContent()).toContain("Could not regenerate")
  })
})

describeBrowser("image viewer: Variations under a lower cap", () => {
  let host: WidgetHost
  beforeAll(async () => {
    host = await startWidgetHost({
      env: { IMAGE_GENERATION_MCP_MAX_IMAGES_PER_CALL: "2" },
      deps: { extraProviders: [seeded] },
    })
  })
  afterAll(async () => {
    await host?.close()
  })

  test("asks for no more images than the server allows per call", async () => {
    const { image_id } = JSON.parse(
      host.env.text(await host.env.call("generate_image", { prompt: "a wren", provider: "seeded", seed: 3 })),
    )
    await host.env.services.jobs.idle()
    const w = await host.open("viewer", { tool: "show_image", args: { uri: `image://${image_id}/view` } })
    await state(w, "completed")
    await w.frame.getByRole("button", { name: "Variations" }).click()
    await w.frame.getByText(/ · 1 of 2$/).waitFor()
    expect(calls(w, "regenerate_image").map((c) => c.args)).toEqual([{ image_id, changes: { seed: null, n: 2 } }])
    await host.closePages()
  })
})
