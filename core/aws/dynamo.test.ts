import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Emulators, startEmulators } from "../../functions/local/emulators.ts";
import { type Fake, startFake } from "../../test/support/fakes/server.ts";
import { refusal } from "../../test/support/sigv4.ts";
import { config, resetConfig } from "../config.ts";
import { PROJECT_INDEX } from "../jobs/types.ts";
import { dynamo } from "./dynamo.ts";
import { isConditionalCheckFailed } from "./errors.ts";

/**
 * Against dynalite, through a front that checks every request's SigV4 signature as AWS does
 * (dynalite itself does not) and records what went over the wire.
 */
let emulators: Emulators;
let front: Fake;
let endpoint: string | undefined;
beforeAll(async () => {
  emulators = await startEmulators();
  const secrets = {
    [String(process.env.AWS_ACCESS_KEY_ID)]: String(process.env.AWS_SECRET_ACCESS_KEY),
  };
  front = await startFake(async (req) => {
    const why = refusal(req, secrets);
    if (why)
      return { status: 400, body: { __type: `com.amazon.coral.service#${why}`, message: why } };
    const res = await fetch(emulators.dynamoEndpoint, {
      method: "POST",
      headers: req.headers as Record<string, string>,
      body: new Uint8Array(req.body),
    });
    return {
      status: res.status,
      body: await res.text(),
      headers: { "content-type": "application/x-amz-json-1.0" },
    };
  });
  endpoint = process.env.AWS_ENDPOINT_URL_DYNAMODB;
  process.env.AWS_ENDPOINT_URL_DYNAMODB = front.url;
  resetConfig();
});
afterAll(async () => {
  process.env.AWS_ENDPOINT_URL_DYNAMODB = endpoint;
  resetConfig();
  await front?.stop();
  await emulators?.stop();
});
beforeEach(() => {
  front.requests.length = 0;
});

const db = dynamo();
const table = () => config().JOBS_TABLE;
const sent = (operation: string) =>
  front.requests.filter((r) => r.headers["x-amz-target"] === `DynamoDB_20120810.${operation}`);

