import { describe, expect, it } from "vitest";
import { marshall, unmarshall } from "./marshall.ts";

describe("DynamoDB marshalling (plain JavaScript ↔ AttributeValue)", () => {
  it("sends numbers as strings, sets as SS/NS, maps and lists nested, and reads them back", () => {
    const item = {
      job_id: "job-1",
      attempts: 3,
      cost: 0.125,
      big: 1_700_000_000_123,
      done: false,
      error: null,
      input: { shot_prompt: "pan", frames: [1, "two", { three: 3 }], empty: {} },
      active: new Set(["a@1", "b@2"]),
      sizes: new Set([16, 9]),
      list: [],
    };
    const wire = marshall(item);
    expect(wire).toEqual({
      job_id: { S: "job-1" },
      attempts: { N: "3" },
      cost: { N: "0.125" },
      big: { N: "1700000000123" },
      done: { BOOL: false },
      error: { NULL: true },
      input: {
        M: {
          shot_prompt: { S: "pan" },
          frames: { L: [{ N: "1" }, { S: "two" }, { M: { three: { N: "3" } } }] },
          empty: { M: {} },
        },
      },
      active: { SS: ["a@1", "b@2"] },
      sizes: { NS: ["16", "9"] },
      list: { L: [] },
    });
    // Through JSON, as on the wire.
    expect(unmarshall(JSON.parse(JSON.stringify(wire)))).toEqual(item);
  });

  it("leaves undefined out of maps and lists, as lib-dynamodb's removeUndefinedValues did", () => {
    const wire = marshall({
      a: 1,
      gone: undefined,
      nested: { b: undefined, c: [1, undefined, 2] },
    });
    expect(wire).toEqual({
      a: { N: "1" },
      nested: { M: { c: { L: [{ N: "1" }, { N: "2" }] } } },
    });
  });

  it("refuses what DynamoDB cannot hold instead of sending it", () => {
    expect(() => marshall({ s: new Set() })).toThrow(/empty set/);
    expect(() => marshall({ s: new Set(["a", 1]) })).toThrow(/only strings or only numbers/);
    expect(() => marshall({ n: Number.NaN })).toThrow(/NaN/);
    expect(() => marshall({ n: Number.POSITIVE_INFINITY })).toThrow(/Infinity/);
    expect(() => marshall({ d: new Date(0) })).toThrow(/cannot store/);
    expect(() => unmarshall({ b: { B: "AA==" } as never })).toThrow(/unsupported/);
  });
});
