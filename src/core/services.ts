import { resolve } from "node:path"
import type { Config } from "@/config/config"
import { createConfiguredProviders } from "@/providers/registry"
import type { ImageProvider } from "@/providers/types"
import { openStorage, type Storage, type Store } from "@/storage"
import { createLogger } from "@/util/log"
import { GenerationService } from "./generation/generation"
import { ORPHAN_GRACE_S } from "./images/orphans"
import { ImageRegistry } from "./images/registry"
import { importScratchDir } from "./images/scratch-import"
import { ImageViews } from "./images/views"
import { ImportService, type ImportServiceOptions } from "./intake/imports"
import { JobService } from "./jobs/jobs"
import { newReplicaIdentity, type ReplicaIdentity } from "./jobs/owner"
import { LivePreviews } from "./previews/previews"
import { ProviderService } from "./providers/service"
import { StyleLibrary } from "./styles/library"
import { TransferService } from "./transfer/service"
import { TransformCache } from "./transform/cache"
import { readBudgetFile } from "./usage/budget-file"
import type { BudgetSettings } from "./usage/budgets"
import { UsageService } from "./usage/ledger"
import { readPriceFile } from "./usage/price-file"
import { PriceTable } from "./usage/prices"

export interface ServiceDeps {
  /** Providers registered after the configured ones (tests use this for fakes). */
  extraProviders?: ImageProvider[]
  /** Replaces the configured providers entirely. */
  providers?: ImageProvider[]
  /** Every store, opened by the caller; the services close it. @default `openStorage(config)` */
  storage?: Storage
  /** This server among those sharing the database. @default a new identity */
  self?: ReplicaIdentity
  /** Test seams for fetch_image (resolver, address policy). */
  fetch?: ImportServiceOptions["fetch"]
  /** A stop requested during start-up: the first-start scratch import ends early and resumes next time. */
  stop?: AbortSignal
  /** `false` leaves the usage ledger out of the generation path (benchmarks measure its cost against this). */
  ledger?: boolean
  /** The orphan sweep of an S3 image store (tests shorten it). @default one hour's grace, every hour */
  orphans?: { graceS?: number; everyMs?: number }
}

export interface Services {
  config: Config
  storage: Storage
  /** `storage.store`: images, jobs, meta and transfer tokens. */
  store: Store
  images: ImageRegistry
  views: ImageViews
  jobs: JobService
  providers: ProviderService
  generation: GenerationService
  /** The latest live preview of each running generation (empty when live previews are off). */
  previews: LivePreviews
  imports: ImportService
  styles: StyleLibrary
  transfers: TransferService
  usage: UsageService
  /** Stops running jobs (they are recorded as interrupted) and closes the storage. */
  close(): Promise<void>
}

const LAST_SCRATCH_KEY = "scratch_dir"
const DISCOVERY_DELAY_MS = 500
const ORPHAN_SWEEP_EVERY_MS = 3_600_000

