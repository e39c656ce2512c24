// Live previews from the SD WebUI: /internal/progress hands out the running task's preview when asked, and the
// provider asks at a modest rate, only for its own job, only when previews are wanted.
import { describe, expect, test } from "bun:test"
import type { PreviewImage } from "@/providers/types"
import type { FakeJob, FakeSdWebui } from "../fixture/fake-sd-webui"
import { rejection, request, TXT2IMG, until, useFake } from "./sd-webui-harness"

const { fake, sd, replace } = useFake()

const ours = (f: FakeSdWebui = fake()): FakeJob | undefined => f.jobs.find((j) => j.client === "api")
const progress = async (f: FakeSdWebui, body: Record<string, unknown>) =>
  (await (await fetch(`${f.url}/internal/progress`, { method: "POST", body: JSON.stringify(body) })).json()) as {
    active: boolean
    live_preview: string | null
    id_live_preview: number
  }
const asked = (f: FakeSdWebui) =>
  f.calls("/internal/progress").filter((r) => (r.body as { live_preview?: boolean }).live_preview === true)
const bytesOf = (uri: string) => new Uint8Array(Buffer.from(uri.slice(uri.indexOf(",") + 1), "base64"))

/** Options that collect previews, with a signal the test may abort. */
function watching() {
  const previews: PreviewImage[] = []
  const controller = new AbortController()
  const options = { signal: controller.signal, onPreview: (p: PreviewImage) => previews.push(p) }
  return { previews, controller, options }
}

describe("the fake's live previews follow progress.py", () => {
  test("the running task gets a decodable preview when it asks; the same id again gets none; others get none", async () => {
    fake().set({ holdAtStep: 12 })
    const pending = fetch(`${fake().url}${TXT2IMG}`, {
      method: "POST",
      body: JSON.stringify({ force_task_id: "mine", steps: 20, width: 320, height: 192 }),
    })
    await until(() => fake().job("mine")?.stepsDone === 12, "job at step 12")
    const first = await progress(fake(), { id_task: "mine", id_live_preview: -1, live_preview: true })
    expect(first).toMatchObject({ active: true, id_live_preview: 1 })
    expect(first.live_preview).toStartWith("data:image/png;base64,")
    const bytes = bytesOf(first.live_preview ?? "")
    expect(await new Bun.Image(bytes).metadata()).toEqual({ width: 320, height: 192, format: "png" })
    const again = await progress(fake(), { id_task: "mine", id_live_preview: 1, live_preview: true })
    expect(again).toMatchObject({ active: true, live_preview: null, id_live_preview: 1 })
    expect(await progress(fake(), { id_task: "someone-else", id_live_preview: -1 })).toMatchObject({
      active: false,
      live_preview: null,
      id_live_preview: -1,
    })
    expect(fake().counters).toEqual({ previewDecodes: 1, previewEncodes: 1 })
    fake().release()
    expect((await pending).status).toBe(200)
  })

  test("live_previews_image_format decides the format; live_previews_enable off sends none", async () => {
    const jpeg = await replace({ livePreviewFormat: "jpeg" })
    jpeg.set({ holdAtStep: 11 })
    const held = fetch(`${jpeg.url}${TXT2IMG}`, { method: "POST", body: JSON.stringify({ force_task_id: "j" }) })
    await until(() => jpeg.job("j")?.stepsDone === 11, "job at step 11")
    const answer = await progress(jpeg, { id_task: "j", live_preview: true })
    expect(answer.live_preview).toStartWith("data:image/jpeg;base64,")
    expect((await new Bun.Image(bytesOf(answer.live_preview ?? "")).metadata()).format).toBe("jpeg")
    jpeg.release()
    await held

    const off = await replace({ livePreviews: false })
    off.set({ holdAtStep: 11 })
    const quiet = fetch(`${off.url}${TXT2IMG}`, { method: "POST", body: JSON.stringify({ force_task_id: "q" }) })
    await until(() => off.job("q")?.stepsDone === 11, "job at step 11")
    expect(await progress(off, { id_task: "q", live_preview: true })).toMatchObject({
      active: true,
      live_preview: null,
    })
    expect(off.counters).toEqual({ previewDecodes: 0, previewEncodes: 0 })
    off.release()
    await quiet
  })
})

