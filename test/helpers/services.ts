import { join } from "node:path"
import { type Config, loadConfig } from "@/config/config"
import { createServices, type ServiceDeps, type Services } from "@/core/services"
import { type TempDir, tmpdir } from "../fixture/tmpdir"

export interface TestEnv {
  dir: TempDir
  config: Config
  services: Services
}

/** Config for a temp dir: scratch dir, database and styles inside it, read-write unless `env` says otherwise. */
export function testConfig(dir: string, env: Record<string, string> = {}): Config {
  return loadConfig(
    {
      IMAGE_GENERATION_MCP_SCRATCH_DIR: join(dir, "images"),
      IMAGE_GENERATION_MCP_STYLES_DIR: join(dir, "styles"),
      IMAGE_GENERATION_MCP_DB_PATH: join(dir, "state.sqlite"),
      IMAGE_GENERATION_MCP_READ_ONLY: "false",
      IMAGE_GENERATION_MCP_PAID_PROVIDERS: "",
      ...env,
    },
    dir,
  ).config
}

export async function startServices(
  opts: { env?: Record<string, string>; deps?: ServiceDeps; dir?: TempDir } = {},
): Promise<TestEnv & AsyncDisposable> {
  const dir = opts.dir ?? (await tmpdir())
  const config = testConfig(dir.path, opts.env)
  const services = await createServices(config, opts.deps)
  return {
    dir,
    config,
    services,
    async [Symbol.asyncDispose]() {
      await services.close()
      if (!opts.dir) await dir[Symbol.asyncDispose]()
    },
  }
}
