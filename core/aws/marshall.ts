/**
 * Plain JavaScript values ↔ DynamoDB's wire format (AttributeValue), as lib-dynamodb converts them
 * with `removeUndefinedValues`: numbers travel as strings, a `Set` of strings or numbers is a string
 * or number set, and `undefined` (in a map or a list) is left out instead of being an error.
 */

export type AttributeValue =
  | { S: string }
  | { N: string }
  | { BOOL: boolean }
  | { NULL: true }
  | { L: AttributeValue[] }
  | { M: AttributeMap }
  | { SS: string[] }
  | { NS: string[] };

export type AttributeMap = Record<string, AttributeValue>;

/** An item or key as the callers see it: plain values, sets for DynamoDB sets. */
export type Item = Record<string, unknown>;

const number = (value: number): { N: string } => {
  // DynamoDB has no NaN or Infinity; sending one would be a validation error far from its cause.
  if (!Number.isFinite(value)) throw new TypeError(`cannot store ${value} in DynamoDB`);
  return { N: String(value) };
};

function set(values: Set<unknown>): AttributeValue {
  const list = [...values];
  // DynamoDB refuses empty sets: the caller must leave the attribute out or remove it.
  if (list.length === 0) throw new TypeError("cannot store an empty set in DynamoDB");
  if (list.every((v) => typeof v === "string")) return { SS: list as string[] };
  if (list.every((v) => typeof v === "number")) return { NS: list.map((v) => number(v).N) };
  throw new TypeError("a DynamoDB set holds only strings or only numbers");
}

/** One value on the wire; undefined for `undefined`, which the containing map or list drops. */
export function toAttribute(value: unknown): AttributeValue | undefined {
  if (value === undefined) return undefined;
  if (value === null) return { NULL: true };
  switch (typeof value) {
    case "string":
      return { S: value };
    case "number":
      return number(value);
    case "boolean":
      return { BOOL: value };
  }
  if (Array.isArray(value))
    return { L: value.flatMap((v) => toAttribute(v) ?? []) as AttributeValue[] };
  if (value instanceof Set) return set(value);
  if (typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype)
    return { M: marshall(value) };
  throw new TypeError(`cannot store a ${typeof value} in DynamoDB`);
}

/** A whole item, key or ExpressionAttributeValues map (any plain object). */
export function marshall(item: object): AttributeMap {
  const out: AttributeMap = {};
  for (const [key, value] of Object.entries(item)) {
    const attribute = toAttribute(value);
    if (attribute) out[key] = attribute;
  }
  return out;
}

export function fromAttribute(attribute: AttributeValue): unknown {
  if ("S" in attribute) return attribute.S;
  if ("N" in attribute) return Number(attribute.N);
  if ("BOOL" in attribute) return attribute.BOOL;
  if ("NULL" in attribute) return null;
  if ("L" in attribute) return attribute.L.map(fromAttribute);
  if ("M" in attribute) return unmarshall(attribute.M);
  if ("SS" in attribute) return new Set(attribute.SS);
  if ("NS" in attribute) return new Set(attribute.NS.map(Number));
  throw new TypeError(`unsupported DynamoDB attribute type ${Object.keys(attribute).join(",")}`);
}

export function unmarshall(map: AttributeMap): Item {
  const out: Item = {};
  for (const [key, attribute] of Object.entries(map)) out[key] = fromAttribute(attribute);
  return out;
}
