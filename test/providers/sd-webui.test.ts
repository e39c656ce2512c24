import { describe, expect, test } from "bun:test"
import { AppError } from "@/core/errors"
import {
  ProviderAuthError,
  ProviderConnectionError,
  ProviderError,
  TooManyInputImagesError,
  UpstreamNotFoundError,
} from "@/providers/errors"
import { sdWebuiDefinition } from "@/providers/sd-webui"
import { createSdWebuiProvider, PROVIDER_NAME } from "@/providers/sd-webui/provider"
import { solidPng } from "@/providers/solid-png"
import { closedPortUrl, fakeSdWebui } from "../fixture/fake-sd-webui"
import { testProvider } from "./contract"
import { testUpstreamContract } from "./contract-upstream"
import { lastBody, live, png, rejection, request, TXT2IMG, useFake } from "./sd-webui-harness"

const AUTH = { username: "igm", password: "pa:ss w0rd-s3cret" }
const { fake, sd } = useFake({ auth: AUTH })

testProvider(PROVIDER_NAME, { provider: () => sd() })

testUpstreamContract(PROVIDER_NAME, {
  provider: (opts) => sd({ timeoutMs: opts?.timeoutMs }),
  unreachable: async () => createSdWebuiProvider({ host: await closedPortUrl() }),
  hangNext: () => fake().hangNext(),
  nonImageNext: () =>
    fake().answerNext(200, "<html><body>Bad gateway page</body></html>", { "content-type": "text/html" }),
  echoSecretNext: (secret) =>
    fake().answerNext(
      500,
      JSON.stringify({ error: "RuntimeError", detail: "", body: "", errors: `login ${secret} refused` }),
    ),
  secret: AUTH.password,
})

describe("sd_webui requests", () => {
  test("txt2img: the loaded checkpoint pinned by its title, its preset, our task id, Basic auth from the host URL", async () => {
    const result = await sd().generate(request({ negativePrompt: "blurry" }), live())
    const body = lastBody(fake(), TXT2IMG)
    expect(body).toEqual({
      prompt: "a lighthouse at dusk",
      width: 512,
      height: 512,
      steps: 30,
      seed: -1,
      sampler_name: "DPM++ 2M",
      scheduler: "Karras",
      cfg_scale: 7,
      force_task_id: expect.stringMatching(/^igm-[0-9a-f-]{36}$/),
      negative_prompt: "blurry",
      override_settings: { sd_model_checkpoint: "dreamshaper_8.safetensors [879db523c3]" },
    })
    const header = fake().calls(TXT2IMG)[0]?.authorization ?? ""
    expect(Buffer.from(header.replace("Basic ", ""), "base64").toString()).toBe(`${AUTH.username}:${AUTH.password}`)
    expect(await new Bun.Image(result.data).metadata()).toEqual({ width: 512, height: 512, format: "png" })
  })

  test("a WebUI whose samples_format is JPEG or WebP: the content type follows the bytes", async () => {
    const jpeg = await new Bun.Image(solidPng(8, 8, [5, 5, 5])).jpeg().bytes()
    const info = JSON.stringify({ seed: 1, job_timestamp: "x" })
    fake().answerNext(200, JSON.stringify({ images: [Buffer.from(jpeg).toString("base64")], parameters: {}, info }))
    expect((await sd().generate(request(), live())).contentType).toBe("image/jpeg")
    const webp = await new Bun.Image(solidPng(8, 8, [5, 5, 5])).webp().bytes()
    fake().answerNext(200, JSON.stringify({ images: [Buffer.from(webp).toString("base64")], parameters: {}, info }))
    expect((await sd().generate(request(), live())).contentType).toBe("image/webp")
  })

  test("quality and background are not sent; a mask or two references are refused before any request", async () => {
    await sd().generate(request({ quality: "hd", background: "transparent" }), live())
    expect(Object.keys(lastBody(fake(), TXT2IMG) ?? {})).not.toContain("quality")
    const before = fake().requests.length
    const ref = png(solidPng(8, 8, [1, 2, 3]))
    const masked = await rejection(sd().generate(request({ referenceImages: [ref], mask: ref }), live()))
    expect((masked as Error).message).toBe("[sd_webui] mask is not supported by this provider")
    const two = await rejection(sd().generate(request({ referenceImages: [ref, ref] }), live()))
    expect(two).toBeInstanceOf(TooManyInputImagesError)
    expect(fake().requests.length).toBe(before)
  })

  test("the WebUI's own job id format is not needed: each generation gets a fresh force_task_id", async () => {
    const provider = sd()
    await provider.generate(request(), live())
    await provider.generate(request(), live())
    const ids = fake()
      .calls(TXT2IMG)
      .map((r) => (r.body as { force_task_id: string }).force_task_id)
    expect(new Set(ids).size).toBe(2)
    expect(fake().jobs.map((j) => j.taskId)).toEqual(ids)
  })
})

