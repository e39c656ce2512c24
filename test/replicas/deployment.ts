// A shared deployment for the replica tests, as an operator would run one: three `serve --transport http`
// processes on one PostgreSQL database and one S3 bucket (s3rver), HAProxy from packaging/ in front, and a fake
// SD WebUI they all reach, so a generation takes as long as the test holds it.
import { existsSync } from "node:fs"
import { join } from "node:path"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js"
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js"
import { type FakeSdWebui, fakeSdWebui } from "../fixture/fake-sd-webui"
import { type TempDir, tmpdir } from "../fixture/tmpdir"
import { type PostgresServer, postgresSkipReason } from "../helpers/postgres"
import { type Balancer, HAPROXY, type Replicas, startHaproxy, startReplicas } from "../helpers/replicas"
import { type S3Server, startS3 } from "../helpers/s3"
import { waitForValue } from "../helpers/wait"

/** Why these tests cannot run here (already printed), or undefined. */
export const replicaSkipReason: string | undefined =
  postgresSkipReason ??
  (existsSync(HAPROXY)
    ? undefined
    : `${HAPROXY} is not installed (Debian package haproxy; npm test installs it as root)`)
if (replicaSkipReason && !postgresSkipReason) console.warn(`SKIPPED the replica tests: ${replicaSkipReason}`)

/** Short enough that a dead replica's jobs are reported within a few seconds. */
export const LEASE_S = 2
/** The bucket and prefix the replicas keep image bytes under. */
export const BLOB_STORE_URL = "s3://images/gallery"

export interface Deployment extends AsyncDisposable {
  dir: TempDir
  replicas: Replicas
  haproxy: Balancer
  s3: S3Server
  sd: FakeSdWebui
  databaseUrl: string
  /** An MCP session at `url` (the proxy's endpoint unless given a replica's). */
  connect(url?: string): Promise<McpSession>
}

export async function startDeployment(postgres: PostgresServer, count = 3): Promise<Deployment> {
  const dir = await tmpdir("igm-replicas-")
  const cleanup: AsyncDisposable[] = [dir]
  const stop = async () => {
    for (const item of cleanup.reverse()) await item[Symbol.asyncDispose]()
  }
  try {
    const databaseUrl = await postgres.createDatabase()
    const s3 = await startS3(join(dir.path, "s3"))
    cleanup.push(s3)
    const sd = fakeSdWebui()
    cleanup.push(sd)
    const replicas = await startReplicas(count, {
      dir: dir.path,
      env: {
        ...s3.env,
        IMAGE_GENERATION_MCP_DATABASE_URL: databaseUrl,
        IMAGE_GENERATION_MCP_BLOB_STORE_URL: BLOB_STORE_URL,
        IMAGE_GENERATION_MCP_JOB_LEASE_S: String(LEASE_S),
        IMAGE_GENERATION_MCP_SD_WEBUI_HOST: sd.url,
        IMAGE_GENERATION_MCP_DEFAULT_PROVIDER: "placeholder",
        // Transfer links name this origin; the tests fetch them at each replica directly.
        IMAGE_GENERATION_MCP_BASE_URL: "http://127.0.0.1",
      },
    })
    cleanup.push(replicas)
    const haproxy = await startHaproxy(replicas.list)
    cleanup.push(haproxy)
    return {
      dir,
      replicas,
      haproxy,
      s3,
      sd,
      databaseUrl,
      connect: async (url = haproxy.url) => {
        const session = await McpSession.open(url)
        cleanup.push(session)
        return session
      },
      [Symbol.asyncDispose]: stop,
    }
  } catch (error) {
    await stop()
    throw error
  }
}

/** An SDK client over Streamable HTTP, with the calls these tests make. */
export class McpSession implements AsyncDisposable {
  readonly client: Client
  readonly transport: StreamableHTTPClientTransport

  private constructor(client: Client, transport: StreamableHTTPClientTransport) {
    this.client = client
    this.transport = transport
  }

  static async open(url: string): Promise<McpSession> {
    const transport = new StreamableHTTPClientTransport(new URL(url))
    const client = new Client({ name: "replica-test", version: "1" })
    await client.connect(transport)
    return new McpSession(client, transport)
  }

  get sessionId(): string {
    return this.transport.sessionId ?? ""
  }

  async call(name: string, args: Record<string, unknown> = {}): Promise<{ isError: boolean; text: string }> {
    const result = (await this.client.callTool({ name, arguments: args })) as CallToolResult
    const first = result.content[0]
    return { isError: result.isError === true, text: first?.type === "text" ? first.text : "" }
  }

  /** A tool's JSON answer; throws with the message when the tool reported an error. */
  async json<T = Record<string, unknown>>(name: string, args: Record<string, unknown> = {}): Promise<T> {
    const { isError, text } = await this.call(name, args)
    if (isError) throw new Error(`${name} failed: ${text}`)
    return JSON.parse(text) as T
  }

  async generate(prompt: string, provider = "placeholder"): Promise<string> {
    return (await this.json<{ image_id: string }>("generate_image", { prompt, provider })).image_id
  }

  async status(id: string): Promise<{ status: string; error?: string }> {
    return this.json("check_generation_status", { image_id: id })
  }

  /** Polls the job's status until it is no longer generating. */
  async settled(id: string): Promise<{ status: string; error?: string }> {
    return waitForValue(async () => {
      const status = await this.status(id)
      return status.status === "generating" ? undefined : status
    }, `generation ${id} to finish`)
  }

  async readText(uri: string): Promise<string> {
    const { contents } = await this.client.readResource({ uri })
    const first = contents[0]
    return first && "text" in first ? first.text : ""
  }

  async readBytes(uri: string): Promise<Uint8Array> {
    const { contents } = await this.client.readResource({ uri })
    const first = contents[0]
    return first && "blob" in first ? Uint8Array.fromBase64(first.blob) : new Uint8Array()
  }

  /** The gallery's images (not the generations still running or failed), by id. */
  async galleryIds(): Promise<string[]> {
    const list = JSON.parse(await this.readText("image://list")) as { image_id: string; status: string }[]
    return list.filter((item) => item.status === "completed").map((item) => item.image_id)
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.transport.terminateSession().catch(() => {})
    await this.client.close()
  }
}