describe("DynamoDB over its JSON API (signed fetch, dynalite)", () => {
  it("writes and reads back nested maps, lists, numbers, booleans, null and string sets", async () => {
    const job_id = `item-${randomUUID()}`;
    const item = {
      job_id,
      attempts: 2,
      cost: 1.5,
      ok: true,
      error: null,
      input: { prompt: "pan", frames: [1, { at: 2 }] },
      slots: new Set(["a@1", "b@2"]),
    };
    await db.putItem({ TableName: table(), Item: { ...item, gone: undefined } });
    const read = await db.getItem({ TableName: table(), Key: { job_id }, ConsistentRead: true });
    expect(read.Item).toEqual(item);
    const [put] = sent("PutItem");
    expect(put?.headers["content-type"]).toBe("application/x-amz-json-1.0");
    expect(put?.json.Item).toMatchObject({
      attempts: { N: "2" },
      cost: { N: "1.5" },
      slots: { SS: ["a@1", "b@2"] },
      input: { M: { frames: { L: [{ N: "1" }, { M: { at: { N: "2" } } }] } } },
    });
    expect(put?.json.Item).not.toHaveProperty("gone");
    expect(await db.getItem({ TableName: table(), Key: { job_id: "none" } })).toEqual({});
  });

  it("adds to and deletes from a string set (ADD / DELETE) and returns the new values", async () => {
    const Key = { job_id: `set-${randomUUID()}` };
    const add = (slot: string) =>
      db.updateItem<{ active: Set<string> }>({
        TableName: table(),
        Key,
        UpdateExpression: "ADD active :slot",
        ConditionExpression: "attribute_not_exists(active) OR size(active) < :cap",
        ExpressionAttributeValues: { ":slot": new Set([slot]), ":cap": 2 },
        ReturnValues: "ALL_NEW",
      });
    expect((await add("x")).Attributes?.active).toEqual(new Set(["x"]));
    expect((await add("y")).Attributes?.active).toEqual(new Set(["x", "y"]));
    const full = await add("z").catch((e: unknown) => e);
    expect(isConditionalCheckFailed(full)).toBe(true);
    const left = await db.updateItem({
      TableName: table(),
      Key,
      UpdateExpression: "DELETE active :slots",
      ExpressionAttributeValues: { ":slots": new Set(["x", "never-there"]) },
      ReturnValues: "UPDATED_NEW",
    });
    expect(left.Attributes).toEqual({ active: new Set(["y"]) });
  });

  it("a condition that does not hold is a typed ConditionalCheckFailedException, sent once", async () => {
    const Item = { job_id: `once-${randomUUID()}` };
    const create = () =>
      db.putItem({ TableName: table(), Item, ConditionExpression: "attribute_not_exists(job_id)" });
    await create();
    const conflict = await create().catch((e: unknown) => e);
    expect(isConditionalCheckFailed(conflict)).toBe(true);
    expect(conflict).toMatchObject({ status: 400, retryable: false });
    expect(sent("PutItem")).toHaveLength(2);
    expect(isConditionalCheckFailed(new Error("ConditionalCheckFailedException"))).toBe(false);
  });

  it("keeps DynamoDB's own errors: a missing index's message, a missing table's type", async () => {
    const noIndex = await db
      .query({
        TableName: table(),
        IndexName: "by_nothing",
        KeyConditionExpression: "x = :x",
        ExpressionAttributeValues: { ":x": "x" },
      })
      .catch((e: Error) => e);
    expect(noIndex).toMatchObject({ name: "ValidationException" });
    expect((noIndex as Error).message).toMatch(/specified index/);
    await expect(
      db.getItem({ TableName: "no-such-table", Key: { job_id: "x" } }),
    ).rejects.toMatchObject({ name: "ResourceNotFoundException", status: 400 });
  });

  it("pages a query newest first with Limit and ExclusiveStartKey, and filters a scan", async () => {
    const project_id = Math.floor(Math.random() * 1e9);
    for (const second of [1, 2, 3])
      await db.putItem({
        TableName: table(),
        Item: { job_id: randomUUID(), project_id, created_at: `2026-01-01T00:00:0${second}Z` },
      });
    const query = (start?: Record<string, unknown>) =>
      db.query<{ created_at: string }>({
        TableName: table(),
        IndexName: PROJECT_INDEX,
        KeyConditionExpression: "project_id = :p",
        ExpressionAttributeValues: { ":p": project_id },
        ScanIndexForward: false,
        Limit: 2,
        ExclusiveStartKey: start,
      });
    const first = await query();
    expect(first.Items.map((i) => i.created_at.slice(-3))).toEqual(["03Z", "02Z"]);
    expect(first.Count).toBe(2);
    expect(first.LastEvaluatedKey).toMatchObject({ project_id });
    const second = await query(first.LastEvaluatedKey);
    expect(second.Items.map((i) => i.created_at.slice(-3))).toEqual(["01Z"]);
    expect(second.LastEvaluatedKey).toBeUndefined();
    const scanned = await db.scan({
      TableName: table(),
      FilterExpression: "project_id = :p AND #c > :after",
      ExpressionAttributeNames: { "#c": "created_at" },
      ExpressionAttributeValues: { ":p": project_id, ":after": "2026-01-01T00:00:01Z" },
    });
    expect(scanned.Count).toBe(2);
  });

  it("is refused by a signature check when the secret is wrong", async () => {
    const secret = process.env.AWS_SECRET_ACCESS_KEY;
    process.env.AWS_SECRET_ACCESS_KEY = `${secret}-wrong`;
    try {
      await expect(db.getItem({ TableName: table(), Key: { job_id: "x" } })).rejects.toMatchObject({
        name: "InvalidSignatureException",
      });
    } finally {
      process.env.AWS_SECRET_ACCESS_KEY = secret;
    }
    await expect(db.getItem({ TableName: table(), Key: { job_id: "x" } })).resolves.toEqual({});
  });
});
