import { describe, expect, test } from "bun:test"
import { firstLine, parseFrontMatter, parseStyleText, parseValue } from "@/core/styles/front-matter"

const style = (text: string) => {
  const parsed = parseStyleText(text)
  if (!parsed.ok) throw new Error(`expected a style, got: ${parsed.problem}`)
  return parsed.style
}

describe("front-matter values", () => {
  test.each([
    ["", null],
    ["   ", null],
    ["null", null],
    ["~", null],
    ["Null", "Null"],
    ["hd", "hd"],
    ['"16:9"', "16:9"],
    ["'16:9'", "16:9"],
    ['""', ""],
    ['"', '"'],
    ["'mixed\"", "'mixed\""],
    ["x # not a comment", "x # not a comment"],
    ["[]", []],
    ["[  ]", []],
    ["[a, b]", ["a", "b"]],
    ['[brand, "web, modern"]', ["brand", "web, modern"]],
    ["['a, b', \"c\"]", ["a, b", "c"]],
    ['[" padded ", x]', ["padded", "x"]],
    ["[a,, b, ]", ["a", "b"]],
    ['[it\'s, "fine"]', ['its, "fine"']],
    ["[a, b", "[a, b"],
    ["a, b]", "a, b]"],
  ] as const)("%j → %j", (raw, expected) => {
    expect(parseValue(raw)).toEqual(expected as unknown as string)
  })
})

describe("front-matter lines", () => {
  test("blank lines, comments, lines without a key and keys at column 0 are skipped; a later key wins", () => {
    const fields = parseFrontMatter(
      [
        "# a comment",
        "",
        "   ",
        "no colon here",
        ":starts with colon",
        "name: first",
        "  name :  second  ",
        "url: http://x",
      ].join("\n"),
    )
    expect(Object.fromEntries(fields)).toEqual({ name: "second", url: "http://x" })
  })

  test("CRLF, lone CR and Python's other line breaks all split lines", () => {
    const fields = parseFrontMatter("a: 1\r\nb: 2\rc: 3\x0bd: 4\u2028e: 5\n")
    expect(Object.fromEntries(fields)).toEqual({ a: "1", b: "2", c: "3", d: "4", e: "5" })
  })
})

describe("style files", () => {
  test("a full style", () => {
    const text = [
      "---",
      "name: watercolor",
      'tags: [art, "soft, warm"]',
      "provider: sd_webui",
      'aspect_ratio: "3:2"',
      "quality: hd",
      "---",
      "",
      "  Loose watercolour washes.",
      "",
      "Paper texture visible.  ",
      "",
    ].join("\n")
    expect(style(text)).toEqual({
      name: "watercolor",
      tags: ["art", "soft, warm"],
      provider: "sd_webui",
      aspectRatio: "3:2",
      quality: "hd",
      body: "Loose watercolour washes.\n\nPaper texture visible.",
    })
  })

  test("a minimal style: only a name, no body", () => {
    expect(style("---\nname: bare\n---\n")).toEqual({
      name: "bare",
      tags: [],
      provider: null,
      aspectRatio: null,
      quality: null,
      body: "",
    })
    expect(style("---\nname: eof\n---").name).toBe("eof")
  })

  test("CRLF files and trailing blanks on the fences", () => {
    const parsed = style("--- \t\r\nname: crlf\r\ntags: [a, 'b, c']\r\nprovider: ~\r\n---  \r\n\r\nBody line\r\n")
    expect(parsed).toMatchObject({ name: "crlf", tags: ["a", "b, c"], provider: null, body: "Body line" })
  })

  test("provider: null, empty values and lists for scalars", () => {
    const parsed = style('---\nname: n\nprovider: null\naspect_ratio:\nquality: [a, "it\'s"]\ntags: solo\n---\nx')
    expect(parsed).toMatchObject({ provider: null, aspectRatio: null, quality: `['a', "it's"]`, tags: ["solo"] })
    expect(style("---\nname: n\ntags: []\naspect_ratio: []\nprovider: [x]\n---\n")).toMatchObject({
      tags: [],
      aspectRatio: "[]",
      provider: null,
    })
    expect(style('---\nname: n\ntags: ""\nprovider: ""\n---\n')).toMatchObject({ tags: [""], provider: "" })
    expect(style("---\nname: n\naspect_ratio: 16:9\ntags: [a, b\n---\n")).toMatchObject({
      aspectRatio: "16:9",
      tags: ["[a, b"],
    })
  })

  test.each([
    ["no front-matter at all", "Just a body.\n"],
    ["a fence that does not start the file", "\n---\nname: x\n---\n"],
    ["an indented fence", " ---\nname: x\n---\n"],
    ["an unterminated front-matter", "---\nname: x\nbody\n"],
    ["an empty front-matter", "---\n---\nbody\n"],
  ])("skipped: %s", (_, text) => {
    expect(parseStyleText(text)).toEqual({ ok: false, problem: "it does not start with a --- front-matter block" })
  })

  test.each([
    ["no name key", "---\ntags: [a]\n---\n"],
    ["an empty name", '---\nname: ""\n---\n'],
    ["a null name", "---\nname: ~\n---\n"],
    ["a list as name", "---\nname: [a, b]\n---\n"],
  ])("skipped: %s", (_, text) => {
    expect(parseStyleText(text)).toEqual({ ok: false, problem: "its front-matter has no name" })
  })

  test("the closing fence is the first line starting with ---, as in the reference", () => {
    expect(style("---\nname: x\n---trailing\nrest\n").body).toBe("trailing\nrest")
    expect(style("---\nname: x\n---\nbody\n---\nmore\n").body).toBe("body\n---\nmore")
  })

  test("description is the first non-blank line, stripped", () => {
    expect(firstLine("\n\n   First line  \nsecond")).toBe("First line")
    expect(firstLine("  \n\t\n")).toBe("")
  })
})
