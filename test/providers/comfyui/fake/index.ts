// A stand-in for a ComfyUI server on 127.0.0.1, built from ComfyUI 0.3.64 (Comfy-Org/ComfyUI a125cd84,
// 2025-10-11): server.py (routes, the WebSocket, uploads, /view, /interrupt, /queue), execution.py (validate_prompt,
// PromptExecutor, PromptQueue), main.py (prompt_worker, hijack_progress), comfy_execution/progress.py, protocol.py,
// nodes.py and comfy_extras for the nodes it knows (nodes.ts). Behaviour by file: validation against its own
// /object_info (validate.ts), one prompt running at a time with the others pending, messages and history
// (queue.ts), folders, uploads and /view (files.ts). `legacy` is a ComfyUI before 0.3.45: it ignores the prompt_id
// a client asks for, and (as before 0.3.57) /interrupt stops whatever runs. `auth` puts it behind a proxy that asks
// for basic auth on every route, the WebSocket included.
import type { ServerWebSocket } from "bun"
import { Folders } from "./files"
import { otherGraph, systemStats } from "./fixtures"
import { nodeDefs, nodeInfo } from "./nodes"
import { type PreviewMethod, PromptQueue, type PromptRecord, type Timing } from "./queue"
import { validatePrompt } from "./validate"

export type { PromptRecord } from "./queue"

export interface FakeComfyUiOptions {
  version?: string
  legacy?: boolean
  auth?: { username: string; password: string }
  checkpoints?: string[]
  diffusionModels?: string[]
  textEncoders?: string[]
  vaes?: string[]
  /** Node classes this ComfyUI lacks. */
  without?: string[]
  /** The --preview-method it was started with. @default "none", as ComfyUI's */
  previewMethod?: PreviewMethod
  /** @default any free port */
  port?: number
}

export const DEFAULT_CHECKPOINTS = [
  "v1-5-pruned-emaonly.safetensors",
  "SDXL/juggernautXL_v9.safetensors",
  "flux1-dev-fp8.safetensors",
]

export interface RecordedRequest {
  method: string
  path: string
  query: URLSearchParams
  body: unknown
  authorization: string | null
}

export interface SentMessage {
  event: string
  data: Record<string, unknown>
  sid: string | null
  at: number
}

export interface InterruptRecord {
  promptId: string | null
  running: string | null
  applied: boolean
}

export interface FakeComfyUi extends AsyncDisposable {
  url: string
  /** The URL with `user:password@` when auth is on. */
  authUrl: string
  version: string
  requests: RecordedRequest[]
  calls(path: string): RecordedRequest[]
  /** Every prompt queued, in order. */
  prompts(): PromptRecord[]
  prompt(id: string): PromptRecord | undefined
  interrupts: InterruptRecord[]
  /** WebSocket messages as they left, with performance.now() times. */
  sent: SentMessage[]
  /** Client ids with an open socket. */
  sockets(): string[]
  folders: Folders
  queue: PromptQueue
  /** The model files the loaders list; change them to add or remove models. */
  models: { checkpoints: string[]; diffusionModels: string[]; textEncoders: string[]; vaes: string[] }
  set(timing: Partial<Timing>): void
  /** The next prompt holds before its first step until interrupted or released; `closed` once it is stopped. */
  hangNext(): { arrived: Promise<void>; closed: Promise<void> }
  /** The next prompt holds before sampling step `step` + 1 (after `step` steps) until interrupted or released. */
  holdNextAtStep(step: number): void
  /** The next POST /prompt answers this at once. */
  answerNext(status: number, body: string, headers?: Record<string, string>): void
  /** The next prompt's first step raises this exception. */
  raiseNext(type: string, message: string): void
  /** A prompt from another client (ComfyUI's own page, say), optionally holding at a step. */
  otherClient(opts?: { holdAtStep?: number; steps?: number }): Promise<{ promptId: string; release(): void }>
  /** Closes every WebSocket from the server side. */
  dropSockets(): void
  /** Refuses WebSocket upgrades (a proxy that does not pass them). */
  refuseSockets(refuse: boolean): void
  release(): void
}

