/**
 * What the fuzz suites throw at the backend: the shapes of real input (WebSocket messages, history
 * parameters) filled with values at and past every edge the backend knows of — ids around 2^31, 2^53,
 * 2^63 and 2^64, times around years 0, 1, 9999 and JavaScript's ±275760, sizes around the message limit
 * in UTF-8 bytes — mixed with arbitrary JSON and text.
 */
import fc from "fast-check";

/** Cases per property: a few thousand in all, across the suites and databases; FUZZ_RUNS_FACTOR scales them (e.g. 10 for a long run). */
export function runs(base: number): number {
  return Math.max(1, Math.round(base * Number(process.env.FUZZ_RUNS_FACTOR ?? 1)));
}

const EDGES = [0n, 1n, 2n ** 31n - 1n, 2n ** 31n, 2n ** 53n, 2n ** 53n + 1n, 2n ** 63n - 1n, 2n ** 63n, 2n ** 64n - 1n, 2n ** 64n, 10n ** 20n - 1n, 10n ** 20n];

/** An id as a client might write one: edges and their neighbours, any size, and things that are no id. */
export const idText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...EDGES).chain((e) => fc.integer({ min: -1, max: 1 }).map((d) => String(e + BigInt(d)))),
  fc.bigInt({ min: 0n, max: 2n ** 70n }).map(String),
  fc.nat().map(String),
  fc.constantFrom("", "-1", "1e3", "0x10", " 1", "1 ", "+1", "01", "1.0", "NaN", "Infinity", "１２", "1 OR 1=1", "9".repeat(25)),
  fc.string({ maxLength: 12 }),
);

/** A cursor value in a JSON message: an id as text or as a number (unsafe and fractional ones too), or no id at all. */
export const cursorValue: fc.Arbitrary<unknown> = fc.oneof(
  idText,
  fc.nat(),
  fc.constantFrom(2 ** 53, 2 ** 53 + 2, 1e20, -1, 1.5, Number.MAX_VALUE),
  fc.constantFrom(null, true, [], {}),
);

export const ENTITIES = ["Order", "OrderLineItem"];

export const entityName: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...ENTITIES) },
  fc.constantFrom("orders", "order", "", "Order ", "Order; DROP TABLE orders --", "__proto__", "constructor", "x".repeat(201)),
  fc.string({ maxLength: 20, unit: "grapheme" }),
);

/** A time as a client might write one: ISO-8601 across (and past) every database's range, and text that is no time. */
export const timeText: fc.Arbitrary<string> = fc.oneof(
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  fc.constantFrom(
    "-271821-04-20T00:00:00Z",
    "+275760-09-13T00:00:00Z",
    "-000001-01-01T00:00:00Z",
    "0000-01-01T00:00:00Z",
    "0001-01-01T00:00:00Z",
    "1000-01-01T00:00:00Z",
    "1970-01-01T00:00:00Z",
    "2038-01-19T03:14:08Z",
    "9999-12-31T23:59:59.999Z",
    "+010000-01-01T00:00:00Z",
    "2024-02-30",
    "2024",
    "now",
    "",
  ),
  fc.string({ maxLength: 30 }),
);

const subscribe = fc.record(
  {
    type: fc.constant("subscribe"),
    entities: fc.array(entityName, { maxLength: 4 }),
    cursor: fc.dictionary(entityName, cursorValue, { maxKeys: 3 }),
    batch: fc.oneof(fc.boolean(), fc.constant("yes")),
    snapshot: fc.boolean(),
  },
  { requiredKeys: ["type"] },
);
/** A subscribe a client might mean: known entities, cursors as decimal text — inside the key's range or not. */
const plausibleSubscribe = fc.record(
  {
    type: fc.constant("subscribe"),
    entities: fc.subarray(ENTITIES, { minLength: 1 }),
    cursor: fc.dictionary(fc.constantFrom(...ENTITIES), fc.oneof(idText, fc.nat({ max: 100 })), { minKeys: 1, maxKeys: 2 }),
    snapshot: fc.boolean(),
  },
  { requiredKeys: ["type", "cursor"] },
);
const unsubscribe = fc.record({ type: fc.constant("unsubscribe"), entities: fc.array(entityName, { maxLength: 3 }) }, { requiredKeys: ["type"] });

/** One WebSocket text frame: mostly the protocol's messages, some arbitrary JSON and text, some around the size limit. */
export function clientFrame(messageBytes: number): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: subscribe.map((m) => JSON.stringify(m)) },
    { weight: 4, arbitrary: plausibleSubscribe.map((m) => JSON.stringify(m)) },
    { weight: 2, arbitrary: unsubscribe.map((m) => JSON.stringify(m)) },
    { weight: 1, arbitrary: fc.constant(JSON.stringify({ type: "ping" })) },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? "null") },
    { weight: 1, arbitrary: fc.string({ maxLength: 40, unit: "binary" }) },
    {
      weight: 1,
      // Padding in 1- to 4-byte characters, to land on either side of the limit in bytes.
      arbitrary: fc.tuple(fc.constantFrom("a", "é", "€", "😀"), fc.integer({ min: messageBytes / 4 - 64, max: messageBytes + 64 })).map(([c, n]) => JSON.stringify({ type: "ping", pad: c.repeat(n / c.length) })),
    },
  );
}

/** Query parameters of `GET /api/entities/:name/records`, the known ones and others, as a client might send them. */
export const recordsQuery: fc.Arbitrary<[string, string][]> = fc.array(
  fc.oneof(
    fc.tuple(fc.constantFrom("after_id", "before_id"), idText),
    fc.tuple(fc.constantFrom("from", "to"), timeText),
    fc.tuple(fc.constant("limit"), fc.oneof(idText, fc.constantFrom("0", "1", "10000", "10001", "-5"))),
    fc.tuple(fc.string({ maxLength: 10 }), fc.string({ maxLength: 10 })),
  ),
  { maxLength: 5 },
);