describe("sd_webui errors from structured fields", () => {
  test("401 (--api-auth, wrong password) is a ProviderAuthError naming the setting, without the password", async () => {
    const host = fake().url.replace("http://", "http://igm:wrong-password-123@")
    const error = await rejection(createSdWebuiProvider({ host }).generate(request(), live()))
    expect(error).toBeInstanceOf(ProviderAuthError)
    expect((error as AppError).kind).toBe("unauthorized")
    expect((error as Error).message).toContain("Incorrect username or password")
    expect((error as Error).message).toContain("IMAGE_GENERATION_MCP_SD_WEBUI_HOST")
    expect((error as Error).message).not.toContain("wrong-password-123")
  })

  test("401 without credentials, as Forge answers it ({detail} and WWW-Authenticate)", async () => {
    await using forge = fakeSdWebui({ flavour: "forge", auth: AUTH })
    const error = await rejection(createSdWebuiProvider({ host: forge.url }).generate(request(), live()))
    expect(error).toBeInstanceOf(ProviderAuthError)
    expect((error as Error).message).toContain("Not authenticated")
  })

  test("404 on the API itself: start the WebUI with --api", async () => {
    fake().answerNext(404, JSON.stringify({ detail: "Not Found" }))
    const error = await rejection(sd().generate(request(), live()))
    expect((error as AppError).kind).toBe("unavailable")
    expect((error as Error).message).toContain("Start the WebUI with --api")
  })

  test("a WebUI without the API at all fails already when reading its options", async () => {
    const server = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch: () => Response.json({ detail: "Not Found" }, { status: 404 }),
    })
    try {
      const error = await rejection(
        createSdWebuiProvider({ host: `http://127.0.0.1:${server.port}` }).generate(request(), live()),
      )
      expect((error as Error).message).toContain(
        "has no API endpoint /sdapi/v1/options (HTTP 404). Start the WebUI with --api",
      )
    } finally {
      await server.stop(true)
    }
  })

  test("422 validation items are listed (pydantic v1 and v2 shapes)", async () => {
    fake().answerNext(
      422,
      JSON.stringify({
        detail: [{ loc: ["body", "width"], msg: "value is not a valid integer", type: "type_error.integer" }],
      }),
    )
    const v1 = await rejection(sd().generate(request(), live()))
    expect((v1 as Error).message).toContain("(HTTP 422): body.width: value is not a valid integer")
    expect((v1 as AppError).kind).toBe("upstream_refused")
    fake().answerNext(
      422,
      JSON.stringify({
        detail: [{ type: "int_parsing", loc: ["body", "steps"], msg: "Input should be a valid integer", input: "x" }],
      }),
    )
    expect(((await rejection(sd().generate(request(), live()))) as Error).message).toContain(
      "body.steps: Input should be a valid integer",
    )
  })

  test("the fake itself answers 422 for a field of the wrong type and ignores unknown keys", async () => {
    const post = (body: unknown) =>
      fetch(`${fake().url}${TXT2IMG}`, {
        method: "POST",
        headers: { authorization: `Basic ${btoa(`${AUTH.username}:${AUTH.password}`)}` },
        body: JSON.stringify(body),
      })
    const bad = await post({ width: "wide" })
    expect(bad.status).toBe(422)
    expect(await bad.json()).toEqual({
      detail: [{ loc: ["body", "width"], msg: "value is not a valid integer", type: "type_error.integer" }],
    })
    const extra = await post({ prompt: "x", not_a_field: 1, width: 64, height: 64, steps: 1 })
    expect(extra.status).toBe(200)
  })

  test("500 CUDA out of memory inside the job → a clear message; other 500s name the exception", async () => {
    fake().raiseNext("OutOfMemoryError", "CUDA out of memory. Tried to allocate 2.00 GiB")
    const oom = await rejection(sd().generate(request(), live()))
    expect((oom as AppError).code).toBe("out_of_memory")
    expect((oom as Error).message).toContain("ran out of GPU memory (CUDA out of memory. Tried to allocate 2.00 GiB)")
    expect((oom as Error).message).toContain("--medvram")
    fake().raiseNext("RuntimeError", "Expected all tensors to be on the same device")
    const other = await rejection(sd().generate(request(), live()))
    expect((other as Error).message).toContain(
      "failed with RuntimeError: Expected all tensors to be on the same device",
    )
  })

  test("Forge's exception body ({error, detail, body, message}) is read too", async () => {
    await using forge = fakeSdWebui({ flavour: "forge" })
    forge.raiseNext("OutOfMemoryError", "CUDA out of memory")
    const error = await rejection(
      createSdWebuiProvider({ host: forge.url, pollIntervalMs: 10 }).generate(request(), live()),
    )
    expect((error as Error).message).toContain("ran out of GPU memory (CUDA out of memory)")
  })

  test("a 502 from a proxy is 'unavailable'; a 200 without images says so", async () => {
    fake().answerNext(502, "<html>Bad Gateway</html>")
    const proxy = await rejection(sd().generate(request(), live()))
    expect(proxy).toBeInstanceOf(ProviderConnectionError)
    fake().answerNext(200, JSON.stringify({ images: [], parameters: {}, info: "{}" }))
    const empty = await rejection(sd().generate(request(), live()))
    expect((empty as Error).message).toContain("returned no image")
  })

  test("a refused connection names the host without its credentials", async () => {
    const host = (await closedPortUrl()).replace("http://", "http://admin:hunter2secret@")
    const error = await rejection(createSdWebuiProvider({ host }).generate(request(), live()))
    expect(error).toBeInstanceOf(ProviderConnectionError)
    expect((error as Error).message).toMatch(/^\[sd_webui\] Cannot connect to SD WebUI at http:\/\/127\.0\.0\.1:\d+: /)
    expect((error as Error).message).not.toContain("hunter2secret")
  })

  test("an unknown checkpoint is refused with the list, before anything is queued", async () => {
    const error = await rejection(sd().generate(request({ model: "realisticVision_v6" }), live()))
    expect(error).toBeInstanceOf(UpstreamNotFoundError)
    expect((error as Error).message).toBe(
      `[sd_webui] Checkpoint 'realisticVision_v6' is not listed by the SD WebUI at ${fake().url}. Available: dreamshaper_8.safetensors [879db523c3], v1-5-pruned-emaonly.safetensors, SDXL/juggernautXL_v9.safetensors, flux1-dev-bnb-nf4-v2.safetensors.`,
    )
    expect(fake().jobs).toHaveLength(0)
  })
})

