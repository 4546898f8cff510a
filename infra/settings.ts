/**
 * Plain (non-secret) settings of a stage, from the deploying shell's environment with defaults.
 * Every function gets them as environment variables; the names match `.env.example`.
 */
const pick = (...names: string[]) =>
  Object.fromEntries(
    names.flatMap((name) => (process.env[name] ? [[name, process.env[name] as string]] : [])),
  );

export const settings: Record<string, string> = {
  NODE_OPTIONS: "--enable-source-maps",
  // Deployed stages always require an API key.
  AUTH_REQUIRED: "true",
  LOG_LEVEL: "info",
  ...pick(
    "QINIU_BUCKET_NAME",
    "QINIU_DOMAIN",
    "QINIU_UP_HOST",
    "QINIU_REGION",
    "GEMINI_BASE_URL",
    "GEMINI_IMAGE_MODEL",
    "GEMINI_VISION_MODEL",
    "OPENROUTER_BASE_URL",
    "OPENROUTER_MODEL",
    "VIDEO_ROUTE",
    "VEO_MODEL",
    "VERTEX_PROJECT",
    "VERTEX_LOCATION",
    "VERTEX_VEO_MODEL",
    "INTERACTIONS_VIDEO_MODEL",
    "DASHSCOPE_BASE_URL",
    "ZHIPU_BASE_URL",
    "KLING_BASE_URL",
    "ARK_BASE_URL",
    "VIDEO_SECONDS",
    "VIDEO_RESOLUTION",
    "FRAME_ASPECT_RATIO",
    "RATE_LIMIT_READ",
    "RATE_LIMIT_GENERATION",
    "RATE_LIMIT_VIDEO",
    "RATE_LIMIT_AUTH_FAILURES",
    "OWNER_BUDGET_USD",
    "MAX_ACTIVE_VIDEO_JOBS",
    "PRICES_JSON",
    // The API's public https origin (custom domain or the stage's URL): completion callbacks.
    "PUBLIC_BASE_URL",
  ),
};

/** The front end's origins, comma separated (CORS). */
export const allowedOrigins = (process.env.CORS_ORIGINS ?? "http://localhost:5173")
  .split(",")
  .map((o) => o.trim())
  .filter(Boolean);
