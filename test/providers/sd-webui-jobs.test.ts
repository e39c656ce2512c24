// One WebUI, one job at a time, a global interrupt: cancel, time-out and progress must concern our job only.
import { describe, expect, test } from "bun:test"
import type { AppError } from "@/core/errors"
import type { FakeJob, FakeSdWebui } from "../fixture/fake-sd-webui"
import { rejection, request, TXT2IMG, until, useFake } from "./sd-webui-harness"

const { fake, sd, replace } = useFake()

const ours = (f: FakeSdWebui = fake()): FakeJob | undefined => f.jobs.find((j) => j.client === "api")
const post = (f: FakeSdWebui, body: Record<string, unknown>, signal?: AbortSignal) =>
  fetch(`${f.url}${TXT2IMG}`, { method: "POST", body: JSON.stringify(body), signal })
const internal = async (f: FakeSdWebui, id: string) =>
  (
    await fetch(`${f.url}/internal/progress`, {
      method: "POST",
      body: JSON.stringify({ id_task: id, live_preview: false }),
    })
  ).json()

describe("the fake behaves like the WebUI", () => {
  test("one FIFO queue: a second request waits for the first; /internal/progress tells queued from active", async () => {
    fake().set({ holdAtStep: 1 })
    const first = post(fake(), { force_task_id: "a", steps: 3 })
    await until(() => fake().job("a")?.status === "active", "first job running")
    const second = post(fake(), { force_task_id: "b", steps: 3 })
    await until(() => fake().job("b") !== undefined, "second job queued")
    expect(await internal(fake(), "a")).toMatchObject({ active: true, queued: false, completed: false })
    expect(await internal(fake(), "b")).toMatchObject({
      active: false,
      queued: true,
      completed: false,
      textinfo: "In queue: 1/1",
    })
    fake().release()
    expect((await first).status).toBe(200)
    expect((await second).status).toBe(200)
    expect(await internal(fake(), "a")).toMatchObject({ active: false, completed: true })
    expect((fake().job("b")?.startedAt ?? 0) >= (fake().job("a")?.endedAt ?? Number.POSITIVE_INFINITY)).toBe(true)
  })

  test("a job whose client hung up still runs to its end", async () => {
    fake().set({ holdAtStep: 1 })
    const controller = new AbortController()
    const pending = post(fake(), { force_task_id: "gone", steps: 2 }, controller.signal).catch(() => "hung up")
    await until(() => fake().job("gone")?.status === "active", "job running")
    controller.abort()
    expect(await pending).toBe("hung up")
    await until(() => fake().job("gone")?.disconnected === true, "disconnect seen")
    fake().release()
    await until(() => fake().job("gone")?.status === "done", "job finished anyway")
    expect(fake().job("gone")).toMatchObject({ interrupted: false, stepsDone: 2 })
  })

  test("interrupt is global: the running job returns 200 with a partial image; one sent while idle is lost", async () => {
    await fetch(`${fake().url}/sdapi/v1/interrupt`, { method: "POST" })
    expect(fake().interrupts).toEqual([{ at: expect.any(Number), active: null }])
    const clean = (await (
      await post(fake(), { force_task_id: "after-idle", steps: 2, width: 64, height: 64 })
    ).json()) as {
      images: string[]
    }
    expect(clean.images).toHaveLength(1)
    expect(fake().job("after-idle")?.interrupted).toBe(false)
    fake().set({ holdAtStep: 1 })
    const victim = post(fake(), { force_task_id: "victim", steps: 4, width: 64, height: 64 })
    await until(() => fake().job("victim")?.stepsDone === 1, "victim sampling")
    await fetch(`${fake().url}/sdapi/v1/interrupt`, { method: "POST" })
    const answer = await victim
    expect(answer.status).toBe(200)
    expect(((await answer.json()) as { images: string[] }).images).toHaveLength(1)
    expect(fake().job("victim")).toMatchObject({ interrupted: true, stepsDone: 1 })
  })

  test("/sdapi/v1/progress is global and decodes a preview whatever skip_current_image says; encoding is what it skips", async () => {
    fake().set({ holdAtStep: 12 })
    const other = fake().otherJob({ steps: 20, holdAtStep: 12 })
    await until(() => other.job.stepsDone === 12, "someone else's job at step 12")
    const skip = await (await fetch(`${fake().url}/sdapi/v1/progress?skip_current_image=true`)).json()
    expect(skip).toMatchObject({
      progress: 0.61,
      current_image: null,
      state: { job: other.job.taskId, sampling_step: 12 },
    })
    expect(fake().counters).toEqual({ previewDecodes: 1, previewEncodes: 0 })
    await fetch(`${fake().url}/sdapi/v1/progress?skip_current_image=false`)
    expect(fake().counters).toEqual({ previewDecodes: 1, previewEncodes: 1 })
    fake().release()
    await other.finished
  })

  test("/internal/progress exists only when the UI runs (not with --nowebui)", async () => {
    const apiOnly = await replace({ ui: false })
    expect((await fetch(`${apiOnly.url}/internal/progress`, { method: "POST", body: "{}" })).status).toBe(404)
  })
})

