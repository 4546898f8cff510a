import { Resource } from "sst/resource";
import { z } from "zod";

/** Empty strings in `.env` files mean "unset", not "the empty value". */
const optional = z
  .string()
  .optional()
  .transform((v) => (v?.trim() ? v.trim() : undefined));
const flag = (fallback: boolean) =>
  z
    .enum(["true", "false", "1", "0", ""])
    .optional()
    .transform((v) => (v === undefined || v === "" ? fallback : v === "true" || v === "1"));
const int = (fallback: number, min: number, max: number) =>
  z.coerce.number().int().min(min).max(max).optional().default(fallback);

const EnvSchema = z.object({
  PORT: int(3000, 1, 65535),
  HOST: z.string().optional().default("127.0.0.1"),
  /** Public origin of this server: URLs of locally stored files, and (https only) the completion
   * callbacks video providers are asked to call. */
  PUBLIC_BASE_URL: optional,
  /** Signs completion-callback URLs (HMAC-SHA256 of the job id); unset: no callbacks requested. */
  WEBHOOK_SECRET: optional.refine((v) => v === undefined || v.length >= 32, {
    message: "at least 32 characters",
  }),
  DATA_DIR: z.string().optional().default(".data"),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).optional().default("info"),

  DATABASE_URL: optional,
  /** auto: Neon serverless driver for *.neon.tech hosts, node-postgres for other URLs, PGlite without a URL. */
  DATABASE_DRIVER: z.enum(["auto", "neon", "pg", "pglite"]).optional().default("auto"),
  /** Override of the Neon SQL-over-HTTP endpoint (proxies, local shims). */
  NEON_HTTP_ENDPOINT: optional,

  MAX_BODY_BYTES: int(1_048_576, 1024, 10_485_760),
  UPLOAD_MAX_BYTES: int(20_971_520, 1024, 1_073_741_824),
  ALLOW_PRIVATE_URLS: flag(false),
  /** Requests per minute and API key, per class (derived in the README); 0 turns a class off. */
  RATE_LIMIT_READ: int(1200, 0, 100_000),
  RATE_LIMIT_GENERATION: int(60, 0, 100_000),
  RATE_LIMIT_VIDEO: int(120, 0, 100_000),
  /** Failed authentications per minute and source address; 0 turns the limit off. */
  RATE_LIMIT_AUTH_FAILURES: int(30, 0, 100_000),
  /** Also limit requests without a key in open local mode (owner "local"); off by default. */
  RATE_LIMIT_LOCAL: flag(false),
  /** Estimated prices (USD) for the spend ledger, JSON; see core/spend.ts for the keys. */
  PRICES_JSON: optional,
  /** Shot videos one owner may have queued or rendering at once. */
  MAX_ACTIVE_VIDEO_JOBS: int(5, 1, 1000),
  /** Spend (USD) after which an owner's new paid work is refused with 402; 0 = no budget. */
  OWNER_BUDGET_USD: z.coerce.number().min(0).optional().default(0),
  /** Every /api/v1 route needs `Authorization: Bearer <key>`; always true in deployed stages. */
  AUTH_REQUIRED: flag(false),

  QINIU_ACCESS_KEY: optional,
  QINIU_SECRET_KEY: optional,
  QINIU_BUCKET_NAME: optional,
  QINIU_DOMAIN: optional,
  QINIU_UP_HOST: optional,
  QINIU_REGION: optional,
  UPLOAD_TOKEN_TTL_SECONDS: int(900, 60, 3600),

  GOOGLE_API_KEY: optional,
  GEMINI_API_KEY: optional,
  /** Gemini API origin; relays and local fakes set it. The SDK's default when unset. */
  GEMINI_BASE_URL: optional,
  GEMINI_IMAGE_MODEL: z.string().optional().default("gemini-3.1-flash-image"),
  /** Model that reads images for the legacy "analyse these asset URLs" endpoint. */
  GEMINI_VISION_MODEL: z.string().optional().default("gemini-2.5-flash"),
  /** Gemini TTS model for narration and dialogue (offline speech without a Google key). */
  GEMINI_TTS_MODEL: z.string().optional().default("gemini-3.8-flash-tts"),
  OPENROUTER_API_KEY: optional,
  OPENROUTER_BASE_URL: z.string().optional().default("https://openrouter.ai/api/v1"),
  OPENROUTER_MODEL: z.string().optional().default("google/gemini-2.5-flash"),
  /** One deadline per provider operation, retries and JSON repair included; below the API Lambda's 29 s. */
  PROVIDER_TIMEOUT_MS: int(25_000, 1_000, 600_000),
  /** Extra attempts on 408/429/5xx, with backoff, inside that deadline. */
  PROVIDER_RETRIES: int(2, 0, 5),
  FRAME_ASPECT_RATIO: z.enum(["16:9", "9:16", "1:1", "4:3", "3:4"]).optional().default("16:9"),
  AWS_REGION: z.string().optional().default("us-east-1"),
  /** Unset locally: the local server starts embedded DynamoDB/SQS emulators and sets these. */
  AWS_ENDPOINT_URL_DYNAMODB: optional,
  AWS_ENDPOINT_URL_SQS: optional,
  JOBS_TABLE: z.string().optional().default("storyboard-jobs"),
  JOBS_QUEUE_URL: optional,
  /** Days a finished job record is kept (DynamoDB TTL). */
  JOB_TTL_DAYS: int(30, 1, 365),
  VEO_MODEL: z.string().optional().default("veo-3.1-generate-preview"),
  /** Which video route: auto picks vertex when VERTEX_PROJECT is set, else gemini with a key, else offline. */
  VIDEO_ROUTE: z
    .enum(["auto", "gemini", "vertex", "interactions", "offline"])
    .optional()
    .default("auto"),
  VERTEX_PROJECT: optional,
  VERTEX_LOCATION: z.string().optional().default("us-central1"),
  /** Vertex API origin override (proxies, local fakes). */
  VERTEX_BASE_URL: optional,
  /** Service-account key JSON for Vertex AI (a secret; never logged). */
  GOOGLE_CREDENTIALS_JSON: optional,
  VERTEX_VEO_MODEL: z.string().optional().default("veo-3.1-generate-001"),
  /** Model of the Interactions API video route. */
  INTERACTIONS_VIDEO_MODEL: z.string().optional().default("gemini-omni-video"),
  /** Second-wave video vendors (CONTRACT, "Models"): a vendor's models are available only with
   * its key(s). A `*_BASE_URL` is the vendor's API origin (its API prefix may be included). */
  DASHSCOPE_API_KEY: optional,
  DASHSCOPE_BASE_URL: z.string().optional().default("https://dashscope.aliyuncs.com"),
  ZHIPU_API_KEY: optional,
  ZHIPU_BASE_URL: z.string().optional().default("https://open.bigmodel.cn"),
  KLING_ACCESS_KEY: optional,
  KLING_SECRET_KEY: optional,
  KLING_BASE_URL: z.string().optional().default("https://api-singapore.klingai.com"),
  ARK_API_KEY: optional,
  ARK_BASE_URL: z.string().optional().default("https://ark.cn-beijing.volces.com"),
  VIDEO_SECONDS: int(8, 1, 60),
  VIDEO_RESOLUTION: z.enum(["720p", "1080p"]).optional().default("720p"),
  /** Fixed seconds between checks of a rendering video. Unset: adaptive (core/jobs/polling.ts). */
  VIDEO_POLL_SECONDS: z.preprocess(
    (v) => (typeof v === "string" && !v.trim() ? undefined : v),
    z.coerce.number().int().min(1).max(900).optional(),
  ),
  /** A video job still unfinished after this many minutes fails as a timeout. */
  VIDEO_TIMEOUT_MINUTES: int(20, 1, 180),
  /** Offline videos pretend to render this long, so the polling path runs locally too. */
  OFFLINE_VIDEO_DELAY_MS: int(3000, 0, 600_000),
  /** Parallel image generations in the batch asset-images job. */
  ASSET_IMAGE_CONCURRENCY: int(4, 1, 16),
  FFMPEG_PATH: optional,
  FFPROBE_PATH: optional,
  /** Largest image fetched from a user-supplied URL. */
  REMOTE_IMAGE_MAX_BYTES: int(20_971_520, 1024, 104_857_600),
});

