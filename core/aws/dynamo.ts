import { config } from "../config.ts";
import { type AttributeMap, type Item, marshall, unmarshall } from "./marshall.ts";
import { type CallOptions, callJson, type JsonService } from "./request.ts";

/**
 * The DynamoDB operations this service uses, with lib-dynamodb's conventions: parameters named as
 * in the DynamoDB API, keys, items and values as plain JavaScript (see marshall.ts).
 */
export const DYNAMODB: JsonService = {
  service: "dynamodb",
  targetPrefix: "DynamoDB_20120810",
  endpointOverride: () => config().AWS_ENDPOINT_URL_DYNAMODB,
};

interface Expressions {
  ConditionExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Item;
}

export interface GetItemInput {
  TableName: string;
  Key: Item;
  ConsistentRead?: boolean;
}

export interface PutItemInput extends Expressions {
  TableName: string;
  /** Any plain object: a record type of the caller's (a Job) needs no cast. */
  Item: object;
}

export interface UpdateItemInput extends Expressions {
  TableName: string;
  Key: Item;
  UpdateExpression: string;
  ReturnValues?: "NONE" | "ALL_OLD" | "UPDATED_OLD" | "ALL_NEW" | "UPDATED_NEW";
}

export interface QueryInput extends Omit<Expressions, "ConditionExpression"> {
  TableName: string;
  IndexName?: string;
  KeyConditionExpression?: string;
  FilterExpression?: string;
  ExclusiveStartKey?: Item;
  ScanIndexForward?: boolean;
  Limit?: number;
  ConsistentRead?: boolean;
}

export type ScanInput = Omit<QueryInput, "KeyConditionExpression" | "ScanIndexForward">;

/** One page of a Query or Scan; `T` is what the caller stores (items are not checked). */
export interface Page<T = Item> {
  Items: T[];
  /** Items that matched the key (and filter), on this page. */
  Count: number;
  /** Where the next page starts; absent on the last one. */
  LastEvaluatedKey?: Item;
}

/** Marshals the inputs that carry values; the rest (expressions, flags) go as they are. */
function wire(
  input: Partial<QueryInput & PutItemInput & UpdateItemInput>,
): Record<string, unknown> {
  const { Key, Item: item, ExpressionAttributeValues: values, ExclusiveStartKey, ...rest } = input;
  return {
    ...rest,
    ...(Key ? { Key: marshall(Key) } : {}),
    ...(item ? { Item: marshall(item) } : {}),
    ...(values && Object.keys(values).length
      ? { ExpressionAttributeValues: marshall(values) }
      : {}),
    ...(ExclusiveStartKey ? { ExclusiveStartKey: marshall(ExclusiveStartKey) } : {}),
  };
}

const plain = (map: AttributeMap | undefined) => (map ? unmarshall(map) : undefined);

/**
 * A DynamoDB client; `options` set the tries and the per-try timeout of every call. Reads are
 * typed by the caller (`getItem<Job>`): what comes back is what was stored, not validated.
 */
export function dynamo(options: CallOptions = {}) {
  const call = <T>(operation: string, input: Record<string, unknown>) =>
    callJson<T>(DYNAMODB, operation, input, options);
  return {
    async getItem<T = Item>(input: GetItemInput): Promise<{ Item?: T }> {
      const res = await call<{ Item?: AttributeMap }>("GetItem", wire(input));
      return { Item: plain(res.Item) as T | undefined };
    },
    async putItem(input: PutItemInput): Promise<void> {
      await call("PutItem", wire(input));
    },
    async updateItem<T = Item>(input: UpdateItemInput): Promise<{ Attributes?: T }> {
      const res = await call<{ Attributes?: AttributeMap }>("UpdateItem", wire(input));
      return { Attributes: plain(res.Attributes) as T | undefined };
    },
    query: <T = Item>(input: QueryInput) => page<T>(call, "Query", input),
    scan: <T = Item>(input: ScanInput) => page<T>(call, "Scan", input),
  };
}

export type Dynamo = ReturnType<typeof dynamo>;

async function page<T>(
  call: <R>(operation: string, input: Record<string, unknown>) => Promise<R>,
  operation: "Query" | "Scan",
  input: QueryInput | ScanInput,
): Promise<Page<T>> {
  const res = await call<{
    Items?: AttributeMap[];
    Count?: number;
    LastEvaluatedKey?: AttributeMap;
  }>(operation, wire(input));
  return {
    Items: (res.Items ?? []).map(unmarshall) as T[],
    Count: res.Count ?? 0,
    LastEvaluatedKey: plain(res.LastEvaluatedKey),
  };
}
