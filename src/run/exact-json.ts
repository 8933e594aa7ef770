/**
 * A JSON value with integers kept exact: bpftrace prints 64-bit values with %ld/%lu, and
 * JSON.parse would round those beyond 2^53 − 1. Integers outside the safe range are bigints.
 */
export type ExactJson = null | boolean | number | bigint | string | readonly ExactJson[] | { readonly [key: string]: ExactJson };

/** Parses one JSON text (RFC 8259), keeping unsafe integers as bigints; throws a SyntaxError naming the offset. */
export function parseExactJson(text: string): ExactJson {
  let at = 0;
  const fail = (what: string): never => {
    throw new SyntaxError(`${what} at offset ${at}`);
  };
  const spaces = (): void => {
    while (at < text.length && " \t\n\r".includes(text[at] ?? "")) at++;
  };
  const value = (depth: number): ExactJson => {
    if (depth > 64) fail("nesting too deep");
    spaces();
    const c = text[at];
    if (c === "{") {
      at++;
      const object: Record<string, ExactJson> = {};
      spaces();
      if (text[at] === "}") {
        at++;
        return object;
      }
      for (;;) {
        spaces();
        if (text[at] !== '"') fail("expected a key");
        const key = string();
        spaces();
        if (text[at] !== ":") fail("expected ':'");
        at++;
        Object.defineProperty(object, key, { value: value(depth + 1), enumerable: true, writable: true, configurable: true });
        spaces();
        if (text[at] === ",") at++;
        else if (text[at] === "}") {
          at++;
          return object;
        } else fail("expected ',' or '}'");
      }
    }
    if (c === "[") {
      at++;
      const array: ExactJson[] = [];
      spaces();
      if (text[at] === "]") {
        at++;
        return array;
      }
      for (;;) {
        array.push(value(depth + 1));
        spaces();
        if (text[at] === ",") at++;
        else if (text[at] === "]") {
          at++;
          return array;
        } else fail("expected ',' or ']'");
      }
    }
    if (c === '"') return string();
    for (const [word, literal] of [["true", true], ["false", false], ["null", null]] as const) {
      if (text.startsWith(word, at)) {
        at += word.length;
        return literal;
      }
    }
    const number = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(at, at + 400));
    if (number === null) return fail("unexpected character");
    at += number[0].length;
    if (number[2] === undefined && number[3] === undefined) {
      const exact = BigInt(number[0]);
      return exact >= BigInt(Number.MIN_SAFE_INTEGER) && exact <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(exact) : exact;
    }
    return Number(number[0]);
  };
  const string = (): string => {
    const end = findStringEnd(text, at);
    if (end === undefined) return fail("unterminated string");
    const body = text.slice(at, end + 1);
    at = end + 1;
    try {
      return JSON.parse(body) as string;
    } catch {
      return fail("bad string");
    }
  };
  const result = value(0);
  spaces();
  if (at !== text.length) fail("text after the value");
  return result;
}

/** The index of the quote closing the string that opens at `start`, or undefined. */
function findStringEnd(text: string, start: number): number | undefined {
  for (let i = start + 1; i < text.length; i++) {
    const c = text[i];
    if (c === "\\") i++;
    else if (c === '"') return i;
  }
  return undefined;
}

/** A JSON object, as opposed to an array, a scalar or null. */
export type ExactJsonObject = { readonly [key: string]: ExactJson };

/** Whether `v` is a JSON object (not an array, not null). */
export function isJsonObject(v: ExactJson | undefined): v is ExactJsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
