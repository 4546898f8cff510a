import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fakeForFile, startFake } from "../../test/support/fakes/server.ts";
import { parseAuthorization, referenceSignature, refusal } from "../../test/support/sigv4.ts";
import { resetConfig } from "../config.ts";
import { DYNAMODB } from "./dynamo.ts";
import { AwsError } from "./errors.ts";
import { callJson, signRequest } from "./request.ts";

/** AWS's documentation example credentials (the SigV4 test suite's). */
const KEY_ID = "AKIDEXAMPLE";
const SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

/** A DynamoDB front that checks signatures as AWS does and otherwise answers `{}`. */
const fake = fakeForFile(() =>
  startFake((req) => {
    const why = refusal(req, { [KEY_ID]: SECRET });
    if (!why) return { status: 200, body: {} };
    return { status: 400, body: { __type: `com.amazon.coral.service#${why}`, message: why } };
  }),
);

const ENV = [
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_REGION",
  "AWS_ENDPOINT_URL_DYNAMODB",
] as const;
let saved: Record<string, string | undefined> = {};
beforeEach(() => {
  saved = Object.fromEntries(ENV.map((name) => [name, process.env[name]]));
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: KEY_ID,
    AWS_SECRET_ACCESS_KEY: SECRET,
    AWS_REGION: "eu-west-1",
    AWS_ENDPOINT_URL_DYNAMODB: fake().url,
  });
  delete process.env.AWS_SESSION_TOKEN;
  resetConfig();
});
afterEach(() => {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  resetConfig();
});

const body = JSON.stringify({ TableName: "jobs", Key: { job_id: { S: "j" } } });

describe("SigV4 signing (aws4fetch), checked against AWS's specification", () => {
  it("the reference signer reproduces AWS's published get-vanilla test vector", () => {
    const datetime = "20150830T123600Z";
    expect(
      referenceSignature({
        method: "GET",
        path: "/",
        headers: { host: "example.amazonaws.com", "x-amz-date": datetime },
        signedHeaders: ["host", "x-amz-date"],
        body: "",
        secret: SECRET,
        datetime,
        region: "us-east-1",
        service: "service",
      }),
    ).toBe("5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
  });

  it("signs a DynamoDB call: credential scope, signed headers and signature as AWS computes them", async () => {
    process.env.AWS_SESSION_TOKEN = "session-token";
    const datetime = "20260301T101500Z";
    const signed = await signRequest(DYNAMODB, "GetItem", body, { datetime });
    const headers = Object.fromEntries(signed.headers.entries());
    expect(headers).toMatchObject({
      "content-type": "application/x-amz-json-1.0",
      "x-amz-target": "DynamoDB_20120810.GetItem",
      "x-amz-date": datetime,
      "x-amz-security-token": "session-token",
    });
    const auth = parseAuthorization(headers.authorization);
    expect(auth).toMatchObject({
      keyId: KEY_ID,
      day: "20260301",
      region: "eu-west-1",
      service: "dynamodb",
      signedHeaders: ["host", "x-amz-date", "x-amz-security-token", "x-amz-target"],
    });
    const host = new URL(signed.url).host;
    expect(auth?.signature).toBe(
      referenceSignature({
        method: "POST",
        path: "/",
        headers: { ...headers, host },
        signedHeaders: auth?.signedHeaders ?? [],
        body,
        secret: SECRET,
        datetime,
        region: "eu-west-1",
        service: "dynamodb",
      }),
    );
  });

  it("goes to the regional endpoint when no endpoint is configured", async () => {
    delete process.env.AWS_ENDPOINT_URL_DYNAMODB;
    resetConfig();
    const signed = await signRequest(DYNAMODB, "GetItem", body);
    expect(signed.url).toBe("https://dynamodb.eu-west-1.amazonaws.com/");
  });

  it("a call signed with the right secret is accepted; a wrong secret is refused, once", async () => {
    await expect(callJson(DYNAMODB, "GetItem", {})).resolves.toEqual({});
    process.env.AWS_SECRET_ACCESS_KEY = "not-the-secret";
    const refused = await callJson(DYNAMODB, "GetItem", {}).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AwsError);
    expect(refused).toMatchObject({ name: "InvalidSignatureException", status: 400 });
    expect(fake().requests).toHaveLength(2);
  });

  it("refuses to call without credentials", async () => {
    delete process.env.AWS_SECRET_ACCESS_KEY;
    await expect(callJson(DYNAMODB, "GetItem", {})).rejects.toMatchObject({
      name: "CredentialsMissing",
    });
    expect(fake().requests).toHaveLength(0);
  });
});

describe("retries", () => {
  const serverError = {
    status: 500,
    body: { __type: "com.amazonaws.dynamodb.v20120810#InternalServerError", message: "boom" },
  };

  it("tries again on 5xx and throttling, and stops at the limit", async () => {
    fake().faults.push({ ...serverError, times: 10 });
    const failed = await callJson(DYNAMODB, "GetItem", {}, { attempts: 3 }).catch((e) => e);
    expect(failed).toMatchObject({ name: "InternalServerError", status: 500, retryable: true });
    expect(fake().requests).toHaveLength(3);

    fake().faults.length = 0;
    fake().requests.length = 0;
    fake().faults.push({
      status: 400,
      body: { __type: "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException" },
    });
    await expect(callJson(DYNAMODB, "GetItem", {}, { attempts: 3 })).resolves.toEqual({});
    expect(fake().requests).toHaveLength(2);
    // Every try is signed afresh and valid (the front refuses anything else).
    expect(fake().requests.every((r) => r.headers.authorization)).toBe(true);
  });

  it("does not retry a request the service refused as invalid", async () => {
    fake().faults.push({
      status: 400,
      body: { __type: "com.amazon.coral.validate#ValidationException", message: "bad key" },
      times: 5,
    });
    await expect(callJson(DYNAMODB, "GetItem", {})).rejects.toMatchObject({
      name: "ValidationException",
      message: "bad key",
      retryable: false,
    });
    expect(fake().requests).toHaveLength(1);
  });

  it("gives up on a hung endpoint after each try's timeout, without credentials in the error", async () => {
    fake().faults.push({ delayMs: 3_000, times: 5 });
    const started = Date.now();
    const options = { attempts: 2, timeoutMs: 200 };
    const failed = (await callJson(DYNAMODB, "GetItem", {}, options).catch((e) => e)) as AwsError;
    expect(failed).toMatchObject({ name: "TimeoutError", status: 0, retryable: true });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(fake().requests).toHaveLength(2);
    const shown = JSON.stringify({ ...failed, message: failed.message, stack: failed.stack });
    expect(shown).not.toContain(SECRET);
    expect(shown).not.toContain("Signature=");
  });

  it("reports a refused connection as a NetworkError", async () => {
    process.env.AWS_ENDPOINT_URL_DYNAMODB = "http://127.0.0.1:9";
    resetConfig();
    await expect(callJson(DYNAMODB, "GetItem", {}, { attempts: 2 })).rejects.toMatchObject({
      name: "NetworkError",
      message: expect.stringContaining("DynamoDB_20120810.GetItem"),
    });
  });
});
