import { describe, expect, test } from "bun:test"
import { isPublicAddress } from "@/core/intake/ip-policy"
import { imageServer } from "../fixture/image-server"
import { quadrantPng } from "../fixture/images"
import { startServices } from "../helpers/services"

const REFUSED_URLS = [
  "http://127.0.0.1/a.png",
  "http://127.255.255.254/",
  "http://localhost/a.png",
  "http://LOCALHOST./a.png",
  "http://localhost.localdomain/",
  "http://app.localhost/",
  "http://metadata.google.internal/computeMetadata/v1/",
  "http://169.254.169.254/latest/meta-data/",
  "http://10.0.0.1/",
  "http://172.16.5.4/",
  "http://172.31.255.255/",
  "http://192.168.0.10/",
  "http://100.64.1.1/",
  "http://198.18.0.5/",
  "http://192.0.2.1/",
  "http://198.51.100.7/",
  "http://203.0.113.9/",
  "http://192.0.0.8/",
  "http://224.0.0.1/",
  "http://239.255.255.250/",
  "http://255.255.255.255/",
  "http://0.0.0.0/",
  "http://[::1]/",
  "http://[::]/",
  "http://[::ffff:127.0.0.1]/",
  "http://[::ffff:a9fe:a9fe]/",
  "http://[64:ff9b::a9fe:a9fe]/",
  "http://[64:ff9b::7f00:1]/",
  "http://[fe80::1]/",
  "http://[fc00::1]/",
  "http://[fd00:ec2::254]/",
  "http://[2001:db8::1]/",
  "http://[ff02::1]/",
  "http://[::127.0.0.1]/",
  "http://2130706433/",
  "http://0177.0.0.1/",
  "http://0x7f.0.0.1/",
  "http://0x7f000001/",
  "http://127.1/",
  "http://017700000001/",
  "http://0xa9.0xfe.0xa9.0xfe/",
  "http://3232235521/",
]

describe("fetch_image address policy", () => {
  test.each(REFUSED_URLS)("%s is refused as not public", async (url) => {
    await using env = await startServices()
    const result = await env.services.imports.fetchUrl(url)
    expect(result.ok).toBe(false)
    expect(result.message).toStartWith("Could not fetch the image: ")
    expect(result.message).toContain("private, loopback, link-local, or reserved addresses are not allowed.")
  })

  test.each([
    ["ftp://example.com/a.png", "only http and https URLs are allowed, not 'ftp'."],
    ["file:///etc/passwd", "only http and https URLs are allowed, not 'file'."],
    ["gopher://example.com/", "only http and https URLs are allowed, not 'gopher'."],
    ["data:image/png;base64,AAAA", "only http and https URLs are allowed, not 'data'."],
    ["not a url", "not a valid URL."],
    ["http://", "not a valid URL."],
  ])("%s is refused: %s", async (url, reason) => {
    await using env = await startServices()
    expect((await env.services.imports.fetchUrl(url)).message).toBe(`Could not fetch the image: ${reason}`)
  })

  test("public addresses pass; mapped and NAT64 forms are judged by their IPv4 part", () => {
    for (const ip of [
      "93.184.216.34",
      "8.8.8.8",
      "172.32.0.1",
      "100.128.0.1",
      "2606:4700::1111",
      "::ffff:8.8.8.8",
      "64:ff9b::808:808",
    ]) {
      expect(isPublicAddress(ip)).toBe(true)
    }
  })

  test("a loopback server is never contacted; a public name resolving to a private address is refused", async () => {
    await using server = imageServer({ "/a.png": () => new Response(quadrantPng(8, 8)) })
    const resolved: string[] = []
    await using env = await startServices({
      deps: {
        fetch: {
          resolve: async (host) => {
            resolved.push(host)
            return host === "mixed.test"
              ? [
                  { address: "93.184.216.34", family: 4 },
                  { address: "127.0.0.1", family: 4 },
                ]
              : [{ address: "10.0.0.5", family: 4 }]
          },
        },
      },
    })
    const direct = await env.services.imports.fetchUrl(`http://127.0.0.1:${server.port}/a.png`)
    expect(direct.message).toContain("not public")
    const rebinding = await env.services.imports.fetchUrl(`http://images.example.com:${server.port}/a.png`)
    expect(rebinding.message).toBe(
      "Could not fetch the image: 'images.example.com' resolves to 10.0.0.5, which is not public: private, loopback, link-local, or reserved addresses are not allowed.",
    )
    const mixed = await env.services.imports.fetchUrl(`http://mixed.test:${server.port}/a.png`)
    expect(mixed.message).toContain("resolves to 127.0.0.1")
    expect(resolved).toEqual(["images.example.com", "mixed.test"])
    expect(server.requests).toEqual([])
  })

  test("a name that does not resolve fails closed", async () => {
    await using env = await startServices({
      deps: { fetch: { resolve: async () => Promise.reject(new Error("ENOTFOUND")) } },
    })
    expect((await env.services.imports.fetchUrl("http://nowhere.test/a.png")).message).toBe(
      "Could not fetch the image: the host 'nowhere.test' could not be resolved.",
    )
  })
})
