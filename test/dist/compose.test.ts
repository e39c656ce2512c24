// compose.yml's `replicas` profile, read as compose reads it (no Docker engine here): which services it adds,
// and that their settings point at each other.
import { describe, expect, test } from "bun:test"
import { existsSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { s3Location } from "@/storage/s3-config"
import { ROOT } from "./build"

interface Service {
  image?: string
  profiles?: string[]
  environment?: Record<string, string>
  depends_on?: Record<string, { condition: string }> | string[]
  volumes?: string[]
  ports?: string[]
  command?: string[]
  read_only?: boolean
  cap_drop?: string[]
}

const TEXT = readFileSync(join(ROOT, "compose.yml"), "utf8")
/** The secrets a user puts in .env, substituted as compose does (`${NAME:-default}`). */
const DOT_ENV: Record<string, string> = { POSTGRES_PASSWORD: "pgSecret42", S3_SECRET_ACCESS_KEY: "s3Secret42" }
const interpolated = TEXT.replace(
  /\$\{([A-Z0-9_]+):-([^}]*)\}/g,
  (_m, name: string, fallback: string) => DOT_ENV[name] ?? fallback,
)
const compose = Bun.YAML.parse(interpolated) as {
  services: Record<string, Service>
  volumes: Record<string, unknown>
}
const services = compose.services
const service = (name: string): Service => {
  const found = services[name]
  if (!found) throw new Error(`compose.yml has no service ${name}`)
  return found
}
const env = (name: string) => service(name).environment ?? {}
const replicas = Object.keys(services).filter((name) => /^replica-\d+$/.test(name))
const dependsOn = (name: string) => service(name).depends_on ?? {}

describe("compose.yml, profile replicas", () => {
  test("adds PostgreSQL, an S3 store, two or more replicas and a proxy; the single server stays outside it", () => {
    expect(service("image-generation-mcp").profiles).toBeUndefined()
    const profiled = Object.keys(services).filter((name) => service(name).profiles?.includes("replicas"))
    expect(profiled.sort()).toEqual(["minio", "minio-bucket", "postgres", "proxy", ...replicas].sort())
    expect(replicas.length).toBeGreaterThanOrEqual(2)
    for (const name of replicas) expect(service(name).image).toBe(service("image-generation-mcp").image as string)
  })

  test("every replica uses the one PostgreSQL database the postgres service creates", () => {
    const pg = env("postgres")
    for (const name of replicas) {
      const url = new URL(env(name).IMAGE_GENERATION_MCP_DATABASE_URL ?? "")
      expect(url.protocol).toBe("postgres:")
      expect(services[url.hostname]).toBe(service("postgres"))
      expect(url.port).toBe("5432")
      expect(url.username).toBe(pg.POSTGRES_USER as string)
      expect(decodeURIComponent(url.password)).toBe(pg.POSTGRES_PASSWORD as string)
      expect(url.pathname).toBe(`/${pg.POSTGRES_DB}`)
      expect(dependsOn(name)).toMatchObject({ postgres: { condition: "service_healthy" } })
    }
  })

  test("every replica uses the bucket the minio-bucket job creates, with MinIO's credentials", () => {
    const minio = env("minio")
    for (const name of replicas) {
      const settings = env(name)
      const where = s3Location(settings.IMAGE_GENERATION_MCP_BLOB_STORE_URL ?? "", settings)
      expect(service("minio-bucket").command).toEqual(["mb", "--ignore-existing", `store/${where.bucket}`])
      const endpoint = new URL(where.endpoint ?? "")
      expect(services[endpoint.hostname]).toBe(service("minio"))
      expect(endpoint.port).toBe("9000")
      expect(where.accessKeyId).toBe(minio.MINIO_ROOT_USER as string)
      expect(where.secretAccessKey).toBe(minio.MINIO_ROOT_PASSWORD as string)
      expect(dependsOn(name)).toMatchObject({ "minio-bucket": { condition: "service_completed_successfully" } })
    }
    const mc = new URL(env("minio-bucket").MC_HOST_store ?? "")
    expect([mc.hostname, mc.port, mc.username, mc.password]).toEqual(["minio", "9000", "mcp", "s3Secret42"])
    expect(minio).toMatchObject({ MINIO_ROOT_USER: "mcp", MINIO_ROOT_PASSWORD: "s3Secret42" })
  })

  test("replicas share the style library, drop privileges and accept the proxy's host names", () => {
    for (const name of replicas) {
      expect(service(name).volumes).toContain("styles:/data/styles")
      expect(service(name)).toMatchObject({ read_only: true, cap_drop: ["ALL"] })
      expect(env(name).IMAGE_GENERATION_MCP_ALLOWED_HOSTS?.split(",")).toEqual(["localhost", "127.0.0.1"])
    }
    expect(Object.keys(compose.volumes)).toContain("styles")
  })

  test("the proxy runs the shipped HAProxy configuration in front of every replica, published on loopback", () => {
    const proxy = service("proxy")
    expect(proxy.image).toMatch(/^haproxy:/)
    const [source, target] = (proxy.volumes?.[0] ?? "").split(":")
    expect(source).toBe("./packaging/haproxy/haproxy.cfg")
    expect(target).toBe("/usr/local/etc/haproxy/haproxy.cfg")
    expect(existsSync(join(ROOT, source ?? ""))).toBe(true)
    const settings = env("proxy")
    const upstreams = Object.entries(settings).filter(([key]) => key.startsWith("MCP_REPLICA_"))
    expect(upstreams.map(([, address]) => address).sort()).toEqual(replicas.map((name) => `${name}:8000`).sort())
    expect(dependsOn("proxy")).toEqual(replicas)
    const listen = settings.MCP_LISTEN?.split(":").pop()
    expect(proxy.ports).toEqual([`127.0.0.1:${listen}:${listen}`])
  })

  test("nothing is published beyond loopback, and no password is written into the file", () => {
    for (const [name, s] of Object.entries(services)) {
      for (const port of s.ports ?? []) expect(`${name} ${port}`).toMatch(/^\S+ 127\.0\.0\.1:/)
    }
    // Secrets come from .env only: every one the file uses is a substitution without a default.
    expect(env("postgres").POSTGRES_PASSWORD).toBe("pgSecret42")
    const substitutions = [...TEXT.matchAll(/\$\{([A-Z0-9_]+)([^}]*)\}/g)].map(([, name, rest]) => `${name}${rest}`)
    expect([...new Set(substitutions)].sort()).toEqual(["POSTGRES_PASSWORD:-", "S3_SECRET_ACCESS_KEY:-"])
  })
})
