// An S3-compatible server on loopback for the object-storage tests: s3rver (in this process) over a temp
// directory, which can be stopped and started again on the same port to play an outage.
//
// s3rver 3.7 answers a PutObject before the bytes reach the disk and writes them in place, so a read right after
// a write can find an empty object and two writes of one key can mix. S3's PutObject is atomic and a read after
// it sees the new object (https://docs.aws.amazon.com/AmazonS3/latest/userguide/Welcome.html#ConsistencyModel):
// the harness replaces s3rver's putObject with one that writes a temp file, waits for it, renames it into place,
// and takes the writes of one key in turn. It also counts the object bytes GETs have read out of the store, so a
// test can tell a streamed download from one that read the whole object first.
import { createHash } from "node:crypto"
import { createWriteStream } from "node:fs"
import { mkdir, rename, rm } from "node:fs/promises"
import { dirname } from "node:path"
import { Readable, Transform } from "node:stream"
import { pipeline } from "node:stream/promises"
import S3rver from "s3rver"
import FilesystemStore from "s3rver/lib/stores/filesystem"

/** s3rver's fixed credentials. */
const ACCESS_KEY = "S3RVER"

export interface S3Server extends AsyncDisposable {
  endpoint: string
  /** The settings a blob store needs to reach it (`S3_ENDPOINT`, `S3_ACCESS_KEY_ID`, …). */
  env: Record<string, string>
  /** Object bytes read out by GETs so far (the read follows the client's pace: s3rver pipes with backpressure). */
  bytesServed(): number
  /** Every request answered so far, in the order they finished, with the time s3rver took to answer it. */
  readonly requests: S3Request[]
  /** Stops answering: connections are refused until `start()`. */
  stop(): Promise<void>
  /** Serves again on the same port, with every object kept. */
  start(): Promise<void>
}

export interface S3Request {
  method: string
  /** The path, `/bucket/key`. */
  path: string
  status: number
  ms: number
}

const writing = new Map<string, Promise<unknown>>()
/** Bytes served per store directory. */
const served = new Map<string, number>()

const getObject = FilesystemStore.prototype.getObject
FilesystemStore.prototype.getObject = async function countedGetObject(bucket, key, options) {
  const object = await getObject.call(this, bucket, key, options)
  const content = object?.content
  if (!content || Buffer.isBuffer(content)) return object
  const root = this.rootDirectory
  const count = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      served.set(root, (served.get(root) ?? 0) + chunk.length)
      callback(null, chunk)
    },
  })
  content.on("error", (error: Error) => count.destroy(error))
  object.content = content.pipe(count)
  return object
}

FilesystemStore.prototype.putObject = async function putObject(object) {
  const path = this.getResourcePath(object.bucket, object.key, "object")
  const previous = writing.get(path) ?? Promise.resolve()
  const done = previous
    .catch(() => {})
    .then(async () => {
      await mkdir(dirname(path), { recursive: true })
      const temp = `${path}.${crypto.randomUUID()}.tmp`
      const md5 = createHash("md5")
      let size = 0
      const count = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          md5.update(chunk)
          size += chunk.length
          callback(null, chunk)
        },
      })
      const source = Buffer.isBuffer(object.content) ? Readable.from([object.content]) : object.content
      try {
        await pipeline(source, count, createWriteStream(temp))
        await rename(temp, path)
      } catch (error) {
        await rm(temp, { force: true })
        throw error
      }
      const digest = md5.digest("hex")
      await this.putMetadata(object.bucket, object.key, object.metadata, digest)
      return { size, md5: digest }
    })
  writing.set(path, done)
  try {
    return await done
  } finally {
    if (writing.get(path) === done) writing.delete(path)
  }
}

/** Starts s3rver on a free loopback port, storing under `dir`, with `buckets` created. */
export async function startS3(dir: string, buckets: string[] = ["images"]): Promise<S3Server> {
  let port = 0
  let server: S3rver | undefined
  const requests: S3Request[] = []
  const start = async () => {
    const next = new S3rver({
      address: "127.0.0.1",
      port,
      silent: true,
      directory: dir,
      configureBuckets: buckets.map((name) => ({ name })),
    })
    port = (await next.run()).port
    next.httpServer?.on("request", (request, response) => {
      const started = performance.now()
      response.on("finish", () => {
        const path = decodeURIComponent(new URL(request.url ?? "/", "http://s3").pathname)
        requests.push({
          method: request.method ?? "",
          path,
          status: response.statusCode,
          ms: performance.now() - started,
        })
      })
    })
    server = next
  }
  const stop = async () => {
    const running = server
    server = undefined
    if (!running) return
    running.httpServer?.closeAllConnections()
    await running.close()
  }
  await start()
  const endpoint = `http://127.0.0.1:${port}`
  return {
    endpoint,
    env: {
      S3_ENDPOINT: endpoint,
      S3_REGION: "us-east-1",
      S3_ACCESS_KEY_ID: ACCESS_KEY,
      S3_SECRET_ACCESS_KEY: ACCESS_KEY,
    },
    bytesServed: () => served.get(dir) ?? 0,
    requests,
    stop,
    start,
    [Symbol.asyncDispose]: stop,
  }
}
