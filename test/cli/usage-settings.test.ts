// The budget and price settings as the CLI meets them: start-up errors for files that do not parse and for
// negative budgets, and doctor's report of both.
import { describe, expect, test } from "bun:test"
import { existsSync } from "node:fs"
import { writeFile } from "node:fs/promises"
import { join } from "node:path"
import { tmpdir } from "../fixture/tmpdir"
import { runCli } from "../helpers/cli"

const P = "IMAGE_GENERATION_MCP_"
const env = (dir: string, extra: Record<string, string> = {}) => ({
  HOME: dir,
  [`${P}DB_PATH`]: join(dir, "state.sqlite"),
  ...extra,
})

describe("serve", () => {
  test("a prices file that does not parse stops start-up naming the line, before anything is opened", async () => {
    await using dir = await tmpdir()
    const prices = join(dir.path, "prices.toml")
    await writeFile(prices, '[[price]]\nprovider = "openai"\nusd = = 1\n')
    const { code, stderr } = await runCli(["serve"], env(dir.path, { [`${P}PRICES_FILE`]: prices }))
    expect(code).toBe(1)
    expect(stderr.trim().split("\n").at(-1)).toBe(
      `image-generation-mcp: ${P}PRICES_FILE (${prices}): not valid TOML at line 3: Expected a value but found '='.`,
    )
    expect(existsSync(join(dir.path, "state.sqlite"))).toBe(false)
  })

  test("a negative budget stops start-up with a clear message", async () => {
    await using dir = await tmpdir()
    const { code, stderr } = await runCli(["serve"], env(dir.path, { [`${P}MONTHLY_BUDGET_USD`]: "-20" }))
    expect(code).toBe(1)
    expect(stderr.trim()).toBe(
      `image-generation-mcp: ${P}MONTHLY_BUDGET_USD=-20 is invalid: a budget cannot be negative (0 allows only free calls).`,
    )
  })
})

describe("doctor", () => {
  test("shows the budgets and the prices file, and says the built-in table's dates", async () => {
    await using dir = await tmpdir()
    const prices = join(dir.path, "prices.toml")
    const budgets = join(dir.path, "budgets.toml")
    await writeFile(prices, '[[price]]\nprovider = "openai"\nmodel = "gpt-image-2.6-sunburst"\nusd = 0.05\n')
    await writeFile(budgets, '[default]\ndaily_usd = 1\n\n[subjects."alice"]\ndaily_usd = 2\n')
    const settings = { [`${P}DAILY_BUDGET_USD`]: "5", [`${P}PRICES_FILE`]: prices, [`${P}BUDGETS_FILE`]: budgets }
    const { code, stdout } = await runCli(["doctor"], env(dir.path, settings))
    expect(code).toBe(0)
    expect(stdout).toMatch(/daily budget +\$5\.00 per UTC day/)
    expect(stdout).toMatch(/monthly budget +\(none\)/)
    expect(stdout).toContain(`budgets file             ${budgets}`)
    expect(stdout).toContain(`prices file              ${prices}`)
    expect(stdout).toMatch(
      /ok +prices +1 row\(s\) from .*prices\.toml, then the built-in table \(openai checked \d{4}-\d\d-\d\d/,
    )
    expect(stdout).toMatch(
      /ok +budgets +server-wide daily \$5\.00 \(UTC\); 1 subject\(s\) with their own limits and a \[default\]/,
    )
  })

  test("a prices or budgets file that does not read fails its check with the line and a fix", async () => {
    await using dir = await tmpdir()
    const prices = join(dir.path, "prices.toml")
    await writeFile(prices, "[[price]]\nusd = = 1\n")
    const budgets = join(dir.path, "missing.toml")
    const { code, stdout } = await runCli(
      ["doctor"],
      env(dir.path, { [`${P}PRICES_FILE`]: prices, [`${P}BUDGETS_FILE`]: budgets }),
    )
    expect(code).toBe(1)
    expect(stdout).toMatch(/FAIL +prices +.*prices\.toml\): not valid TOML at line 2: Expected a value but found '='\./)
    expect(stdout).toMatch(/FAIL +budgets +.*missing\.toml\): the file does not exist\./)
    expect(stdout).toContain("fix: Correct the prices file (see README, Budgets and prices).")
    expect(stdout).toContain("2 problem(s) found.")
  })
})
