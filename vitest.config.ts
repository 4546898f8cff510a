import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: [
      "core/**/*.test.ts",
      "functions/**/*.test.ts",
      "test/**/*.test.ts",
      "client/**/*.test.ts",
    ],
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    env: {
      LOG_LEVEL: "silent",
      DATA_DIR: mkdtempSync(join(tmpdir(), "storyboard-test-")),
      // Provider keys from the developer's shell must never send tests to the real services.
      GOOGLE_API_KEY: "",
      GEMINI_API_KEY: "",
      OPENROUTER_API_KEY: "",
      QINIU_ACCESS_KEY: "",
      QINIU_SECRET_KEY: "",
      DATABASE_URL: "",
      // Suites that send bursts measure other things; test/rate-limit.test.ts turns limits on.
      RATE_LIMIT_READ: "0",
      RATE_LIMIT_GENERATION: "0",
      RATE_LIMIT_VIDEO: "0",
    },
  },
});
