import { lookup as dnsLookup } from "node:dns/promises"
import { isIP } from "node:net"
import { FetchNetworkError, FetchPolicyError, FetchStatusError, redactUrl } from "./fetch-errors"
import { isPublicAddress } from "./ip-policy"

export type Resolver = (host: string) => Promise<{ address: string; family: number }[]>

export interface SafeFetchOptions {
  maxBytes: number
  timeoutMs: number
  /** DNS resolution; injectable for tests. Every answer must be public. */
  resolve?: Resolver
  /** @default 3 */
  maxRedirects?: number
  /** Which addresses may be contacted. @default isPublicAddress (tests widen it to reach a local server) */
  allowAddress?: (address: string) => boolean
}

export interface FetchedBody {
  bytes: Uint8Array
  contentType: string | undefined
  finalUrl: string
}

const BLOCKED_NAMES = new Set(["localhost", "localhost.localdomain", "metadata.google.internal", "metadata"])
const NOT_PUBLIC = "private, loopback, link-local, or reserved addresses are not allowed."
const REDIRECTS = new Set([301, 302, 303, 307, 308])

const defaultResolver: Resolver = (host) => dnsLookup(host, { all: true, verbatim: true })

/**
 * GET with SSRF defences: http(s) only; every address a name resolves to must be public; the connection goes to
 * the address that was checked (no second lookup); redirects are followed up to `maxRedirects`, each hop checked
 * again; the body is streamed under a byte cap; one deadline covers everything. Proxy settings are ignored.
 */
export async function safeFetch(input: string, opts: SafeFetchOptions): Promise<FetchedBody> {
  const deadline = AbortSignal.timeout(opts.timeoutMs)
  let url = parseUrl(input)
  for (let hop = 0; ; hop++) {
    const address = await checkDestination(url, opts.resolve ?? defaultResolver, opts.allowAddress ?? isPublicAddress)
    const response = await request(url, address, opts.maxBytes, deadline)
    if (REDIRECTS.has(response.status) && response.location !== undefined) {
      if (hop >= (opts.maxRedirects ?? 3)) throw new FetchPolicyError(`more than ${opts.maxRedirects ?? 3} redirects.`)
      url = parseUrl(new URL(response.location, url).toString())
      continue
    }
    if (response.status < 200 || response.status >= 300) {
      throw new FetchStatusError(`HTTP ${response.status} ${response.statusText} from ${redactUrl(url)}`.trim())
    }
    return { bytes: response.body, contentType: response.contentType, finalUrl: url.toString() }
  }
}

function parseUrl(text: string): URL {
  if (!URL.canParse(text)) throw new FetchPolicyError("not a valid URL.")
  const url = new URL(text)
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new FetchPolicyError(`only http and https URLs are allowed, not '${url.protocol.replace(":", "")}'.`)
  }
  if (!url.hostname) throw new FetchPolicyError("the URL has no host.")
  return url
}

async function checkDestination(
  url: URL,
  resolve: Resolver,
  allowed: (address: string) => boolean,
): Promise<{ address: string; family: number }> {
  const host = url.hostname
    .replace(/^\[|\]$/g, "")
    .replace(/\.$/, "")
    .toLowerCase()
  if (BLOCKED_NAMES.has(host) || host.endsWith(".localhost")) {
    throw new FetchPolicyError(`the host '${host}' is not allowed: ${NOT_PUBLIC}`)
  }
  if (isIP(host)) {
    if (!allowed(host)) throw new FetchPolicyError(`the address ${host} is not public: ${NOT_PUBLIC}`)
    return { address: host, family: isIP(host) }
  }
  let answers: { address: string; family: number }[]
  try {
    answers = await resolve(host)
  } catch {
    throw new FetchPolicyError(`the host '${host}' could not be resolved.`)
  }
  if (answers.length === 0) throw new FetchPolicyError(`the host '${host}' could not be resolved.`)
  const bad = answers.find((a) => !allowed(a.address))
  if (bad) throw new FetchPolicyError(`'${host}' resolves to ${bad.address}, which is not public: ${NOT_PUBLIC}`)
  return answers[0] as { address: string; family: number }
}

interface RawResponse {
  status: number
  statusText: string
  location?: string
  contentType?: string
  body: Uint8Array
}

async function request(url: URL, pinned: { address: string; family: number }, maxBytes: number, signal: AbortSignal) {
  // Loaded on first use: start-up does not pay for Node's HTTP stack.
  const client = url.protocol === "https:" ? await import("node:https") : await import("node:http")
  return new Promise<RawResponse>((resolve, reject) => {
    if (signal.aborted) return reject(new FetchNetworkError("timed out"))
    const req = client.request(
      url,
      {
        method: "GET",
        agent: false,
        headers: { "user-agent": "image-generation-mcp", accept: "image/*" },
        // The name was checked above; connect to exactly that address, never a fresh DNS answer.
        lookup: (_host, options, callback) => {
          const cb = callback as (
            e: Error | null,
            a: string | { address: string; family: number }[],
            f?: number,
          ) => void
          if ((options as { all?: boolean }).all) cb(null, [pinned])
          else cb(null, pinned.address, pinned.family)
        },
      },
      (res) => {
        const status = res.statusCode ?? 0
        const head = {
          status,
          statusText: res.statusMessage ?? "",
          location: res.headers.location,
          contentType: res.headers["content-type"],
        }
        if (REDIRECTS.has(status) || status < 200 || status >= 300) {
          res.resume()
          return resolve({ ...head, body: new Uint8Array() })
        }
        const declared = Number(res.headers["content-length"] ?? 0)
        if (declared > maxBytes) {
          req.destroy()
          return reject(new FetchPolicyError(`the response is ${declared} bytes; the limit is ${maxBytes} bytes.`))
        }
        const chunks: Buffer[] = []
        let size = 0
        res.on("data", (chunk: Buffer) => {
          size += chunk.length
          if (size > maxBytes) {
            req.destroy()
            reject(new FetchPolicyError(`the response is larger than the ${maxBytes}-byte limit.`))
            return
          }
          chunks.push(chunk)
        })
        res.on("end", () => resolve({ ...head, body: new Uint8Array(Buffer.concat(chunks)) }))
        res.on("error", () => reject(new FetchNetworkError("the connection failed")))
      },
    )
    const onAbort = () => {
      req.destroy()
      reject(new FetchNetworkError("timed out"))
    }
    signal.addEventListener("abort", onAbort, { once: true })
    req.on("close", () => signal.removeEventListener("abort", onAbort))
    req.on("error", (error) =>
      reject(error instanceof FetchPolicyError ? error : new FetchNetworkError("the connection failed")),
    )
    req.end()
  })
}