describe("sd_webui live previews", () => {
  test("previews of our job reach onPreview, each new one once, and the final image is the result", async () => {
    fake().set({ stepMs: 4 })
    const { previews, options } = watching()
    const result = await sd({ previewIntervalMs: 0 }).generate(request(), options)
    const job = ours() as FakeJob
    expect(previews.length).toBeGreaterThanOrEqual(1)
    const [width, height] = job.size ?? [0, 0]
    for (const preview of previews) {
      expect(preview.contentType).toBe("image/png")
      expect(await new Bun.Image(preview.data).metadata()).toEqual({ width, height, format: "png" })
    }
    expect(new Set(previews.map((p) => Buffer.from(p.data).toString("base64"))).size).toBe(previews.length)
    // A poll in flight when the answer came may have made one more that nobody read.
    expect(fake().counters.previewEncodes - previews.length).toBeOneOf([0, 1])
    expect(result.contentType).toBe("image/png")
    expect(await new Bun.Image(result.data).metadata()).toMatchObject({ width, height })
    expect(previews.some((p) => Buffer.from(p.data).equals(Buffer.from(result.data)))).toBe(false)
  })

  test("asks at most once per previewIntervalMs, naming the last preview it got", async () => {
    fake().set({ stepMs: 4 })
    const { previews, options } = watching()
    await sd({ previewIntervalMs: 60_000 }).generate(request(), options)
    const polls = fake()
      .calls("/internal/progress")
      .filter((r) => (r.body as { id_task: string }).id_task === ours()?.taskId)
    expect(polls.length).toBeGreaterThan(3)
    expect(asked(fake())).toHaveLength(1)
    expect(asked(fake())[0]?.body).toMatchObject({ id_live_preview: -1 })
    expect(previews.length).toBeLessThanOrEqual(1)

    const { options: again } = watching()
    await sd({ previewIntervalMs: 0 }).generate(request(), again)
    const ids = asked(fake())
      .slice(1)
      .map((r) => (r.body as { id_live_preview: number }).id_live_preview)
    expect(ids[0]).toBe(-1)
    expect(ids.some((id) => id > 0)).toBe(true)
  })

  test("someone else's running job yields no preview; ours does once it runs", async () => {
    fake().set({ stepMs: 3 })
    const other = fake().otherJob({ steps: 40 })
    await other.started
    const seen: { other: string }[] = []
    const previews: PreviewImage[] = []
    await sd({ previewIntervalMs: 0 }).generate(request(), {
      signal: new AbortController().signal,
      onPreview: (p) => {
        previews.push(p)
        seen.push({ other: other.job.status })
      },
    })
    expect(asked(fake()).length).toBeGreaterThan(1)
    expect(previews.length).toBeGreaterThanOrEqual(1)
    expect(seen.every((s) => s.other === "done")).toBe(true)
  })

  test("a cancel while previews come stops them and interrupts our job", async () => {
    fake().set({ stepMs: 2, holdAtStep: 15 })
    const { previews, controller, options } = watching()
    const pending = sd({ previewIntervalMs: 0 }).generate(request(), options)
    await until(() => previews.length >= 1, "a first preview")
    const reason = new Error("cancelled")
    controller.abort(reason)
    expect(await rejection(pending)).toBe(reason)
    const count = previews.length
    await until(() => fake().interrupts.length === 1, "our job interrupted")
    await until(() => ours()?.status === "done", "our job ended")
    expect(previews.length).toBe(count)
  })

  test("a WebUI with live previews off, or a broken onPreview, still makes the image", async () => {
    const off = await replace({ livePreviews: false })
    off.set({ stepMs: 3 })
    const { previews, options } = watching()
    expect((await sd({ previewIntervalMs: 0 }).generate(request(), options)).contentType).toBe("image/png")
    expect(previews).toEqual([])
    expect(asked(off).length).toBeGreaterThan(0)

    const on = await replace({})
    on.set({ stepMs: 3 })
    const result = await sd({ previewIntervalMs: 0 }).generate(request(), {
      signal: new AbortController().signal,
      onPreview: () => {
        throw new Error("viewer broke")
      },
    })
    expect(result.contentType).toBe("image/png")
    expect(on.counters.previewEncodes).toBeGreaterThan(0)
  })
})
