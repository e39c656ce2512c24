// The fake against what ComfyUI's own code does: validation answers, one prompt at a time, message shapes and
// order, targeted and global interrupts, queue deletion, history, uploads, the cache, sizes.
import { describe, expect, test } from "bun:test"
import { solidPng } from "@/providers/solid-png"
import { waitFor } from "../../helpers/wait"
import type { FakeComfyUi } from "./fake"
import { batchColour, seedColour } from "./fake/nodes"
import { useFake } from "./harness"

const { fake, replace } = useFake()

type Graph = Record<string, { class_type: string; inputs: Record<string, unknown> }>

function txt2img(overrides: { width?: number; height?: number; seed?: number; steps?: number; ckpt?: string } = {}) {
  return {
    "3": {
      class_type: "KSampler",
      inputs: {
        seed: overrides.seed ?? 5,
        steps: overrides.steps ?? 3,
        cfg: 8,
        sampler_name: "euler",
        scheduler: "normal",
        denoise: 1,
        model: ["4", 0],
        positive: ["6", 0],
        negative: ["7", 0],
        latent_image: ["5", 0],
      },
    },
    "4": {
      class_type: "CheckpointLoaderSimple",
      inputs: { ckpt_name: overrides.ckpt ?? "v1-5-pruned-emaonly.safetensors" },
    },
    "5": {
      class_type: "EmptyLatentImage",
      inputs: { width: overrides.width ?? 64, height: overrides.height ?? 64, batch_size: 1 },
    },
    "6": { class_type: "CLIPTextEncode", inputs: { text: "a cat", clip: ["4", 1] } },
    "7": { class_type: "CLIPTextEncode", inputs: { text: "", clip: ["4", 1] } },
    "8": { class_type: "VAEDecode", inputs: { samples: ["3", 0], vae: ["4", 2] } },
    "9": { class_type: "SaveImage", inputs: { filename_prefix: "ComfyUI", images: ["8", 0] } },
  } satisfies Graph
}

async function post(f: FakeComfyUi, path: string, body: unknown): Promise<Response> {
  return fetch(`${f.url}${path}`, { method: "POST", body: JSON.stringify(body) })
}

async function queuePrompt(f: FakeComfyUi, prompt: Graph, extra: Record<string, unknown> = {}) {
  const response = await post(f, "/prompt", { prompt, ...extra })
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}

/** A socket to the fake collecting its text messages. */
async function listen(f: FakeComfyUi, clientId: string) {
  const messages: { type: string; data: Record<string, unknown> }[] = []
  const ws = new WebSocket(`${f.url.replace("http", "ws")}/ws?clientId=${clientId}`)
  ws.addEventListener("message", (event) => {
    if (typeof event.data === "string") messages.push(JSON.parse(event.data))
  })
  await new Promise((resolve) => ws.addEventListener("open", resolve, { once: true }))
  return { messages, close: () => ws.close() }
}