describe("cancel stops our job and never someone else's", () => {
  test("cancelled while queued: rejected at once, the running job is left alone, ours is interrupted when it starts", async () => {
    fake().set({ stepMs: 5 })
    const other = fake().otherJob({ steps: 6, holdAtStep: 3 })
    await other.started
    const controller = new AbortController()
    const reason = new Error("cancelled by the user")
    const pending = sd().generate(request(), { signal: controller.signal })
    await until(() => ours()?.status === "queued" && fake().calls("/internal/progress").length >= 2, "our job queued")
    const cancelledAt = performance.now()
    controller.abort(reason)
    expect(await rejection(pending)).toBe(reason)
    expect(performance.now() - cancelledAt).toBeLessThan(500)
    await until(() => other.job.stepsDone === 3, "the other job still running")
    expect(fake().interrupts).toEqual([])
    other.release()
    await other.finished
    expect(other.job).toMatchObject({ interrupted: false, stepsDone: 6, status: "done" })
    await until(() => ours()?.status === "done", "our abandoned job ended")
    expect(ours()?.interrupted).toBe(true)
    expect(fake().interrupts.map((i) => i.active)).toEqual([ours()?.taskId ?? "?"])
  })

  test("cancelled while running: our job is interrupted, and only while it is the active one", async () => {
    fake().set({ holdAtStep: 2 })
    const controller = new AbortController()
    const pending = sd().generate(request(), { signal: controller.signal })
    await until(() => ours()?.stepsDone === 2, "our job sampling")
    controller.abort(new Error("stop"))
    expect((await rejection(pending)) as Error).toHaveProperty("message", "stop")
    await until(() => fake().interrupts.length === 1, "interrupt sent")
    expect(fake().interrupts[0]?.active).toBe(ours()?.taskId)
    await until(() => ours()?.status === "done", "our job ended")
    expect(ours()).toMatchObject({ interrupted: true, disconnected: true })
  })

  test("a cancel during someone else's job, then theirs and ours finishing: nothing but our job is ever interrupted", async () => {
    fake().set({ stepMs: 2 })
    const first = fake().otherJob({ steps: 30 })
    const controller = new AbortController()
    const pending = sd().generate(request(), { signal: controller.signal })
    await until(() => ours()?.status === "queued", "ours queued behind the other")
    const second = fake().otherJob({ steps: 30 })
    controller.abort(new Error("never mind"))
    await rejection(pending)
    await Promise.all([first.finished, second.finished])
    expect([first.job.interrupted, second.job.interrupted]).toEqual([false, false])
    expect(fake().interrupts.every((i) => i.active === ours()?.taskId)).toBe(true)
  })
})

describe("the time-out counts from our job's start", () => {
  test("time spent queued does not count; a job running past it is interrupted and reported as timed out", async () => {
    const other = fake().otherJob({ steps: 1, holdAtStep: 0 })
    await other.started
    fake().set({ holdAtStep: 1 })
    const pending = sd({ timeoutMs: 200 }).generate(request(), { signal: new AbortController().signal })
    await until(() => ours()?.status === "queued", "ours queued")
    const queuedSince = performance.now()
    await until(() => performance.now() - queuedSince > 600, "three time-outs' worth of waiting")
    expect(ours()?.status).toBe("queued")
    other.release()
    await other.finished
    const error = (await rejection(pending)) as AppError
    const job = ours() as FakeJob
    expect(error.kind).toBe("unavailable")
    expect(error.message).toContain("SD WebUI job timed out: it ran for more than 0.2s")
    expect(error.message).toContain("and was interrupted on the WebUI")
    expect(performance.now() - (job.startedAt ?? 0)).toBeGreaterThanOrEqual(200)
    await until(() => job.status === "done", "our job ended")
    expect(job.interrupted).toBe(true)
    expect(fake().interrupts.map((i) => i.active)).toEqual([job.taskId])
    expect(other.job.interrupted).toBe(false)
  })

  test("a job that finishes in time is not affected by the time-out", async () => {
    fake().set({ stepMs: 1 })
    const result = await sd({ timeoutMs: 5000 }).generate(request(), { signal: new AbortController().signal })
    expect(result.contentType).toBe("image/png")
    expect(fake().interrupts).toEqual([])
  })
})

