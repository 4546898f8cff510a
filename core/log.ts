import { AsyncLocalStorage } from "node:async_hooks";

type Level = "debug" | "info" | "warn" | "error";
const rank: Record<Level | "silent", number> = {
  debug: 10,
  info: 20,
  warn: 30,
  error: 40,
  silent: 99,
};

/** Ids that every log line of the current request or job carries. */
export interface LogContext {
  requestId?: string;
  jobId?: string;
}

const context = new AsyncLocalStorage<LogContext>();

/** Runs `fn` with ids that are stamped on every log line written inside it. */
export function withLogContext<T>(ids: LogContext, fn: () => T): T {
  return context.run({ ...context.getStore(), ...ids }, fn);
}

export function currentLogContext(): LogContext {
  return context.getStore() ?? {};
}

/**
 * Field names whose values never reach a log line, matched whole (case, `-` and `_` ignored), so
 * `apiKey`, `X-API-Key` and `DATABASE_URL` are hidden while `input_tokens` or `key_prefix` are not.
 * Covers what this code and the SDKs it logs can carry: headers, credentials, connection strings.
 */
const SECRET_KEYS = new Set(
  [
    "authorization",
    "proxy-authorization",
    "api_key",
    "x-api-key",
    "x-goog-api-key",
    "google_api_key",
    "gemini_api_key",
    "openrouter_api_key",
    "token",
    "access_token",
    "refresh_token",
    "id_token",
    "session_token",
    "upload_token",
    "x-amz-security-token",
    "secret",
    "client_secret",
    "secret_key",
    "secret_access_key",
    "qiniu_secret_key",
    "password",
    "passwd",
    "cookie",
    "set-cookie",
    "connection_string",
    "database_url",
    "private_key",
    "credentials",
    "google_credentials_json",
  ].map(normalizeKey),
);

function normalizeKey(key: string): string {
  return key.toLowerCase().replace(/[-_]/g, "");
}

export function isSecretKey(key: string): boolean {
  return SECRET_KEYS.has(normalizeKey(key));
}

function redact(value: unknown, depth = 0): unknown {
  if (depth > 4 || value === null || typeof value !== "object") return value;
  if (value instanceof Error)
    return { name: value.name, message: value.message, stack: value.stack };
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [
      k,
      isSecretKey(k) ? "[redacted]" : redact(v, depth + 1),
    ]),
  );
}

function threshold(): number {
  const level = (process.env.LOG_LEVEL ?? "info") as Level | "silent";
  return rank[level] ?? rank.info;
}

function write(level: Level, message: string, fields?: Record<string, unknown>): void {
  if (rank[level] < threshold()) return;
  const line = {
    level,
    time: new Date().toISOString(),
    message,
    ...currentLogContext(),
    ...(fields ? (redact(fields) as Record<string, unknown>) : {}),
  };
  (level === "error" || level === "warn" ? process.stderr : process.stdout).write(
    `${JSON.stringify(line)}\n`,
  );
}

/** One structured JSON line per event, with the request/job ids of the current context. */
export const log = {
  debug: (message: string, fields?: Record<string, unknown>) => write("debug", message, fields),
  info: (message: string, fields?: Record<string, unknown>) => write("info", message, fields),
  warn: (message: string, fields?: Record<string, unknown>) => write("warn", message, fields),
  error: (message: string, fields?: Record<string, unknown>) => write("error", message, fields),
};
