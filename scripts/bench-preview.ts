// The preview a client waits for: image://{id}/view?format=webp&width=512 and show_image on a 1024² PNG, against
// Pillow doing the same work in-process, in one run (alternating rounds, medians). Paths: Pillow (anchor),
// Bun.Image alone, our pipeline in-process, the view and show_image through MCP over stdio on a spawned server with
// the transform cache off, and show_image + the view right after a generation with the cache on.
// Beside wall time, CPU ms per call (all threads; for MCP paths server + client process) is reported: on a shared,
// busy machine it moves much less than wall time.
//   bun scripts/bench-preview.ts   (RUNS, ROUNDS, GENERATIONS to change the counts)
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js"
import { loadConfig } from "@/config/config"
import { createServices } from "@/core/services"
import { CLI, fmt, median, ROOT } from "./bench-lib"
import { galleryEnv } from "./seed-gallery"

const PYTHON = process.env.PILLOW_PYTHON ?? "/usr/bin/python3"
const INLINE = "format=webp&width=512"

/** Median wall ms of one call, and CPU ms per call. */
interface Timing {
  wall: number
  cpu: number
}

/** CPU ms used so far by a process, all threads (nanosecond counters of /proc/<pid>/task/<tid>/schedstat). */
function processCpuMs(pid: number): number {
  let ns = 0
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0])
  }
  return ns / 1e6
}

/** Times `runs` calls after one warm-up; CPU counts this process and, if given, the server process. */
async function measure(fn: () => Promise<unknown>, runs: number, serverPid?: number): Promise<Timing> {
  await fn()
  const samples: number[] = []
  const cpuHere = process.cpuUsage()
  const cpuThere = serverPid ? processCpuMs(serverPid) : 0
  for (let i = 0; i < runs; i++) {
    const started = performance.now()
    await fn()
    samples.push(performance.now() - started)
  }
  const here = process.cpuUsage(cpuHere)
  const there = serverPid ? processCpuMs(serverPid) - cpuThere : 0
  return { wall: median(samples), cpu: ((here.user + here.system) / 1000 + there) / runs }
}

function pillow(id: "v" | "a", file: string, runs: number): Timing {
  const proc = Bun.spawnSync([PYTHON, join(ROOT, "scripts", "bench-images.py"), id, file, String(runs)])
  if (proc.exitCode !== 0) throw new Error(`Pillow run failed (install Debian's python3-pil): ${proc.stderr}`)
  const [wall, cpu] = proc.stdout.toString().trim().split("\n").map(Number)
  return { wall: wall ?? Number.NaN, cpu: cpu ?? Number.NaN }
}

async function spawnServer(dir: string, env: Record<string, string>): Promise<{ client: Client; pid: number }> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI, "serve"],
    env: { ...galleryEnv(dir), IMAGE_GENERATION_MCP_LOG_LEVEL: "error", ...env },
    stderr: "ignore",
  })
  const client = new Client({ name: "bench-preview", version: "1" })
  await client.connect(transport)
  return { client, pid: transport.pid ?? 0 }
}

/** An SD WebUI stand-in whose every txt2img answer is `png`, so generations store a real photo. */
function photoSdWebui(png: Uint8Array): Bun.Server<undefined> {
  const answer = JSON.stringify({ images: [png.toBase64()], info: JSON.stringify({ seed: 1 }) })
  return Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(req) {
      const { pathname } = new URL(req.url)
      if (pathname === "/sdapi/v1/txt2img")
        return new Response(answer, { headers: { "content-type": "application/json" } })
      if (pathname === "/sdapi/v1/sd-models") return Response.json([{ title: "photo [0]", model_name: "photo" }])
      if (pathname === "/sdapi/v1/progress") return Response.json({ progress: 0, eta_relative: 0, state: {} })
      return Response.json({})
    },
  })
}