describe("the fake validates prompts as execution.py does", () => {
  test("a checkpoint not in the list: 400 with prompt_outputs_failed_validation and the node's errors", async () => {
    const { status, body } = await queuePrompt(fake(), txt2img({ ckpt: "nope.safetensors" }))
    expect(status).toBe(400)
    expect(body.error).toEqual({
      type: "prompt_outputs_failed_validation",
      message: "Prompt outputs failed validation",
      // The output node's own reasons only: its inputs are fine, the checkpoint loader upstream is not.
      details: "",
      extra_info: {},
    })
    expect(body.node_errors).toMatchObject({
      "4": {
        class_type: "CheckpointLoaderSimple",
        dependent_outputs: ["9"],
        errors: [
          {
            type: "value_not_in_list",
            message: "Value not in list",
            details:
              "ckpt_name: 'nope.safetensors' not in ['v1-5-pruned-emaonly.safetensors', 'SDXL/juggernautXL_v9.safetensors', 'flux1-dev-fp8.safetensors']",
            extra_info: { input_name: "ckpt_name", received_value: "nope.safetensors" },
          },
        ],
      },
    })
  })

  test("unknown nodes, no outputs, bounds, missing inputs, type mismatches and missing files", async () => {
    const unknown = await queuePrompt(fake(), { ...txt2img(), "10": { class_type: "Upscaler9000", inputs: {} } })
    expect(unknown.body.error).toMatchObject({
      type: "invalid_prompt",
      message: "Cannot execute because node Upscaler9000 does not exist.",
      details: "Node ID '#10'",
    })
    const { "9": _save, ...headless } = txt2img()
    expect((await queuePrompt(fake(), headless)).body.error).toMatchObject({ type: "prompt_no_outputs" })
    const bad = txt2img({ steps: 0 })
    bad["5"].inputs = { width: 64, batch_size: 1 } as never
    bad["8"].inputs.vae = ["4", 1]
    const answer = await queuePrompt(fake(), bad)
    const errors = answer.body.node_errors as Record<string, { errors: { type: string; details: string }[] }>
    expect(errors["3"]?.errors).toEqual([
      expect.objectContaining({
        type: "value_smaller_than_min",
        details: "steps",
        message: "Value 0 smaller than min of 1",
      }),
    ])
    expect(errors["5"]?.errors).toEqual([
      expect.objectContaining({ type: "required_input_missing", details: "height" }),
    ])
    expect(errors["8"]?.errors).toEqual([
      expect.objectContaining({
        type: "return_type_mismatch",
        details: "vae, received_type(CLIP) mismatch input_type(VAE)",
      }),
    ])
    const load = { "1": { class_type: "LoadImage", inputs: { image: "missing.png" } } }
    const preview = { "2": { class_type: "PreviewImage", inputs: { images: ["1", 0] } } }
    const file = await queuePrompt(fake(), { ...load, ...preview })
    expect((file.body.node_errors as Record<string, { errors: unknown[] }>)["1"]?.errors).toEqual([
      expect.objectContaining({ type: "custom_validation_failed", details: "image - Invalid image file: missing.png" }),
    ])
  })
})

describe("the fake's batches follow nodes.py", () => {
  test("batch_size and RepeatLatentBatch's amount outside their bounds are refused as ComfyUI refuses them", async () => {
    const details = async (graph: Graph, node: string) => {
      const answer = await queuePrompt(fake(), graph)
      expect(answer.status).toBe(400)
      return (answer.body.node_errors as Record<string, { errors: { message: string; details: string }[] }>)[node]
        ?.errors
    }
    for (const [size, message] of [
      [0, "Value 0 smaller than min of 1"],
      [4097, "Value 4097 bigger than max of 4096"],
    ] as const) {
      const graph = txt2img()
      graph["5"].inputs.batch_size = size
      expect(await details(graph, "5")).toEqual([expect.objectContaining({ message, details: "batch_size" })])
    }
    const base = txt2img()
    base["3"].inputs.latent_image = ["10", 0]
    const repeated: Graph = {
      ...base,
      "10": { class_type: "RepeatLatentBatch", inputs: { samples: ["5", 0], amount: 65 } },
    }
    expect(await details(repeated, "10")).toEqual([
      expect.objectContaining({ message: "Value 65 bigger than max of 64", details: "amount" }),
    ])
    expect(fake().prompts()).toEqual([])
  })

  test("a batch of 2 repeated 2 times: four files in batch order, image k painted from the seed and k", async () => {
    const base = txt2img({ seed: 9 })
    base["5"].inputs.batch_size = 2
    base["3"].inputs.latent_image = ["10", 0]
    const graph: Graph = {
      ...base,
      "10": { class_type: "RepeatLatentBatch", inputs: { samples: ["5", 0], amount: 2 } },
    }
    const { body } = await queuePrompt(fake(), graph)
    const id = body.prompt_id as string
    await waitFor(() => fake().prompt(id)?.status === "success", "the batch")
    const history = (await (await fetch(`${fake().url}/history/${id}`)).json()) as Record<
      string,
      { outputs: Record<string, { images: { filename: string }[] }> }
    >
    const files = history[id]?.outputs["9"]?.images.map((i) => i.filename)
    expect(files).toEqual([1, 2, 3, 4].map((n) => `ComfyUI_0000${n}_.png`))
    for (const [k, name] of (files ?? []).entries()) {
      const bytes = new Uint8Array(await (await fetch(`${fake().url}/view?filename=${name}&type=output`)).arrayBuffer())
      expect(Buffer.from(bytes).equals(Buffer.from(solidPng(64, 64, batchColour(9, k))))).toBe(true)
    }
  })
})

