/**
 * Never loaded by deployed functions: PGlite and node-postgres (Lambdas use Neon's HTTP driver),
 * and urllib's optional proxy support (qiniu). infra/ marks the same ones external.
 */
export const LAMBDA_EXTERNALS = [
  "@electric-sql/pglite",
  "pg",
  // The drizzle drivers for them too: bundled, their static `import "pg"` would be hoisted to the
  // top of the bundle and fail at cold start; external, they stay lazy dynamic imports.
  "drizzle-orm/pglite",
  "drizzle-orm/pglite/migrator",
  "drizzle-orm/node-postgres",
  "drizzle-orm/node-postgres/migrator",
  "proxy-agent",
];
