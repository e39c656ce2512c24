import { afterEach, describe, expect, test } from "bun:test"
import { configureLogger, createLogger } from "@/util/log"
import { redact, registerSecret } from "@/util/redact"

describe("redaction", () => {
  test("URL credentials, query strings and fragments go; the surrounding text stays", () => {
    expect(redact("GET https://user:pw@api.example.com/v1/x?key=SECRET#frag failed")).toBe(
      "GET https://***@api.example.com/v1/x failed",
    )
    expect(redact("Unknown resource 'image://list?x=1'.")).toBe("Unknown resource 'image://list'.")
    expect(redact('{"url":"http://h/p?token=abc","color":"#aabbcc"}')).toBe('{"url":"http://h/p","color":"#aabbcc"}')
    expect(redact("Authorization: Bearer abc.def-ghi")).toBe("Authorization: Bearer ***")
  })

  test("registered secrets are masked wherever they appear", () => {
    registerSecret("sk-test-0123456789")
    expect(redact("bad key sk-test-0123456789 rejected")).toBe("bad key *** rejected")
  })
})

describe("logger", () => {
  const lines: string[] = []
  afterEach(() => {
    lines.length = 0
    configureLogger({ level: "error", json: true, sink: (line) => process.stderr.write(`${line}\n`) })
  })

  test("fields with URLs and secrets are redacted one by one and never break the logger", () => {
    configureLogger({ level: "debug", json: true, sink: (line) => lines.push(line) })
    const log = createLogger("test")
    log.warning("Discovery failed for http://sd:7860/sdapi/v1/sd-models?api_key=SECRET", {
      url: "http://h/p?token=abc",
      where: "http://h/p",
      color: "#aabbcc",
      error: new Error("GET http://x/y?sig=SECRET → 500"),
      nested: { list: ["https://a/b?c=d"] },
    })
    const entry = JSON.parse(lines[0] ?? "{}")
    expect(entry).toMatchObject({
      level: "warning",
      logger: "test",
      message: "Discovery failed for http://sd:7860/sdapi/v1/sd-models",
      url: "http://h/p",
      where: "http://h/p",
      color: "#aabbcc",
      error: { name: "Error", message: "GET http://x/y → 500" },
      nested: { list: ["https://a/b"] },
    })
    expect(lines[0]).not.toContain("SECRET")
  })

  test("text lines on a terminal; levels below the threshold are dropped", () => {
    configureLogger({ level: "info", json: false, sink: (line) => lines.push(line) })
    const log = createLogger("cli")
    log.debug("hidden")
    log.info("Listening", { port: 8000 })
    expect(lines).toEqual(["INFO cli: Listening port=8000"])
  })
})