describe("progress is our job's only", () => {
  test("while someone else's job runs we only say we wait; steps are reported once ours runs", async () => {
    fake().set({ stepMs: 3 })
    const other = fake().otherJob({ steps: 40 })
    await other.started
    const seen: { message: string; ours?: string; other: string }[] = []
    await sd().generate(request(), {
      signal: new AbortController().signal,
      onProgress: (_, message) => seen.push({ message, ours: ours()?.status, other: other.job.status }),
    })
    const steps = seen.filter((s) => s.message.startsWith("Step "))
    expect(seen.some((s) => s.message === "Waiting for other jobs on the SD WebUI to finish")).toBe(true)
    expect(steps.length).toBeGreaterThan(0)
    for (const s of steps) {
      expect(s.other).toBe("done")
      expect(["active", "done"]).toContain(s.ours ?? "none")
    }
    for (const s of seen.filter((x) => x.other === "active")) expect(s.message).not.toStartWith("Step ")
  })

  test("polls make the WebUI decode and encode no preview (live_preview false), unlike /sdapi/v1/progress", async () => {
    fake().set({ stepMs: 4 })
    const seen: string[] = []
    await sd().generate(request(), { signal: new AbortController().signal, onProgress: (_, m) => seen.push(m) })
    expect(seen.filter((m) => m.startsWith("Step ")).length).toBeGreaterThan(3)
    expect(
      fake()
        .calls("/internal/progress")
        .every((r) => (r.body as { live_preview: boolean }).live_preview === false),
    ).toBe(true)
    expect(
      fake()
        .calls("/sdapi/v1/progress")
        .every((r) => r.query.get("skip_current_image") === "true"),
    ).toBe(true)
    expect(fake().counters).toEqual({ previewDecodes: 0, previewEncodes: 0 })
  })

  test("a throwing progress callback does not break the generation", async () => {
    fake().set({ stepMs: 2 })
    const result = await sd().generate(request(), {
      signal: new AbortController().signal,
      onProgress: () => {
        throw new Error("callback broke")
      },
    })
    expect(result.contentType).toBe("image/png")
  })
})

describe("someone else interrupting our job", () => {
  test("the partial image is refused, not stored as a result", async () => {
    fake().set({ holdAtStep: 3 })
    const pending = sd().generate(request(), { signal: new AbortController().signal })
    await until(() => ours()?.stepsDone === 3, "our job sampling")
    await fetch(`${fake().url}/sdapi/v1/interrupt`, { method: "POST" })
    const error = (await rejection(pending)) as AppError
    expect(error.code).toBe("interrupted_upstream")
    expect(error.message).toContain("interrupted before it finished")
  })
})

describe("WebUIs that cannot tell our job from another never get an interrupt", () => {
  test("--nowebui: cancel hangs up and lets the job finish; progress says it cannot be followed", async () => {
    const apiOnly = await replace({ ui: false })
    apiOnly.set({ holdAtStep: 1 })
    const controller = new AbortController()
    const seen: string[] = []
    const provider = sd()
    const pending = provider.generate(request(), { signal: controller.signal, onProgress: (_, m) => seen.push(m) })
    await until(() => ours(apiOnly)?.stepsDone === 1 && seen.length > 0, "job running")
    controller.abort(new Error("cancel"))
    await rejection(pending)
    await until(() => ours(apiOnly)?.disconnected === true, "hung up")
    apiOnly.release()
    await until(() => ours(apiOnly)?.status === "done", "finished on its own")
    await provider.idle()
    expect(apiOnly.interrupts).toEqual([])
    expect(ours(apiOnly)?.interrupted).toBe(false)
    expect(seen).toEqual(["Running on the SD WebUI (it does not report this job's progress)"])
  })

  test("--nowebui: the time-out counts from sending and does not interrupt", async () => {
    const apiOnly = await replace({ ui: false })
    apiOnly.set({ holdAtStep: 1 })
    const error = (await rejection(
      sd({ timeoutMs: 150 }).generate(request(), { signal: new AbortController().signal }),
    )) as AppError
    expect(error.message).toContain("got no answer within 0.15s of being sent")
    expect(error.message).toContain("could not be interrupted safely")
    expect(apiOnly.interrupts).toEqual([])
    apiOnly.release()
  })

  test("SD.Next: /internal/progress never knows API jobs, so a cancelled job is not interrupted", async () => {
    const sdnext = await replace({ flavour: "sdnext" })
    sdnext.set({ holdAtStep: 1 })
    const controller = new AbortController()
    const provider = sd()
    const pending = provider.generate(request(), { signal: controller.signal })
    await until(() => ours(sdnext)?.stepsDone === 1, "job running")
    await until(() => sdnext.calls("/internal/progress").length >= 6, "several polls without a trace of our task")
    controller.abort(new Error("cancel"))
    await rejection(pending)
    await provider.idle()
    sdnext.release()
    await until(() => ours(sdnext)?.status === "done", "finished on its own")
    expect(sdnext.interrupts).toEqual([])
  })
})
