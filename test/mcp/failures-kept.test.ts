import { describe, expect, test } from "bun:test"
import { INTERRUPTED_MESSAGE } from "@/core/jobs/jobs"
import { ProviderError } from "@/providers/errors"
import { createFakeProvider } from "../fixture/fake-provider"
import { tmpdir } from "../fixture/tmpdir"
import { connect, type McpTestEnv } from "../helpers/mcp"
import { waitFor } from "../helpers/wait"

const failing = createFakeProvider({
  name: "failing",
  generate: async () => Promise.reject(new ProviderError("failing", "API error (HTTP 500): boom")),
})
const never = createFakeProvider({ name: "never", generate: () => new Promise(() => {}) })

const status = async (env: McpTestEnv, image_id: string) =>
  JSON.parse(env.text(await env.call("check_generation_status", { image_id })))
const galleryItems = async (env: McpTestEnv) =>
  JSON.parse(env.text(await env.call("gallery_page", {}))).items as Record<string, unknown>[]

describe("failed and cancelled generations are kept (docs/decisions.md#failures-kept)", () => {
  test("a failure reads the same on every read, stays in the gallery and the list, and survives a restart", async () => {
    await using dir = await tmpdir()
    const failed = { status: "failed", image_id: "", error: "[failing] API error (HTTP 500): boom" }
    {
      await using env = await connect({ dir, deps: { extraProviders: [failing] } })
      const { image_id } = JSON.parse(env.text(await env.call("generate_image", { prompt: "x", provider: "failing" })))
      failed.image_id = image_id
      await env.services.jobs.idle()
      for (let read = 0; read < 3; read++) {
        expect(await status(env, image_id)).toEqual(failed)
        expect(await galleryItems(env)).toEqual([
          expect.objectContaining({ image_id, status: "failed", error: failed.error }),
        ])
      }
      expect(JSON.parse(await env.readText("image://list"))).toEqual([
        expect.objectContaining({ image_id, status: "failed" }),
      ])
    }
    await using restarted = await connect({ dir, deps: { self: { id: "a-later-server" } } })
    expect(await status(restarted, failed.image_id)).toEqual(failed)
    expect(await galleryItems(restarted)).toEqual([expect.objectContaining({ image_id: failed.image_id })])
  })

  test("delete_image removes a failed generation; a second delete is refused and changes nothing", async () => {
    await using env = await connect({ deps: { extraProviders: [failing] } })
    const { image_id } = JSON.parse(env.text(await env.call("generate_image", { prompt: "x", provider: "failing" })))
    await env.services.jobs.idle()
    const deleted = await env.call("delete_image", { image_id })
    expect(deleted.isError).toBeFalsy()
    expect(env.text(deleted)).toBe(`Deleted failed generation ${image_id} (prompt: 'x', provider: failing)`)
    expect((await status(env, image_id)).status).toBe("unknown")
    expect(await galleryItems(env)).toEqual([])
    const again = await env.call("delete_image", { image_id })
    expect(again.isError).toBe(true)
    expect(env.text(again)).toContain(`Image '${image_id}' not found`)
  })

  test("a running generation cannot be deleted: it is cancelled instead", async () => {
    await using env = await connect({ deps: { extraProviders: [never] } })
    const { image_id } = JSON.parse(env.text(await env.call("generate_image", { prompt: "x", provider: "never" })))
    const refused = await env.call("delete_image", { image_id })
    expect(refused.isError).toBe(true)
    expect((await status(env, image_id)).status).toBe("generating")
    await env.call("cancel_generation", { image_id })
    await env.services.jobs.idle()
    expect((await galleryItems(env))[0]).toMatchObject({ image_id, status: "cancelled" })
  })

  test("a job cut short by a crash is failed, interrupted by a server restart, on every read after it", async () => {
    await using dir = await tmpdir()
    const shortLease = { IMAGE_GENERATION_MCP_JOB_LEASE_S: "1" }
    const first = await connect({ dir, env: shortLease, deps: { extraProviders: [never] } })
    const { image_id } = JSON.parse(first.text(await first.call("generate_image", { prompt: "x", provider: "never" })))
    // The process dies: nothing is recorded on the way out, and its lease renewals stop.
    await first.services.storage.close()
    await first.services.jobs.shutdown(0)
    await using second = await connect({ dir, env: shortLease })
    await waitFor(async () => (await status(second, image_id)).status !== "generating", "the lapsed lease")
    for (let read = 0; read < 3; read++) {
      expect(await status(second, image_id)).toEqual({ status: "failed", image_id, error: INTERRUPTED_MESSAGE })
    }
    expect(await galleryItems(second)).toEqual([
      expect.objectContaining({ image_id, status: "failed", error: INTERRUPTED_MESSAGE }),
    ])
  })
})
