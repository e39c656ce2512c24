// The image engine against Pillow (Debian python3-pil) in the same run, medians of repeated runs,
// then 16 previews in parallel: throughput, event-loop stalls and peak RSS,
// then the preview a client waits for, through MCP (scripts/bench-preview.ts).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { parseViewParams } from "@/core/transform/params"
import { transformImage } from "@/core/transform/pipeline"
import { webpPreview } from "@/core/transform/preview"
import { probeImage } from "@/core/transform/probe"
import { fmt, median, medianTime, ROOT, stallMonitor } from "./bench-lib"
import { benchPreview } from "./bench-preview"

const RUNS = Number(process.env.RUNS ?? 15)
const PYTHON = process.env.PILLOW_PYTHON ?? "/usr/bin/python3"
const IMAGES = join(ROOT, "bench", "images")
const CAP = 40_000_000
const work = mkdtempSync(join(tmpdir(), "igm-bench-img-"))

const png1024 = await Bun.file(join(IMAGES, "photo_1024x1024.png")).bytes()
const rgba1024 = await Bun.file(join(IMAGES, "rgba_1024x1024.png")).bytes()
const webp1024 = await Bun.file(join(IMAGES, "photo_1024x1024.webp")).bytes()
const jpeg1536 = await Bun.file(join(IMAGES, "photo_1536x1024.jpg")).bytes()
const png1536 = await new Bun.Image(jpeg1536).png({ compressionLevel: 3 }).bytes()
const files = {
  png1024: join(IMAGES, "photo_1024x1024.png"),
  jpeg1536: join(IMAGES, "photo_1536x1024.jpg"),
  png1536: join(work, "photo_1536x1024.png"),
}
writeFileSync(files.png1536, png1536)

const view = (bytes: Uint8Array, query: string) => () =>
  transformImage(bytes, probeImage(bytes, CAP), parseViewParams(new URLSearchParams(query)), CAP)
const preview = (bytes: Uint8Array, edge: number) => () =>
  webpPreview(bytes, probeImage(bytes, CAP), { edge, maxPixels: CAP })

const CASES: { id: string; label: string; ours: () => Promise<unknown>; file: string; target?: number }[] = [
  { id: "a", label: "1024² PNG → fit 512 → WebP q80", ours: preview(png1024, 512), file: files.png1024, target: 0.65 },
  {
    id: "b",
    label: "1536×1024 PNG → cover 256² → PNG",
    ours: view(png1536, "width=256&height=256"),
    file: files.png1536,
  },
  {
    id: "c",
    label: "1536×1024 JPEG → WebP q90",
    ours: view(jpeg1536, "format=webp&quality=90"),
    file: files.jpeg1536,
    target: 0.95,
  },
  {
    id: "d",
    label: "1024² PNG → rotate 90 + flip → PNG",
    ours: view(png1024, "rotate=90&flip=horizontal"),
    file: files.png1024,
  },
  { id: "e", label: "1024² PNG → 128 px WebP", ours: preview(png1024, 128), file: files.png1024 },
]

const timeOurs = (fn: () => Promise<unknown>) => medianTime(fn, RUNS)

function timePillow(id: string, file: string): number {
  const proc = Bun.spawnSync([PYTHON, join(ROOT, "scripts", "bench-images.py"), id, file, String(RUNS)])
  if (proc.exitCode !== 0)
    throw new Error(`Pillow run failed (install Debian's python3-pil): ${proc.stderr.toString()}`)
  return Number(proc.stdout.toString().split("\n")[0])
}

async function parallelPreviews(rounds: number, sources: Uint8Array[] = [png1024, webp1024, jpeg1536, rgba1024]) {
  const monitor = stallMonitor()
  let peakRss = process.memoryUsage.rss()
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss())
  }, 5)
  const started = performance.now()
  for (let round = 0; round < rounds; round++) {
    await Promise.all(Array.from({ length: 16 }, (_, i) => preview(sources[i % sources.length] as Uint8Array, 512)()))
  }
  const seconds = (performance.now() - started) / 1000
  const maxGap = monitor.stop()
  clearInterval(sampler)
  return { perSecond: (16 * rounds) / seconds, maxGap, peakRss }
}