describe("the fake's LatentFromBatch follows nodes.py and comfy/sample.py", () => {
  /** txt2img with EmptyLatentImage(batch_size) → LatentFromBatch(batch_index, length) → KSampler. */
  function picked(seed: number, batchSize: number, batchIndex: unknown, length: unknown): Graph {
    const base = txt2img({ seed })
    base["5"].inputs.batch_size = batchSize
    base["3"].inputs.latent_image = ["10", 0]
    return {
      ...base,
      "10": { class_type: "LatentFromBatch", inputs: { samples: ["5", 0], batch_index: batchIndex, length } },
    }
  }

  async function files(graph: Graph): Promise<Uint8Array[]> {
    const { body } = await queuePrompt(fake(), graph)
    const id = body.prompt_id as string
    await waitFor(() => fake().prompt(id)?.status === "success", "the prompt")
    const history = (await (await fetch(`${fake().url}/history/${id}`)).json()) as Record<
      string,
      { outputs: Record<string, { images: { filename: string }[] }> }
    >
    const names = history[id]?.outputs["9"]?.images.map((i) => i.filename) ?? []
    return Promise.all(
      names.map(async (name) => {
        const response = await fetch(`${fake().url}/view?filename=${name}&type=output`)
        return new Uint8Array(await response.arrayBuffer())
      }),
    )
  }
  const painted = (seed: number, k: number) => solidPng(64, 64, batchColour(seed, k))
  const same = (a: Uint8Array | undefined, b: Uint8Array) => Buffer.from(a ?? []).equals(Buffer.from(b))

  test("picking image k of a batch of k+1 makes image k of that batch alone; a slice keeps its draws", async () => {
    const [alone, ...rest] = await files(picked(21, 3, 2, 1))
    expect(rest).toEqual([])
    expect(same(alone, painted(21, 2))).toBe(true)
    expect(same(alone, painted(21, 0))).toBe(false)
    const slice = await files(picked(21, 4, 1, 2))
    expect(slice.map((f, k) => same(f, painted(21, k + 1)))).toEqual([true, true])
    // An index or length past the batch is clamped to it, as frombatch does.
    const clamped = await files(picked(21, 2, 5, 3))
    expect(clamped).toHaveLength(1)
    expect(same(clamped[0], painted(21, 1))).toBe(true)
  })

  test("RepeatLatentBatch after it repeats the picked draws by their span", async () => {
    const base = picked(8, 4, 1, 2)
    const graph: Graph = {
      ...base,
      "3": { ...txt2img({ seed: 8 })["3"], inputs: { ...txt2img({ seed: 8 })["3"].inputs, latent_image: ["11", 0] } },
      "11": { class_type: "RepeatLatentBatch", inputs: { samples: ["10", 0], amount: 2 } },
    }
    const out = await files(graph)
    expect(out.map((f, k) => same(f, painted(8, [1, 2, 3, 4][k] ?? -1)))).toEqual([true, true, true, true])
  })

  test("batch_index outside 0..63 and length outside 1..64 are refused as ComfyUI refuses them", async () => {
    for (const [index, length, message, details] of [
      [-1, 1, "Value -1 smaller than min of 0", "batch_index"],
      [64, 1, "Value 64 bigger than max of 63", "batch_index"],
      [0, 0, "Value 0 smaller than min of 1", "length"],
      [0, 65, "Value 65 bigger than max of 64", "length"],
    ] as const) {
      const answer = await queuePrompt(fake(), picked(1, 2, index, length))
      expect(answer.status).toBe(400)
      const errors = (answer.body.node_errors as Record<string, { errors: unknown[] }>)["10"]?.errors
      expect(errors).toEqual([expect.objectContaining({ message, details })])
    }
    const info = (await (await fetch(`${fake().url}/object_info/LatentFromBatch`)).json()) as Record<string, unknown>
    expect(info).toMatchObject({
      LatentFromBatch: {
        input: {
          required: {
            samples: ["LATENT", {}],
            batch_index: ["INT", { default: 0, min: 0, max: 63 }],
            length: ["INT", { default: 1, min: 1, max: 64 }],
          },
        },
        output: ["LATENT"],
        category: "latent/batch",
      },
    })
    expect(fake().prompts()).toEqual([])
  })
})