export type Env = z.infer<typeof EnvSchema>;

export interface Config extends Env {
  /** True when every Qiniu setting needed for uploads is present. */
  qiniuEnabled: boolean;
  videoRoute: "gemini" | "vertex" | "interactions" | "offline";
  offline: { text: boolean; image: boolean; video: boolean; storage: boolean };
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

export function parseConfig(source: Record<string, string | undefined>): Config {
  const parsed = EnvSchema.safeParse(source);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(`Invalid configuration: ${fields.join("; ")}`);
  }
  const env = parsed.data;
  const qiniuEnabled = Boolean(
    env.QINIU_ACCESS_KEY && env.QINIU_SECRET_KEY && env.QINIU_BUCKET_NAME && env.QINIU_DOMAIN,
  );
  const googleKey = env.GOOGLE_API_KEY ?? env.GEMINI_API_KEY;
  const videoRoute =
    env.VIDEO_ROUTE !== "auto"
      ? env.VIDEO_ROUTE
      : env.VERTEX_PROJECT
        ? "vertex"
        : googleKey
          ? "gemini"
          : "offline";
  return {
    ...env,
    qiniuEnabled,
    videoRoute,
    offline: {
      text: !env.OPENROUTER_API_KEY,
      image: !googleKey,
      video: videoRoute === "offline",
      storage: !qiniuEnabled,
    },
  };
}