/** Wall ms of show_image, then of the inline view, issued once check_generation_status (polled) says completed. */
async function afterGeneration(client: Client, pollMs: number): Promise<{ show: number; view: number }> {
  const started = await client.callTool({
    name: "generate_image",
    arguments: { prompt: "a photo", provider: "sd_webui" },
  })
  const text = (started.content as { type: string; text?: string }[]).find((c) => c.type === "text")?.text ?? ""
  const id = /"image_id":\s*"([0-9a-f]{12})"/.exec(text)?.[1]
  if (!id) throw new Error(`generate_image gave no image id: ${text}`)
  for (let polls = 0; ; polls++) {
    const status = await client.callTool({ name: "check_generation_status", arguments: { image_id: id } })
    const body = (status.content as { text: string }[])[0]?.text ?? ""
    if (body.includes('"completed"')) break
    if (!body.includes('"generating"') || polls > 400) throw new Error(`generation did not complete: ${body}`)
    await Bun.sleep(pollMs)
  }
  let at = performance.now()
  await client.callTool({ name: "show_image", arguments: { uri: `image://${id}/view` } })
  const show = performance.now() - at
  at = performance.now()
  await client.readResource({ uri: `image://${id}/view?${INLINE}` })
  return { show, view: performance.now() - at }
}

interface Path {
  label: string
  /** The Pillow case doing the same work: v = width 512 → WebP q90, a = fit 512 → WebP q80. */
  anchor: "v" | "a"
  time: () => Promise<Timing>
}

