import { describe, expect, test } from "bun:test"
import { ConfigError, loadConfig } from "@/config/config"

const P = "IMAGE_GENERATION_MCP_"
const load = (env: Record<string, string>) => loadConfig(env, "/home/u")

describe("configuration", () => {
  test("defaults", () => {
    const { config, warnings } = load({})
    expect(warnings).toEqual([])
    expect(config).toMatchObject({
      readOnly: true,
      scratchDir: "/home/u/.image-generation-mcp/images",
      stylesDir: "/home/u/.image-generation-mcp/styles",
      dbPath: "/home/u/.image-generation-mcp/state.sqlite",
      defaultProvider: "auto",
      transformCacheSize: 64,
      paidProviders: ["openai", "gemini"],
      livePreviews: true,
      allowLocalFileInput: false,
      maxInputImageBytes: 20_971_520,
      maxInputPixels: 40_000_000,
      fetchTimeoutS: 30,
      serverName: "image-generation-mcp",
      httpPath: "/mcp",
      host: "127.0.0.1",
      port: 8000,
      logLevel: "info",
      transfer: { ttlDefaultS: 3600, ttlMaxS: 86400, graceTtlS: 60, leaseS: 60, maxUploadBytes: 104_857_600 },
    })
    expect(Object.isFrozen(config)).toBe(true)
  })

  test("values are trimmed, empty means unset, booleans accept 1/true/yes/on", () => {
    for (const word of ["1", "true", "YES", " on "])
      expect(load({ [`${P}ALLOW_LOCAL_FILE_INPUT`]: word }).config.allowLocalFileInput).toBe(true)
    expect(load({ [`${P}READ_ONLY`]: "off" }).config.readOnly).toBe(false)
    expect(load({ [`${P}LIVE_PREVIEWS`]: "false" }).config.livePreviews).toBe(false)
    expect(load({ [`${P}LIVE_PREVIEWS`]: "no" }).config.livePreviews).toBe(false)
    expect(load({ [`${P}READ_ONLY`]: "   " }).config.readOnly).toBe(true)
    expect(load({ [`${P}SCRATCH_DIR`]: "  ~/pics  " }).config.scratchDir).toBe("/home/u/pics")
    expect(load({ [`${P}SERVER_NAME`]: "" }).config.serverName).toBe("image-generation-mcp")
  })

  test("lists are comma-separated; an empty PAID_PROVIDERS turns confirmation off", () => {
    expect(load({ [`${P}PAID_PROVIDERS`]: " openai , SD_WEBUI ,, " }).config.paidProviders).toEqual([
      "openai",
      "sd_webui",
    ])
    expect(load({ [`${P}PAID_PROVIDERS`]: "" }).config.paidProviders).toEqual([])
    expect(load({ [`${P}ALLOWED_HOSTS`]: "Images.Example.com, other" }).config.allowedHosts).toEqual([
      "images.example.com",
      "other",
    ])
  })

  test("malformed values warn, naming the variable and the default used", () => {
    const { config, warnings } = load({
      [`${P}TRANSFORM_CACHE_SIZE`]: "lots",
      [`${P}FETCH_TIMEOUT_S`]: "soon",
      [`${P}READ_ONLY`]: "maybe",
      FASTMCP_LOG_LEVEL: "LOUD",
      [`${P}AUTH_MODE`]: "magic",
    })
    expect(config.transformCacheSize).toBe(64)
    expect(config.fetchTimeoutS).toBe(30)
    expect(config.readOnly).toBe(true)
    expect(config.logLevel).toBe("info")
    expect(warnings).toEqual([
      `${P}READ_ONLY="maybe" is not valid; using the default true.`,
      `${P}TRANSFORM_CACHE_SIZE="lots" is not valid; using the default 64.`,
      `${P}FETCH_TIMEOUT_S="soon" is not valid; using the default 30.`,
      `${P}AUTH_MODE="magic" is not valid; using the default (detected from the other settings).`,
      `FASTMCP_LOG_LEVEL="LOUD" is not valid; using the default INFO.`,
    ])
  })

  test.each([
    [`${P}PORT`, "70000", `${P}PORT=70000 is invalid: it must be between 1 and 65535.`],
    [`${P}PORT`, "0", `${P}PORT=0 is invalid: it must be between 1 and 65535.`],
    [`${P}MAX_INPUT_IMAGE_BYTES`, "-1", `${P}MAX_INPUT_IMAGE_BYTES=-1 is invalid: it must be at least 1.`],
    [`${P}FETCH_TIMEOUT_S`, "0", `${P}FETCH_TIMEOUT_S=0 is invalid: it must be greater than 0.`],
    [
      `${P}TRANSFER_TTL_DEFAULT_S`,
      "90000",
      `${P}TRANSFER_TTL_DEFAULT_S (90000) must not exceed ${P}TRANSFER_TTL_MAX_S (86400).`,
    ],
    [`${P}BASE_URL`, "ftp://x", `${P}BASE_URL is invalid: expected an http:// or https:// URL.`],
    [`${P}KV_STORE_URL`, "redis://x", `${P}KV_STORE_URL is invalid: expected memory:// or file:///absolute/path.`],
  ])("an impossible %s=%s stops start-up with one line", (name, value, message) => {
    expect(() => load({ [name]: value })).toThrow(new ConfigError(message))
  })

  test("deprecated A1111 names still work, with a warning; the new names win", () => {
    const legacy = load({ [`${P}A1111_HOST`]: "http://sd:7860", [`${P}A1111_MODEL`]: "dreamshaper_8" })
    expect(legacy.config.providers.sd_webui).toMatchObject({ host: "http://sd:7860", model: "dreamshaper_8" })
    expect(legacy.warnings).toEqual([
      `${P}A1111_HOST is deprecated; use ${P}SD_WEBUI_HOST instead.`,
      `${P}A1111_MODEL is deprecated; use ${P}SD_WEBUI_MODEL instead.`,
    ])
    const both = load({ [`${P}A1111_HOST`]: "http://old", [`${P}SD_WEBUI_HOST`]: "http://new" })
    expect(both.config.providers.sd_webui?.host).toBe("http://new")
    expect(both.warnings).toEqual([])
    const provider = load({ [`${P}DEFAULT_PROVIDER`]: "a1111" })
    expect(provider.config.defaultProvider).toBe("sd_webui")
    expect(provider.warnings[0]).toContain("a1111 is deprecated")
  })

  test("log level: our variable wins over FASTMCP_LOG_LEVEL; rich logging off means JSON lines", () => {
    expect(load({ FASTMCP_LOG_LEVEL: "DEBUG" }).config.logLevel).toBe("debug")
    expect(load({ FASTMCP_LOG_LEVEL: "DEBUG", [`${P}LOG_LEVEL`]: "warning" }).config.logLevel).toBe("warning")
    expect(load({ FASTMCP_ENABLE_RICH_LOGGING: "false" }).config.logJson).toBe(true)
    expect(load({}).config.logJson).toBeUndefined()
  })

  test("an optional port that is not a number is left unset, with a warning", () => {
    const { config, warnings } = load({ [`${P}DEBUG_PORT`]: "abc" })
    expect(config.debugPort).toBeUndefined()
    expect(warnings).toEqual([`${P}DEBUG_PORT="abc" is not valid; leaving it unset.`])
    expect(load({ [`${P}DEBUG_PORT`]: "5678" }).config.debugPort).toBe(5678)
  })

  test("the HTTP path is normalised", () => {
    expect(load({ [`${P}HTTP_PATH`]: "api/mcp/" }).config.httpPath).toBe("/api/mcp")
    expect(load({ [`${P}HTTP_PATH`]: "/" }).config.httpPath).toBe("/")
  })
})
