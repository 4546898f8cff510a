import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { config } from "./config.ts";
import { AppError } from "./errors.ts";

export type RateClass = "read" | "generation" | "video";

const WINDOW_SECONDS = 60;

/** Which budget a request spends: paid video work, paid image/text work, or everything else. */
export function rateClassOf(method: string, path: string): RateClass {
  if (method !== "POST") return "read";
  if (/\/(generate-video|compose-video)$/.test(path)) return "video";
  if (
    /\/(generate-script|generate-storyboards|generate-image|generate-asset-images|generate-frame|guide-frame)$|\/projects\/[^/]+\/assets$/.test(
      path,
    )
  ) {
    return "generation";
  }
  return "read";
}

let client: DynamoDBDocumentClient | undefined;

export function resetRateLimiter(): void {
  client = undefined;
}

/**
 * Fixed one-minute windows counted with DynamoDB's atomic ADD, so every Lambda shares the count.
 * Counters live in the job table under `rate#…` keys (outside the project index) and expire via
 * TTL. Throws a 429 with Retry-After once a key's class is over its limit.
 */
export async function spendRate(
  owner: string,
  keyId: number | undefined,
  rateClass: RateClass,
): Promise<void> {
  const cfg = config();
  const limit = {
    read: cfg.RATE_LIMIT_READ,
    generation: cfg.RATE_LIMIT_GENERATION,
    video: cfg.RATE_LIMIT_VIDEO,
  }[rateClass];
  if (limit === 0) return;
  const now = Math.floor(Date.now() / 1000);
  const window = Math.floor(now / WINDOW_SECONDS);
  client ??= DynamoDBDocumentClient.from(new DynamoDBClient({ region: cfg.AWS_REGION }));
  const res = await client.send(
    new UpdateCommand({
      TableName: cfg.JOBS_TABLE,
      Key: { job_id: `rate#${owner}#${keyId ?? "-"}#${rateClass}#${window}` },
      UpdateExpression: "ADD #count :one SET expires_at = :expires",
      ExpressionAttributeNames: { "#count": "count" },
      ExpressionAttributeValues: { ":one": 1, ":expires": (window + 2) * WINDOW_SECONDS },
      ReturnValues: "UPDATED_NEW",
    }),
  );
  const count = Number(res.Attributes?.count ?? 0);
  if (count > limit) {
    const retryAfter = (window + 1) * WINDOW_SECONDS - now;
    throw new AppError(
      429,
      "rate_limited",
      `Too many ${rateClass} requests: ${limit} per minute for this key; retry in ${retryAfter} s`,
      undefined,
      { "retry-after": String(retryAfter) },
    );
  }
}
