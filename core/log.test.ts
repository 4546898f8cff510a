import { afterEach, describe, expect, it, vi } from "vitest";
import { isSecretKey, log } from "./log.ts";

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

function lastLine(fields: Record<string, unknown>) {
  const lines: string[] = [];
  vi.stubEnv("LOG_LEVEL", "info");
  vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    lines.push(String(chunk));
    return true;
  });
  log.info("probe", fields);
  return JSON.parse(lines.at(-1) ?? "{}");
}

describe("log redaction", () => {
  it("logs token counts and other fields whose names merely contain a secret word", () => {
    const line = lastLine({
      input_tokens: 120,
      output_tokens: 80,
      total_tokens: 200,
      max_tokens: 4096,
      key_prefix: "sbk_abc",
      secretary: "Ada",
      usage: { inputTokens: 3 },
    });
    expect(line).toMatchObject({
      input_tokens: 120,
      output_tokens: 80,
      total_tokens: 200,
      max_tokens: 4096,
      key_prefix: "sbk_abc",
      secretary: "Ada",
      usage: { inputTokens: 3 },
    });
  });

  it("hides secrets under their exact names, whatever the case or separator, at any depth", () => {
    const line = lastLine({
      Authorization: "Bearer sbk_live",
      apiKey: "k1",
      "X-API-Key": "k2",
      token: "t",
      refresh_token: "r",
      "Set-Cookie": "s=1",
      DATABASE_URL: "postgres://u:p@h/db",
      request: { headers: { authorization: "Bearer x", "x-goog-api-key": "g" } },
      nested: [{ private_key: "-----BEGIN", client_secret: "c", password: "p" }],
    });
    expect(JSON.stringify(line)).not.toMatch(/sbk_live|k1|k2|postgres:|BEGIN|Bearer x/);
    expect(line).toMatchObject({
      Authorization: "[redacted]",
      apiKey: "[redacted]",
      "X-API-Key": "[redacted]",
      token: "[redacted]",
      refresh_token: "[redacted]",
      "Set-Cookie": "[redacted]",
      DATABASE_URL: "[redacted]",
      request: { headers: { authorization: "[redacted]", "x-goog-api-key": "[redacted]" } },
      nested: [{ private_key: "[redacted]", client_secret: "[redacted]", password: "[redacted]" }],
    });
    expect(isSecretKey("input_tokens")).toBe(false);
    expect(isSecretKey("API_KEY")).toBe(true);
  });
});
