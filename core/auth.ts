import { AsyncLocalStorage } from "node:async_hooks";
import { createHash, randomBytes } from "node:crypto";
import { and, asc, eq, isNull, sql } from "drizzle-orm";
import { db } from "./db/client.ts";
import { apiKeys } from "./db/schema.ts";
import { AppError } from "./errors.ts";
import { LruCache } from "./lru.ts";

/** Who a request acts for. Every project query made for it is scoped to `owner`. */
export interface Principal {
  owner: string;
  admin: boolean;
  keyId?: number;
  /** The worker, the sweeper and scripts: acts across owners on work the API already authorised. */
  system?: true;
}

/** The owner of everything made without a key (local `npm start` with AUTH_REQUIRED=false). */
export const LOCAL_OWNER = "local";

/** Requests without a key when keys are optional: the local owner, with admin rights. */
export const LOCAL_PRINCIPAL: Principal = Object.freeze({ owner: LOCAL_OWNER, admin: true });

/**
 * Who background work acts for. Core queries outside a request match nothing unless they run
 * under a principal, so the worker, the sweeper and scripts name this one explicitly.
 */
export const SYSTEM_PRINCIPAL: Principal = Object.freeze({
  owner: "(system)",
  admin: true,
  system: true,
});

const principals = new AsyncLocalStorage<Principal>();

export function withPrincipal<T>(principal: Principal, fn: () => T): T {
  return principals.run(principal, fn);
}

/**
 * The key owner the current request acts for; undefined for the system principal (which owns
 * nothing itself: spend rows fall back to the project's owner) and outside any principal.
 */
export function currentOwner(): string | undefined {
  const principal = principals.getStore();
  return principal?.system ? undefined : principal?.owner;
}

export function currentPrincipal(): Principal | undefined {
  return principals.getStore();
}

const hashKey = (key: string) => createHash("sha256").update(key).digest("hex");
const OWNER = /^[\w.@-]{1,100}$/;

export async function createApiKey(owner: string, options: { admin?: boolean } = {}) {
  if (!OWNER.test(owner))
    throw new AppError(422, "validation_failed", "owner: 1–100 letters, digits, . _ - @");
  const key = `sbk_${randomBytes(32).toString("base64url")}`;
  const [row] = await (await db())
    .insert(apiKeys)
    .values({
      owner,
      keyHash: hashKey(key),
      keyPrefix: key.slice(0, 10),
      admin: options.admin ?? false,
    })
    .returning({ id: apiKeys.id, owner: apiKeys.owner, admin: apiKeys.admin });
  return { ...(row as { id: number; owner: string; admin: boolean }), key };
}

export async function listApiKeys() {
  return (await db())
    .select({
      id: apiKeys.id,
      owner: apiKeys.owner,
      prefix: apiKeys.keyPrefix,
      admin: apiKeys.admin,
      createdAt: apiKeys.createdAt,
      revokedAt: apiKeys.revokedAt,
    })
    .from(apiKeys)
    .orderBy(asc(apiKeys.id));
}

export async function revokeApiKey(id: number): Promise<boolean> {
  const rows = await (await db())
    .update(apiKeys)
    .set({ revokedAt: sql`now()` })
    .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
    .returning({ id: apiKeys.id, keyHash: apiKeys.keyHash });
  // This process stops accepting it at once; other warm processes within CACHE_MS.
  for (const row of rows) cache.delete(row.keyHash);
  return rows.length > 0;
}

/**
 * Keys seen recently (unknown ones too, so a repeated bad key does not reach the database).
 * Bounded, the least recently used going first, so a burst of new keys evicts only the coldest
 * entries instead of wiping keys in use; a key revoked elsewhere stops working within CACHE_MS.
 */
const CACHE_MS = 60_000;
const CACHE_ENTRIES = 10_000;
const cache = new LruCache<string, Principal | undefined>(CACHE_ENTRIES, CACHE_MS);

export async function authenticate(key: string): Promise<Principal | undefined> {
  const hash = hashKey(key);
  const hit = cache.get(hash);
  if (hit) return hit.value;
  const [row] = await (await db())
    .select({ id: apiKeys.id, owner: apiKeys.owner, admin: apiKeys.admin })
    .from(apiKeys)
    .where(and(eq(apiKeys.keyHash, hash), isNull(apiKeys.revokedAt)));
  const principal = row ? { owner: row.owner, admin: row.admin, keyId: row.id } : undefined;
  cache.set(hash, principal);
  return principal;
}

export function forgetAuthCache(): void {
  cache.clear();
}