/** Pillow anchor: one process per core, together making `count` previews; returns previews per second. */
async function pillowParallel(count: number): Promise<number> {
  const photos = ["photo_1024x1024.png", "photo_1024x1024.webp", "photo_1536x1024.jpg", "rgba_1024x1024.png"]
  const paths = photos.map((p) => join(IMAGES, p)).join(",")
  const cores = navigator.hardwareConcurrency
  const started = performance.now()
  const procs = Array.from({ length: cores }, () =>
    Bun.spawn([PYTHON, join(ROOT, "scripts", "bench-images.py"), "p", paths, String(Math.ceil(count / cores))]),
  )
  await Promise.all(procs.map((p) => p.exited))
  return count / ((performance.now() - started) / 1000)
}

/** The stall floor of this machine: the same 1 ms ticker with no work running. */
async function idleStall(ms: number): Promise<number> {
  const monitor = stallMonitor()
  await Bun.sleep(ms)
  return monitor.stop()
}

/** Worst event-loop stall while one large transform runs (the pixel steps in TypeScript yield as they go). */
async function largeTransformStall(bytes: Uint8Array, query: string): Promise<{ ms: number; stall: number }> {
  const monitor = stallMonitor()
  const started = performance.now()
  await view(bytes, query)()
  const ms = performance.now() - started
  return { ms, stall: monitor.stop() }
}

try {
  console.log(`image engine vs Pillow: 3 alternating rounds of ${RUNS} runs each, medians (bun ${Bun.version})`)
  for (const c of CASES) {
    const pairs: [number, number][] = []
    for (let i = 0; i < 3; i++) pairs.push([await timeOurs(c.ours), timePillow(c.id, c.file)])
    const ours = median(pairs.map((p) => p[0]))
    const pillow = median(pairs.map((p) => p[1]))
    const ratio = median(pairs.map(([o, p]) => o / p))
    const goal = c.target ? ` (target ≤ ${c.target}×)` : " (target ≤ 1×)"
    console.log(
      `  (${c.id}) ${c.label.padEnd(38)} ours ${fmt(ours).padStart(9)}  Pillow ${fmt(pillow).padStart(9)}  ratio ${ratio.toFixed(2)}×${goal}`,
    )
  }
  await parallelPreviews(1)
  const runs = [await parallelPreviews(4), await parallelPreviews(4), await parallelPreviews(4)]
  const perSecond = median(runs.map((r) => r.perSecond))
  console.log("16 previews in parallel (≤512 px WebP q80 of the four photos in bench-images), median of 3 × 4 rounds")
  const perSource: string[] = []
  for (const [name, bytes] of [
    ["PNG", png1024],
    ["WebP", webp1024],
    ["JPEG", jpeg1536],
    ["RGBA PNG", rgba1024],
  ] as const) {
    perSource.push(`${name} ${(await parallelPreviews(3, [bytes])).perSecond.toFixed(0)}/s`)
  }
  const pillow = await pillowParallel(64)
  console.log(
    `  throughput ${perSecond.toFixed(1)}/s (target ≥ 60/s); Pillow, one process per core: ${pillow.toFixed(1)}/s, ratio ${(perSecond / pillow).toFixed(2)}×`,
  )
  console.log(`  by source: ${perSource.join(", ")}`)
  const floor = await idleStall(1000)
  console.log(
    `  worst event-loop stall ${Math.max(...runs.map((r) => r.maxGap)).toFixed(1)} ms (target ≤ 5 ms); same ticker idle: ${floor.toFixed(1)} ms`,
  )
  const large = await new Bun.Image(rgba1024).resize(6000, 6000).png({ compressionLevel: 1 }).bytes()
  for (const query of ["crop_x=10&crop_y=10&crop_w=1000&crop_h=1000&format=webp", "format=jpeg&quality=85"]) {
    await largeTransformStall(large, query)
    const { ms, stall } = await largeTransformStall(large, query)
    console.log(`  36 MP RGBA PNG, ${query}: ${fmt(ms)}, worst stall ${stall.toFixed(1)} ms`)
  }
  console.log(`  peak RSS ${(Math.max(...runs.map((r) => r.peakRss)) / 2 ** 20).toFixed(0)} MB (target ≤ 250 MB)`)
  await benchPreview({
    runs: RUNS,
    rounds: Number(process.env.ROUNDS ?? 5),
    generations: Number(process.env.GENERATIONS ?? 10),
    pollMs: Number(process.env.POLL_MS ?? 250),
  })
} finally {
  rmSync(work, { recursive: true, force: true })
}