export async function benchPreview(opts: { runs: number; rounds: number; generations: number; pollMs: number }) {
  const file = join(ROOT, "bench", "images", "photo_1024x1024.png")
  const png = new Uint8Array(readFileSync(file))
  const dir = mkdtempSync(join(tmpdir(), "igm-bench-preview-"))
  const generatedDir = mkdtempSync(join(tmpdir(), "igm-bench-preview-gen-"))
  const cacheOff = { IMAGE_GENERATION_MCP_TRANSFORM_CACHE_SIZE: "0" }
  const services = await createServices(loadConfig({ ...galleryEnv(dir), ...cacheOff }, dir).config)
  const sd = photoSdWebui(png)
  const servers: Client[] = []
  try {
    const { id } = await services.images.register({
      bytes: png,
      contentType: "image/png",
      prompt: "bench photo",
      provider: "placeholder",
      aspectRatio: "1:1",
      quality: "standard",
      background: "opaque",
    })
    const cold = await spawnServer(dir, cacheOff)
    const generating = await spawnServer(generatedDir, {
      IMAGE_GENERATION_MCP_READ_ONLY: "false",
      IMAGE_GENERATION_MCP_SD_WEBUI_HOST: sd.url.origin,
    })
    // The same server with Bun's allocator (mimalloc) keeping freed pages for a second instead of 10 ms: on a VM
    // whose page faults are dear, refaulting the decoder's buffers on every request is much of the cost.
    const retaining = await spawnServer(dir, { ...cacheOff, MIMALLOC_PURGE_DELAY: "1000" })
    servers.push(cold.client, generating.client, retaining.client)
    const viewUri = `image://${id}/view?${INLINE}`
    const paths: Path[] = [
      {
        label: "Bun.Image alone, bytes in memory",
        anchor: "v",
        time: () => measure(() => new Bun.Image(png).resize(512, 512).webp({ quality: 90 }).bytes(), opts.runs),
      },
      {
        label: "our pipeline in-process (views.view)",
        anchor: "v",
        time: () => measure(() => services.views.view(id, new URLSearchParams(INLINE)), opts.runs),
      },
      {
        label: "view through MCP (readResource)",
        anchor: "v",
        time: () => measure(() => cold.client.readResource({ uri: viewUri }), opts.runs, cold.pid),
      },
      {
        label: "  same, MIMALLOC_PURGE_DELAY=1000",
        anchor: "v",
        time: () => measure(() => retaining.client.readResource({ uri: viewUri }), opts.runs, retaining.pid),
      },
      {
        label: "show_image through MCP",
        anchor: "a",
        time: () =>
          measure(
            () => cold.client.callTool({ name: "show_image", arguments: { uri: `image://${id}/view` } }),
            opts.runs,
            cold.pid,
          ),
      },
    ]
    const results = new Map<string, Timing[]>()
    const ratios = new Map<string, Timing[]>()
    const add = (map: Map<string, Timing[]>, key: string, value: Timing) =>
      map.set(key, [...(map.get(key) ?? []), value])
    for (let round = 0; round < opts.rounds; round++) {
      const anchors = { v: pillow("v", file, opts.runs), a: pillow("a", file, opts.runs) }
      add(results, "v", anchors.v)
      add(results, "a", anchors.a)
      for (const path of paths) {
        const t = await path.time()
        const anchor = anchors[path.anchor]
        add(results, path.label, t)
        add(ratios, path.label, { wall: t.wall / anchor.wall, cpu: t.cpu / anchor.cpu })
      }
    }
    await afterGeneration(generating.client, opts.pollMs)
    // A client polling now and then, and one asking the moment the job is done (it waits for the work under way).
    const polls = [opts.pollMs, 5]
    const after = polls.map(() => ({ show: [] as number[], view: [] as number[] }))
    for (let i = 0; i < opts.generations; i++) {
      for (const [at, pollMs] of polls.entries()) {
        const { show, view } = await afterGeneration(generating.client, pollMs)
        after[at]?.show.push(show)
        after[at]?.view.push(view)
      }
    }

    const med = (values: Timing[] | undefined, key: keyof Timing) => median((values ?? []).map((v) => v[key]))
    const spread = (values: Timing[] | undefined, key: keyof Timing) => {
      const all = (values ?? []).map((v) => v[key])
      return `${Math.min(...all).toFixed(2)}–${Math.max(...all).toFixed(2)}`
    }
    const row = (label: string, wall: number, cpu: string, note: string) =>
      console.log(`  ${label.padEnd(40)} ${fmt(wall).padStart(9)} ${cpu.padStart(9)}  ${note}`)
    console.log(
      `\nthe preview a client waits for (1024² PNG; ${opts.rounds} alternating rounds of ${opts.runs} runs; medians; bun ${Bun.version})`,
    )
    console.log(`  ${"".padEnd(40)} ${"wall".padStart(9)} ${"CPU".padStart(9)}  ratio to Pillow, wall (rounds) | CPU`)
    const pillowV = results.get("v")
    const pillowA = results.get("a")
    row("Pillow in-process, width 512 → q90 (v)", med(pillowV, "wall"), fmt(med(pillowV, "cpu")), "anchor of the view")
    row("Pillow in-process, fit 512 → q80 (a)", med(pillowA, "wall"), fmt(med(pillowA, "cpu")), "anchor of show_image")
    for (const path of paths) {
      const r = ratios.get(path.label)
      const target = path.label.startsWith("view through MCP") ? "  (target ≤ 0.70×)" : ""
      row(
        path.label,
        med(results.get(path.label), "wall"),
        fmt(med(results.get(path.label), "cpu")),
        `${med(r, "wall").toFixed(2)}× ${path.anchor} (${spread(r, "wall")}) | ${med(r, "cpu").toFixed(2)}×${target}`,
      )
    }
    for (const [at, pollMs] of polls.entries()) {
      const { show, view } = after[at] ?? { show: [], view: [] }
      console.log(
        `  right after a generation, cache on (${opts.generations} generations; status polled every ${pollMs} ms, then at once):`,
      )
      row("show_image", median(show), "", `${(median(show) / med(pillowA, "wall")).toFixed(2)}× a`)
      row(`image://{id}/view?${INLINE}`, median(view), "", `${(median(view) / med(pillowV, "wall")).toFixed(2)}× v`)
    }
  } finally {
    for (const client of servers) await client.close()
    await sd.stop(true)
    await services.close()
    rmSync(dir, { recursive: true, force: true })
    rmSync(generatedDir, { recursive: true, force: true })
  }
}

if (import.meta.main) {
  await benchPreview({
    runs: Number(process.env.RUNS ?? 15),
    rounds: Number(process.env.ROUNDS ?? 5),
    generations: Number(process.env.GENERATIONS ?? 10),
    pollMs: Number(process.env.POLL_MS ?? 250),
  })
}