type Socket = ServerWebSocket<{ sid: string }>

export function fakeComfyUi(options: FakeComfyUiOptions = {}, initial: Partial<Timing> = {}): FakeComfyUi {
  const version = options.version ?? (options.legacy ? "0.3.40" : "0.3.64")
  let timing: Timing = { stepMs: 0, loadMs: 0, historyLagMs: 0, ...initial }
  const closing = new AbortController()
  const folders = new Folders()
  const sockets = new Map<string, Socket>()
  const sent: SentMessage[] = []
  const requests: RecordedRequest[] = []
  const interrupts: InterruptRecord[] = []
  let answer: { status: number; body: string; headers: Record<string, string> } | undefined
  let raise: { type: string; message: string } | undefined
  let hang: { arrived: () => void; closed: () => void } | undefined
  let holdNext: number | undefined
  let refuse = false
  let number = 0
  const models = {
    checkpoints: options.checkpoints ?? DEFAULT_CHECKPOINTS,
    diffusionModels: options.diffusionModels ?? ["flux1-dev.safetensors", "flux1-schnell.safetensors"],
    textEncoders: options.textEncoders ?? ["clip_l.safetensors", "t5xxl_fp16.safetensors"],
    vaes: options.vaes ?? ["ae.safetensors"],
  }
  const defs = () => {
    const all = nodeDefs({
      ...models,
      inputImages: () => folders.inputImages(),
      inputExists: (name: string) => folders.inputExists(name),
    })
    for (const name of options.without ?? []) delete all[name]
    return all
  }
  const deliver = (sid: string | null, send: (ws: Socket) => void) => {
    if (sid === null) for (const ws of sockets.values()) send(ws)
    else {
      const ws = sockets.get(sid)
      if (ws) send(ws)
    }
  }
  const queue = new PromptQueue({
    defs,
    folders,
    timing: () => timing,
    previewMethod: () => options.previewMethod ?? "none",
    closing: closing.signal,
    messenger: {
      send(event, data, sid) {
        sent.push({ event, data, sid, at: performance.now() })
        deliver(sid, (ws) => ws.send(JSON.stringify({ type: event, data })))
      },
      sendBinary(data, sid) {
        deliver(sid, (ws) => ws.sendBinary(data))
      },
    },
  })

  const authorized = (req: Request) => {
    if (!options.auth) return true
    const header = req.headers.get("authorization")
    if (!header?.startsWith("Basic ")) return false
    const [user, ...rest] = Buffer.from(header.slice(6), "base64").toString().split(":")
    return user === options.auth.username && rest.join(":") === options.auth.password
  }

  async function postPrompt(text: string): Promise<Response> {
    if (answer) {
      const { status, body, headers } = answer
      answer = undefined
      return new Response(body, { status, headers })
    }
    const json = JSON.parse(text) as Record<string, unknown>
    let n = number
    if ("number" in json) n = Number(json.number)
    else {
      if (json.front) n = -n
      number += 1
    }
    if (!("prompt" in json)) {
      const error = { type: "no_prompt", message: "No prompt provided", details: "No prompt provided", extra_info: {} }
      return Response.json({ error, node_errors: {} }, { status: 400 })
    }
    const prompt = json.prompt as Record<string, { class_type: string; inputs: Record<string, unknown> }>
    const promptId = !options.legacy && json.prompt_id !== undefined ? String(json.prompt_id) : crypto.randomUUID()
    const valid = validatePrompt(prompt, defs())
    const extraData = { ...((json.extra_data as Record<string, unknown>) ?? {}) }
    if ("client_id" in json) extraData.client_id = json.client_id
    if (!valid.ok) return Response.json({ error: valid.error, node_errors: valid.nodeErrors }, { status: 400 })
    queue.put({ number: n, promptId, prompt, extraData, outputs: valid.outputs })
    const record = queue.records.get(promptId) as PromptRecord
    if (raise) [record.raise, raise] = [raise, undefined]
    if (holdNext !== undefined) [record.holdAtStep, holdNext] = [holdNext, undefined]
    if (hang) {
      const { arrived, closed } = hang
      hang = undefined
      record.holdAtStep = 0
      arrived()
      void until(() => record.status === "interrupted" || record.status === "deleted", closing.signal).then(closed)
    }
    return Response.json({ prompt_id: promptId, number: n, node_errors: valid.nodeErrors })
  }

  function postInterrupt(text: string): Response {
    let body: Record<string, unknown> = {}
    try {
      body = JSON.parse(text) as Record<string, unknown>
    } catch {}
    const wanted = typeof body.prompt_id === "string" && body.prompt_id && !options.legacy ? body.prompt_id : null
    const running = queue.running?.promptId ?? null
    const applied = wanted === null || wanted === running
    if (applied) queue.interruptFlag = true
    interrupts.push({ promptId: wanted, running, applied })
    return new Response(null, { status: 200 })
  }

  const queueItem = (item: NonNullable<PromptQueue["running"]>) => [
    item.number,
    item.promptId,
    item.prompt,
    item.extraData,
    item.outputs,
  ]

  async function route(req: Request, url: URL, text: string): Promise<Response> {
    const path = url.pathname.startsWith("/api/") ? url.pathname.slice(4) : url.pathname
    const get = req.method === "GET"
    if (get && path === "/object_info") {
      return Response.json(Object.fromEntries(Object.entries(defs()).map(([name, def]) => [name, nodeInfo(name, def)])))
    }
    if (get && path.startsWith("/object_info/")) {
      const name = decodeURIComponent(path.slice("/object_info/".length))
      const def = defs()[name]
      return Response.json(def ? { [name]: nodeInfo(name, def) } : {})
    }
    if (get && path === "/system_stats") return Response.json(systemStats(version))
    if (get && path === "/prompt") return Response.json({ exec_info: { queue_remaining: queue.tasksRemaining } })
    if (get && path === "/queue") {
      return Response.json({
        queue_running: queue.running ? [queueItem(queue.running)] : [],
        queue_pending: queue.pending.map(queueItem),
      })
    }
    if (get && path === "/history") return Response.json(Object.fromEntries(queue.history))
    if (get && path.startsWith("/history/")) {
      const id = decodeURIComponent(path.slice("/history/".length))
      const entry = queue.history.get(id)
      return Response.json(entry ? { [id]: structuredClone(entry) } : {})
    }
    if (get && path === "/view") return folders.view(url.searchParams)
    if (req.method !== "POST") return new Response("404: Not Found", { status: 404 })
    if (path === "/prompt") return postPrompt(text)
    if (path === "/interrupt") return postInterrupt(text)
    if (path === "/queue") {
      const body = JSON.parse(text) as { clear?: boolean; delete?: string[] }
      if (body.clear) queue.wipe()
      for (const id of body.delete ?? []) queue.deletePending(id)
      return new Response(null, { status: 200 })
    }
    return new Response("404: Not Found", { status: 404 })
  }

  const server = Bun.serve<{ sid: string }>({
    hostname: "127.0.0.1",
    port: options.port ?? 0,
    idleTimeout: 0,
    async fetch(req, srv) {
      const url = new URL(req.url)
      const path = url.pathname.startsWith("/api/") ? url.pathname.slice(4) : url.pathname
      const upload = req.method === "POST" && path.startsWith("/upload/")
      const form = upload ? await req.formData().catch(() => undefined) : undefined
      const text = req.method === "POST" && !upload ? await req.text() : ""
      let body: unknown = form ? Object.fromEntries([...form.keys()].map((k) => [k, form.get(k)])) : undefined
      if (text) {
        try {
          body = JSON.parse(text)
        } catch {
          body = text
        }
      }
      requests.push({
        method: req.method,
        path,
        query: url.searchParams,
        body,
        authorization: req.headers.get("authorization"),
      })
      if (!authorized(req)) {
        return new Response("401: Unauthorized", {
          status: 401,
          headers: { "www-authenticate": 'Basic realm="comfy"' },
        })
      }
      if (path === "/ws") {
        if (refuse) return new Response("Bad Request", { status: 400 })
        const sid = url.searchParams.get("clientId") || crypto.randomUUID().replaceAll("-", "")
        return srv.upgrade(req, { data: { sid } }) ? undefined : new Response("Bad Request", { status: 400 })
      }
      try {
        if (upload)
          return form ? await folders.upload(form, path === "/upload/mask") : new Response(null, { status: 400 })
        return await route(req, url, text)
      } catch {
        return new Response("500 Internal Server Error\n\nServer got itself in trouble", {
          status: 500,
          headers: { "content-type": "text/plain" },
        })
      }
    },
    websocket: {
      open(ws) {
        sockets.set(ws.data.sid, ws)
        const status = { status: { exec_info: { queue_remaining: queue.tasksRemaining } }, sid: ws.data.sid }
        sent.push({ event: "status", data: status, sid: ws.data.sid, at: performance.now() })
        ws.send(JSON.stringify({ type: "status", data: status }))
        if (queue.clientId === ws.data.sid && queue.lastNodeId !== null) {
          ws.send(JSON.stringify({ type: "executing", data: { node: queue.lastNodeId } }))
        }
      },
      message() {},
      close(ws) {
        if (sockets.get(ws.data.sid) === ws) sockets.delete(ws.data.sid)
      },
    },
  })

  const base = `http://127.0.0.1:${server.port}`
  const fake: FakeComfyUi = {
    url: base,
    authUrl: options.auth
      ? `http://${encodeURIComponent(options.auth.username)}:${encodeURIComponent(options.auth.password)}@127.0.0.1:${server.port}`
      : base,
    version,
    requests,
    calls: (path) => requests.filter((r) => r.path === path),
    prompts: () => [...queue.records.values()],
    prompt: (id) => queue.records.get(id),
    interrupts,
    sent,
    sockets: () => [...sockets.keys()],
    folders,
    queue,
    models,
    set(next) {
      timing = { ...timing, ...next }
    },
    hangNext() {
      const arrived = Promise.withResolvers<void>()
      const closed = Promise.withResolvers<void>()
      hang = { arrived: arrived.resolve, closed: closed.resolve }
      return { arrived: arrived.promise, closed: closed.promise }
    },
    holdNextAtStep(step) {
      holdNext = step
    },
    answerNext(status, body, headers = {}) {
      answer = { status, body, headers }
    },
    raiseNext(type, message) {
      raise = { type, message }
    },
    async otherClient(opts = {}) {
      const graph = otherGraph(models.checkpoints[0] ?? "", opts.steps ?? 4)
      holdNext = opts.holdAtStep
      const response = await fetch(`${base}/prompt`, {
        method: "POST",
        headers: options.auth
          ? { authorization: `Basic ${btoa(`${options.auth.username}:${options.auth.password}`)}` }
          : {},
        body: JSON.stringify({ prompt: graph, client_id: "someone-else" }),
      })
      const { prompt_id } = (await response.json()) as { prompt_id: string }
      const record = queue.records.get(prompt_id) as PromptRecord
      return {
        promptId: prompt_id,
        release: () => {
          record.released = true
        },
      }
    },
    dropSockets() {
      for (const ws of sockets.values()) ws.close(1011, "server restarting")
    },
    refuseSockets(value) {
      refuse = value
    },
    release() {
      for (const record of queue.records.values()) record.released = true
    },
    async [Symbol.asyncDispose]() {
      closing.abort()
      await server.stop(true)
    },
  }
  return fake
}

async function until(check: () => boolean, signal: AbortSignal): Promise<void> {
  while (!check() && !signal.aborted) await Bun.sleep(2)
}

/** A URL on 127.0.0.1 whose port was just released, so connecting is refused. */
export async function closedPortUrl(): Promise<string> {
  const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response() })
  const url = `http://127.0.0.1:${server.port}`
  await server.stop(true)
  return url
}
