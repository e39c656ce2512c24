import { expect, test } from "bun:test"
import { selectProvider } from "@/core/providers/selector"
import { providerCapabilities } from "@/providers/types"
import { fakeModel } from "../fixture/fake-provider"

const select = (
  prompt: string,
  available: string[],
  opts: { background?: string; bg?: Record<string, boolean> } = {},
) => {
  const capabilities = new Map(
    Object.entries(opts.bg ?? {}).map(([name, bg]) => [
      name,
      providerCapabilities(name, [fakeModel("m", { supports_background: bg })]),
    ]),
  )
  return selectProvider({ prompt, available, capabilities, background: opts.background ?? "opaque" })
}

const three = ["placeholder", "openai", "sd_webui"]

test.each([
  ["professional logo design", three, "openai"],
  ["give me a sign", three, "openai"],
  ["neon signage on brick wall", three, "openai"],
  ["start the party", three, "openai"],
  ["realistic photo portrait", three, "sd_webui"],
  ["realistic photo portrait", ["placeholder", "openai", "gemini"], "gemini"],
  ["a draft of the layout", ["placeholder", "openai", "gemini"], "gemini"],
  ["quick test", three, "placeholder"],
  ["watercolor painting of a bay", ["placeholder", "openai"], "openai"],
  ["anything", ["custom_provider"], "custom_provider"],
])("%p with %p picks %p", (prompt, available, expected) => {
  expect(select(prompt, available)).toBe(expected)
})

test("a transparent background moves away from providers that cannot do it", () => {
  const choice = select("realistic photo portrait", three, {
    background: "transparent",
    bg: { openai: true, sd_webui: false, placeholder: true },
  })
  expect(choice).toBe("openai")
})

test("no providers is an error", () => {
  expect(() => select("x", [])).toThrow("[auto] No providers available")
})