describe("the fake runs prompts as the prompt worker does", () => {
  test("one at a time in number order; messages to the client only; history and the saved image the latent's size", async () => {
    const ours = await listen(fake(), "us")
    const theirs = await listen(fake(), "them")
    fake().set({ stepMs: 5 })
    const first = await queuePrompt(fake(), txt2img({ width: 200, height: 96, seed: 300 }), { client_id: "us" })
    const second = await queuePrompt(fake(), txt2img({ seed: 1 }), { client_id: "them" })
    expect(first.body).toMatchObject({ number: 0, node_errors: {} })
    expect(second.body.number).toBe(1)
    const id = first.body.prompt_id as string
    await waitFor(() => fake().prompt(second.body.prompt_id as string)?.status === "success", "both done")
    const a = fake().prompt(id)
    const b = fake().prompt(second.body.prompt_id as string)
    expect((b?.startedAt ?? 0) >= (a?.endedAt ?? Number.POSITIVE_INFINITY)).toBe(true)
    await waitFor(() => ours.messages.some((m) => m.type === "executing" && m.data.node === null), "final executing")
    const types = ours.messages.filter((m) => m.data.prompt_id === id).map((m) => m.type)
    expect(types.filter((t) => t !== "progress_state")).toEqual([
      "execution_start",
      "execution_cached",
      ...["executing", "executing", "executing", "executing", "executing"],
      "progress",
      "progress",
      "progress",
      ...["executing", "executing", "executed", "execution_success", "executing"],
    ])
    expect(ours.messages.find((m) => m.type === "progress")?.data).toEqual({
      value: 1,
      max: 3,
      prompt_id: id,
      node: "3",
    })
    expect(theirs.messages.some((m) => m.data.prompt_id === id)).toBe(false)
    expect(ours.messages[0]).toEqual({
      type: "status",
      data: { status: { exec_info: { queue_remaining: 0 } }, sid: "us" },
    })
    const history = (await (await fetch(`${fake().url}/history/${id}`)).json()) as Record<
      string,
      Record<string, unknown>
    >
    const entry = history[id] as { outputs: Record<string, { images: unknown[] }>; status: Record<string, unknown> }
    expect(entry.outputs["9"]?.images).toEqual([{ filename: "ComfyUI_00001_.png", subfolder: "", type: "output" }])
    expect(entry.status).toMatchObject({ status_str: "success", completed: true })
    const view = await fetch(`${fake().url}/view?filename=ComfyUI_00001_.png&subfolder=&type=output`)
    const bytes = new Uint8Array(await view.arrayBuffer())
    expect(Buffer.from(bytes).equals(Buffer.from(solidPng(200, 96, seedColour(300))))).toBe(true)
    ours.close()
    theirs.close()
  })

  test("an unchanged prompt is served from the cache: execution_cached lists every node, the history keeps the image", async () => {
    const first = await queuePrompt(fake(), txt2img())
    await waitFor(() => fake().prompt(first.body.prompt_id as string)?.status === "success", "first run")
    const again = await queuePrompt(fake(), txt2img())
    const id = again.body.prompt_id as string
    await waitFor(() => fake().prompt(id)?.status === "success", "second run")
    expect(fake().prompt(id)?.cached.sort()).toEqual(["3", "4", "5", "6", "7", "8", "9"])
    expect(fake().prompt(id)?.stepsDone).toBe(0)
    const history = (await (await fetch(`${fake().url}/history/${id}`)).json()) as Record<string, { outputs: object }>
    expect(history[id]?.outputs).toEqual({
      "9": { images: [{ filename: "ComfyUI_00001_.png", subfolder: "", type: "output" }] },
    })
  })

  test("/interrupt with a prompt_id stops only that prompt; without one whatever runs; while idle it is lost", async () => {
    await post(fake(), "/interrupt", {})
    expect(fake().interrupts).toEqual([{ promptId: null, running: null, applied: true }])
    const clean = await queuePrompt(fake(), txt2img())
    await waitFor(() => fake().prompt(clean.body.prompt_id as string)?.status === "success", "not interrupted")
    const other = await fake().otherClient({ holdAtStep: 1 })
    await waitFor(() => fake().prompt(other.promptId)?.stepsDone === 1, "other prompt sampling")
    await post(fake(), "/interrupt", { prompt_id: "not-running" })
    expect(fake().interrupts.at(-1)).toEqual({ promptId: "not-running", running: other.promptId, applied: false })
    await post(fake(), "/interrupt", { prompt_id: other.promptId })
    await waitFor(() => fake().prompt(other.promptId)?.status === "interrupted", "targeted interrupt")
    const history = (await (await fetch(`${fake().url}/history/${other.promptId}`)).json()) as Record<
      string,
      { status: { status_str: string; messages: [string, unknown][] } }
    >
    expect(history[other.promptId]?.status.status_str).toBe("error")
    expect(history[other.promptId]?.status.messages.map(([event]) => event)).toContain("execution_interrupted")
  })

  test("a legacy ComfyUI picks its own prompt_id and interrupts globally; POST /queue delete removes a waiting prompt", async () => {
    await replace({ legacy: true })
    const mine = await queuePrompt(fake(), txt2img(), { prompt_id: "chosen-id" })
    expect(mine.body.prompt_id).not.toBe("chosen-id")
    const other = await fake().otherClient({ holdAtStep: 0 })
    await waitFor(() => fake().queue.running?.promptId === other.promptId, "other running")
    const waiting = await queuePrompt(fake(), txt2img({ seed: 9 }))
    await post(fake(), "/queue", { delete: [waiting.body.prompt_id] })
    expect(fake().prompt(waiting.body.prompt_id as string)?.status).toBe("deleted")
    await post(fake(), "/interrupt", { prompt_id: "anything" })
    await waitFor(() => fake().prompt(other.promptId)?.status === "interrupted", "global interrupt")
  })

  test("uploads: same name and bytes reuse the file, other bytes get a numbered name; /upload/mask needs the original", async () => {
    const upload = async (path: string, bytes: Uint8Array, name: string, extra: Record<string, string> = {}) => {
      const form = new FormData()
      form.append("image", new Blob([bytes], { type: "image/png" }), name)
      for (const [k, v] of Object.entries(extra)) form.append(k, v)
      return (await (await fetch(`${fake().url}${path}`, { method: "POST", body: form })).json()) as Record<
        string,
        unknown
      >
    }
    const red = solidPng(4, 4, [255, 0, 0])
    expect(await upload("/upload/image", red, "a.png")).toEqual({ name: "a.png", subfolder: "", type: "input" })
    expect((await upload("/upload/image", red, "a.png")).name).toBe("a.png")
    expect((await upload("/upload/image", solidPng(4, 4, [0, 0, 255]), "a.png")).name).toBe("a (1).png")
    const ref = JSON.stringify({ filename: "gone.png", type: "input" })
    expect((await upload("/upload/mask", solidPng(4, 4, [0, 0, 0], 0), "m.png", { original_ref: ref })).name).toBe(
      "m.png",
    )
    expect(fake().folders.input.has("m.png")).toBe(false)
  })
})