/** The composition root: storage, registry, providers and jobs for one server process. */
export async function createServices(config: Config, deps: ServiceDeps = {}): Promise<Services> {
  const log = createLogger("services")
  // Settings files first: one that does not parse stops start-up before anything is opened.
  const prices = new PriceTable(config.pricesFile ? await readPriceFile(config.pricesFile) : [])
  const budgets: BudgetSettings = {
    ...(config.budgetsFile ? await readBudgetFile(config.budgetsFile) : { subjects: new Map() }),
    dailyUsd: config.dailyBudgetUsd,
    monthlyUsd: config.monthlyBudgetUsd,
  }
  const storage = deps.storage ?? (await openStorage(config))
  const { store, blobs } = storage
  const cache = new TransformCache({ maxEntries: config.transformCacheSize, maxBytes: config.transformCacheMaxBytes })
  const images = new ImageRegistry({
    store: store.images,
    blobs,
    maxInputPixels: config.maxInputPixels,
    onDelete: (id) => cache.evictImage(id),
    warn: (message, fields) => log.warning(message, fields),
  })
  const providerList = deps.providers ?? [...configuredProviders(config), ...(deps.extraProviders ?? [])]
  const providers = new ProviderService(providerList, { log: createLogger("providers") })
  const self = deps.self ?? newReplicaIdentity()
  const jobs = new JobService({
    store: store.jobs,
    registry: images,
    self,
    failedJobTtlS: config.failedJobTtlS,
    leaseS: config.jobLeaseS,
    // The calls of jobs found interrupted are settled as interrupted too.
    onInterrupted: () => void settleInterrupted(),
    log: createLogger("jobs"),
  })
  const usage = new UsageService({
    store: store.usage,
    jobs: store.jobs,
    prices,
    budgets,
    pricesFile: config.pricesFile,
    self,
    leaseS: config.jobLeaseS,
    log: createLogger("usage"),
  })
  const settleInterrupted = async () => {
    const settled = await usage.recoverInterrupted().catch((error) => {
      log.warning("Could not settle the usage of interrupted generations", { error })
      return 0
    })
    if (settled) log.warning(`${settled} provider call(s) in the usage ledger were settled as interrupted`)
  }
  const imports = new ImportService({
    images,
    maxInputImageBytes: config.maxInputImageBytes,
    maxInputPixels: config.maxInputPixels,
    fetchTimeoutS: config.fetchTimeoutS,
    allowLocalFileInput: config.allowLocalFileInput,
    fetch: deps.fetch,
  })
  const transfers = new TransferService({
    store: store.transfers,
    images,
    imports,
    config: config.transfer,
    maxInputImageBytes: config.maxInputImageBytes,
  })
  const previews = new LivePreviews({ maxPixels: config.maxInputPixels, log: createLogger("previews") })
  const generation = new GenerationService({
    providers,
    jobs,
    images,
    imports,
    defaultProvider: config.defaultProvider,
    paidProviders: config.paidProviders,
    maxImagesPerCall: config.maxImagesPerCall,
    usage: deps.ledger === false ? undefined : usage,
    ...(config.livePreviews && { previews }),
  })

  // A scratch dir is a gallery only for the files driver; a bucket's objects without rows are orphans instead
  // (docs/decisions.md#orphan-objects).
  if (storage.drivers.blobs === "files") await importScratchOnFirstStart(config, store, log.warning, deps.stop)
  const sweeper = storage.drivers.blobs === "s3" ? startOrphanSweep(images, deps.orphans) : undefined
  const interrupted = await jobs.recoverInterrupted()
  if (interrupted) log.warning(`${interrupted} generation(s) were interrupted by a server restart`)
  const unsettled = await usage.recoverInterrupted()
  if (unsettled) log.warning(`${unsettled} provider call(s) in the usage ledger were settled as interrupted`)
  if (config.defaultProvider !== "auto" && !providers.get(config.defaultProvider)) {
    log.warning(`IMAGE_GENERATION_MCP_DEFAULT_PROVIDER=${config.defaultProvider} is not a registered provider`, {
      available: providers.names(),
    })
  }
  // Discovery (and the vendor SDK it may load) waits until the client has finished its handshake; a call that
  // needs capabilities earlier starts it at once through providers.ready().
  const discovery = setTimeout(() => void providers.ready().catch(() => {}), DISCOVERY_DELAY_MS)
  discovery.unref()

  return {
    config,
    storage,
    store,
    images,
    views: new ImageViews(images, config.maxInputPixels, cache),
    jobs,
    providers,
    generation,
    previews,
    imports,
    styles: new StyleLibrary({ dir: config.stylesDir, log: createLogger("styles") }),
    transfers,
    usage,
    async close() {
      clearTimeout(discovery)
      await sweeper?.stop()
      await jobs.shutdown()
      await providers.dispose()
      cache.clear()
      await storage.close()
    },
  }
}

/** Sweeps orphan objects now (in the background) and then every hour, each replica a little apart. */
function startOrphanSweep(images: ImageRegistry, options: ServiceDeps["orphans"] = {}) {
  const log = createLogger("orphans")
  const graceS = options.graceS ?? ORPHAN_GRACE_S
  const everyMs = options.everyMs ?? ORPHAN_SWEEP_EVERY_MS
  let running: Promise<void> = Promise.resolve()
  let stopped = false
  const sweep = () => {
    running = images
      .sweepOrphans(graceS)
      .then((removed) => {
        if (removed.length) log.info(`Removed ${removed.length} object(s) whose image was never stored`, { removed })
      })
      .catch((error) => log.warning("Could not sweep orphan objects; the next sweep tries again", { error }))
  }
  let timer: Timer | undefined
  const schedule = () => {
    if (stopped) return
    timer = setTimeout(
      () => {
        sweep()
        void running.then(schedule)
      },
      everyMs * (0.9 + Math.random() * 0.2),
    )
    timer.unref()
  }
  sweep()
  void running.then(schedule)
  return {
    async stop() {
      stopped = true
      clearTimeout(timer)
      await running
    },
  }
}

function configuredProviders(config: Config): ImageProvider[] {
  const log = createLogger("providers")
  return createConfiguredProviders(config.providers, { warn: (m) => log.warning(m) })
}

/**
 * Imports the scratch dir's sidecars the first time the server runs with that dir (a Python server's dir, or one
 * restored without its database). A marker per dir makes later starts skip the scan; an import cut short resumes.
 */
async function importScratchOnFirstStart(
  config: Config,
  store: Store,
  warn: (m: string) => void,
  stop?: AbortSignal,
): Promise<void> {
  const dir = resolve(config.scratchDir)
  const key = `scratch_import:${dir}`
  if ((await store.meta.get(key)) === "done") return
  const previous = await store.meta.get(LAST_SCRATCH_KEY)
  if (previous && previous !== dir) {
    warn(`The scratch dir changed from ${previous} to ${dir}; images stored in the old dir are not moved.`)
  }
  await store.meta.set(key, "in_progress")
  const result = await importScratchDir({ source: dir, scratchDir: dir, store: store.images, warn, signal: stop })
  if (result.imported) createLogger("services").info(`Imported ${result.imported} image(s) from ${dir}`)
  if (result.stopped) return
  await store.meta.set(key, "done")
  await store.meta.set(LAST_SCRATCH_KEY, dir)
}