/**
 * Deployed functions get secrets and resource names through SST links, read with `Resource`;
 * mapped onto the same variable names so local `.env` files and tests keep working (env wins).
 */
const LINKS: [env: string, resource: string, field: string][] = [
  ["DATABASE_URL", "DatabaseUrl", "value"],
  ["GOOGLE_API_KEY", "GoogleApiKey", "value"],
  ["OPENROUTER_API_KEY", "OpenRouterApiKey", "value"],
  ["QINIU_ACCESS_KEY", "QiniuAccessKey", "value"],
  ["QINIU_SECRET_KEY", "QiniuSecretKey", "value"],
  ["GOOGLE_CREDENTIALS_JSON", "GoogleCredentialsJson", "value"],
  ["WEBHOOK_SECRET", "WebhookSecret", "value"],
  ["DASHSCOPE_API_KEY", "DashscopeApiKey", "value"],
  ["ZHIPU_API_KEY", "ZhipuApiKey", "value"],
  ["KLING_ACCESS_KEY", "KlingAccessKey", "value"],
  ["KLING_SECRET_KEY", "KlingSecretKey", "value"],
  ["ARK_API_KEY", "ArkApiKey", "value"],
  ["JOBS_TABLE", "Jobs", "name"],
  ["JOBS_QUEUE_URL", "JobQueue", "url"],
];

export function linkedSettings(): Record<string, string> {
  const links = Resource as unknown as Record<string, Record<string, unknown>>;
  const settings: Record<string, string> = {};
  for (const [env, name, field] of LINKS) {
    const value = name in links ? links[name]?.[field] : undefined;
    if (typeof value === "string" && value) settings[env] = value;
  }
  return settings;
}

let cached: Config | undefined;

/** Parsed once per process; handlers call it lazily so importing a module has no side effects. */
export function config(): Config {
  cached ??= parseConfig({ ...linkedSettings(), ...process.env });
  return cached;
}

/** Tests change `process.env` between cases. */
export function resetConfig(): void {
  cached = undefined;
}