describe("sd_webui discovery and doctor", () => {
  test("checkpoints become models: title as id, model_name as display name, capabilities from the architecture", async () => {
    const caps = await sd().discover()
    expect(caps.degraded).toBe(false)
    expect(
      caps.models.map((m) => [m.model_id, m.display_name, m.default_steps, m.default_cfg, m.max_resolution]),
    ).toEqual([
      ["dreamshaper_8.safetensors [879db523c3]", "dreamshaper_8", 30, 7, 912],
      ["v1-5-pruned-emaonly.safetensors", "v1-5-pruned-emaonly", 30, 7, 912],
      ["SDXL/juggernautXL_v9.safetensors", "SDXL_juggernautXL_v9", 30, 6, 1344],
      ["flux1-dev-bnb-nf4-v2.safetensors", "flux1-dev-bnb-nf4-v2", 20, 3.5, 1344],
    ])
    const flux = caps.models[3]
    expect(flux).toMatchObject({
      supports_negative_prompt: false,
      prompt_style: "natural_language",
      supports_image_input: true,
      max_input_images: 1,
    })
    expect(flux?.style_profile?.label).toStartWith("Flux 1 dev")
  })

  test("an unreachable or refusing WebUI gives a degraded discovery, not a throw", async () => {
    expect(await createSdWebuiProvider({ host: await closedPortUrl() }).discover()).toMatchObject({
      degraded: true,
      models: [],
    })
    expect(await createSdWebuiProvider({ host: fake().url }).discover()).toMatchObject({ degraded: true, models: [] })
  })

  test("SD_WEBUI_MODEL given as a file name or hash resolves to the listed title the core checks against", async () => {
    const provider = sd({ model: "c9e3e68f89" })
    expect(provider.defaultModel).toBe("c9e3e68f89")
    const juggernaut = fake().checkpoints.files.find((f) => f.path.includes("juggernaut"))
    if (juggernaut) juggernaut.hashed = true
    await provider.discover()
    expect(provider.defaultModel).toBe("SDXL/juggernautXL_v9.safetensors [c9e3e68f89]")
  })

  test("doctor names a configured checkpoint the WebUI does not list, and says whether jobs can be told apart", async () => {
    const findings = await sd({ model: "gone_v1" }).findings(AbortSignal.timeout(5000))
    expect(findings.map((f) => [f.label, f.ok])).toEqual([
      ["sd_webui checkpoint", true],
      ["sd_webui model", false],
      ["sd_webui job tracking", true],
    ])
    expect(findings[1]?.fix).toContain(
      "Set IMAGE_GENERATION_MCP_SD_WEBUI_MODEL to one of: dreamshaper_8.safetensors [879db523c3]",
    )
    await using apiOnly = fakeSdWebui({ ui: false })
    const [, tracking] = await createSdWebuiProvider({ host: apiOnly.url }).findings(AbortSignal.timeout(5000))
    expect(tracking).toMatchObject({ ok: false, label: "sd_webui job tracking" })
    expect(tracking?.fix).toContain("not --nowebui")
  })

  test("the definition declares the time-out setting in seconds, default 600, and wires doctor checks", () => {
    const setting = sdWebuiDefinition.settings.find((s) => s.env === "SD_WEBUI_TIMEOUT_S")
    expect(setting).toMatchObject({ key: "timeout", type: "seconds", default: 600 })
    expect(sdWebuiDefinition.doctor.checks).toBeFunction()
    const provider = sdWebuiDefinition.create({ host: fake().url, model: undefined, timeout: 2 }, {})
    expect(provider.name).toBe("sd_webui")
  })

  test("ping reads the options; a wrong password is an auth error", async () => {
    await sd().ping?.(AbortSignal.timeout(5000))
    const error = await rejection(
      createSdWebuiProvider({ host: fake().url }).ping?.(AbortSignal.timeout(5000)) ?? Promise.resolve(),
    )
    expect(error).toBeInstanceOf(ProviderAuthError)
  })
})

test("errors are AppErrors with a kind", async () => {
  fake().raiseNext("RuntimeError", "boom")
  const error = await rejection(sd().generate(request(), live()))
  expect(error).toBeInstanceOf(AppError)
  expect(error).toBeInstanceOf(ProviderError)
})

// A real WebUI: SD_WEBUI_HOST_LIVE=http://127.0.0.1:7860 (with user:password@ for --api-auth).
describe.skipIf(!process.env.SD_WEBUI_HOST_LIVE)("sd_webui live WebUI", () => {
  test("discovers its checkpoints and generates one image with the loaded one", async () => {
    const provider = createSdWebuiProvider({ host: process.env.SD_WEBUI_HOST_LIVE ?? "" })
    const caps = await provider.discover()
    expect(caps.degraded).toBe(false)
    const result = await provider.generate(request({ prompt: "a red apple on a wooden table" }), live())
    expect(result.metadata.seed).toBeNumber()
    expect(result.metadata.model).toBeString()
    const meta = await new Bun.Image(result.data).metadata()
    expect(`${meta.width}x${meta.height}`).toBe(String(result.metadata.size))
    await provider.dispose?.()
  }, 600_000)
})
