// Reads a Bun CPU profile (.cpuprofile, Chrome format) of an HTTP server under load and splits its samples by
// where the time went: each sample goes to the innermost frame that has a source file (native and bun: frames
// count for their JavaScript caller), and that file to an area. Samples with no JavaScript caller at all are Bun's
// own stream and socket work (writing responses), shown by their native function.
import { readFileSync } from "node:fs"

interface CallFrame {
  functionName: string
  url: string
}
interface ProfileNode {
  id: number
  callFrame: CallFrame
  children?: number[]
}
interface CpuProfile {
  nodes: ProfileNode[]
  /** Epoch µs. */
  startTime: number
  samples: number[]
  /** µs since the previous sample (the first: since startTime). */
  timeDeltas: number[]
}

/** Epoch ms: only samples taken in this window are counted. */
export interface ProfileWindow {
  fromMs: number
  toMs: number
}

/** First match wins: source path fragment → area. */
const AREAS: [string, string][] = [
  ["src/http/host-guard", "http: host guard"],
  ["src/http/auth/", "http: auth"],
  ["src/http/edge/", "http: edge (drain, headers, CORS)"],
  ["src/http/sse", "http: SSE wrapper"],
  ["src/http/event-store", "event store"],
  ["src/storage/event-log", "event store"],
  ["src/storage/sqlite/events", "event store"],
  ["src/storage/postgres/events", "event store"],
  ["src/http/", "http: route, sessions"],
  ["hono/", "hono"],
  ["webStandardStreamableHttp", "SDK transport"],
  ["@modelcontextprotocol/sdk/dist/esm/types", "SDK message checks (zod)"],
  ["@modelcontextprotocol/sdk/dist/esm/shared/protocol", "SDK protocol"],
  ["@modelcontextprotocol/sdk", "SDK server"],
  ["zod/", "zod (SDK request/result schemas, tool input)"],
  ["src/mcp/", "mcp: our tool layer"],
  ["src/core/jobs", "core: jobs"],
  ["src/core/generation", "core: generation status"],
  ["src/core/", "core: other"],
  ["src/storage/sqlite", "storage: SQLite queries"],
  ["src/storage/postgres", "storage: PostgreSQL queries"],
  ["internal:sql", "storage: PostgreSQL client (Bun.SQL)"],
  ["src/storage/", "storage: other"],
  ["src/util/log", "logging"],
]

function areaOf(url: string): string {
  for (const [fragment, area] of AREAS) if (url.includes(fragment)) return area
  const path = url.replace(/^file:\/\//, "")
  return `other: ${path.includes("node_modules/") ? path.split("node_modules/")[1]?.split("/")[0] : path}`
}

const hasSource = (frame: CallFrame) =>
  frame.url !== "" && frame.url !== "[native code]" && !frame.url.startsWith("bun:")

/** Samples per area within `window`, most first. */
export function profileAreas(path: string, window: ProfileWindow): { total: number; areas: [string, number][] } {
  const profile = JSON.parse(readFileSync(path, "utf8")) as CpuProfile
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]))
  const parent = new Map<number, number>()
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id)
  const areaOfNode = new Map<number, string>()
  const resolve = (id: number): string => {
    const known = areaOfNode.get(id)
    if (known) return known
    let area = `Bun native, no JS caller: ${nodes.get(id)?.callFrame.functionName || "(unnamed)"}`
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = nodes.get(at)?.callFrame
      if (frame && hasSource(frame)) {
        area = areaOf(frame.url)
        break
      }
    }
    areaOfNode.set(id, area)
    return area
  }
  const counts = new Map<string, number>()
  let total = 0
  let at = profile.startTime
  profile.samples.forEach((id, i) => {
    at += profile.timeDeltas[i] ?? 0
    if (at < window.fromMs * 1000 || at > window.toMs * 1000) return
    const area = resolve(id)
    counts.set(area, (counts.get(area) ?? 0) + 1)
    total++
  })
  return { total, areas: [...counts].sort((a, b) => b[1] - a[1]) }
}

/** The breakdown as report lines; with `usPerRequest`, each area's share of it too. */
export function profileReport(path: string, window: ProfileWindow, usPerRequest?: number, top = 16): string[] {
  const { total, areas } = profileAreas(path, window)
  return areas.slice(0, top).map(([area, n]) => {
    const share = n / total
    const us = usPerRequest === undefined ? "" : `${(share * usPerRequest).toFixed(0).padStart(5)} µs/req  `
    return `      ${(share * 100).toFixed(1).padStart(5)}%  ${us}${area}`
  })
}
