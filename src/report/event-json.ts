import type { GoValue, NamedValue, TraceEvent } from "../run/events.js";

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

const hex = (n: bigint): string => JSON.stringify(`0x${n.toString(16)}`);

/** A JSON number when exact as one, else a decimal string (beyond 2^53 − 1). */
function integer(value: number | bigint): string {
  return typeof value === "number" ? String(value) : JSON.stringify(value.toString());
}

function isUtf8(bytes: Uint8Array): boolean {
  try {
    strictUtf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/**
 * A Go value as JSON: numbers (64-bit ones beyond 2^53 as decimal strings), a whole UTF-8 string
 * as a JSON string (else `{"text","hex","len","truncated"}`), structs as objects, arrays as
 * arrays, slices as `{"ptr","len","cap","elems"}` (the elements read), pointers and funcs as
 * "0x…" strings, interfaces as `{"type","data"}` plus `"error"` (an error's text) or `"value"`
 * (an `any`'s string), nil interfaces as null, maps `{"ptr","len"}`, channels `{"ptr","len","cap"}`,
 * what could not be read as `{"unreadable": why}`.
 */
export function renderValueJson(value: GoValue): string {
  switch (value.kind) {
    case "int":
      return integer(value.value);
    case "bool":
      return String(value.value);
    case "float":
      return Number.isFinite(value.value) ? String(value.value) : JSON.stringify(String(value.value));
    case "complex":
      return `{"real":${renderValueJson(value.real)},"imag":${renderValueJson(value.imag)}}`;
    case "string": {
      if (!value.isTruncated && isUtf8(value.bytes)) return JSON.stringify(value.text);
      return `{"text":${JSON.stringify(value.text)},"hex":${JSON.stringify(Buffer.from(value.bytes).toString("hex"))},"len":${value.length},"truncated":${value.isTruncated}}`;
    }
    case "pointer":
      return value.target === undefined ? hex(value.address) : `{"ptr":${hex(value.address)},"deref":${renderValueJson(value.target)}}`;
    case "func":
      return hex(value.address);
    case "struct":
      return renderNamedJson(value.fields);
    case "array":
      return `[${value.elems.map(renderValueJson).join(",")}]`;
    case "slice":
      return `{"ptr":${hex(value.address)},"len":${value.len},"cap":${value.cap},"elems":[${value.elems.map(renderValueJson).join(",")}]}`;
    case "interface": {
      if (value.dynamicType === "nil") return "null";
      const type = value.dynamicType ?? `type@0x${value.typeWord.toString(16)}`;
      const message = value.message?.kind === "string" ? `,${value.type === "error" ? '"error"' : '"value"'}:${renderValueJson(value.message)}` : "";
      return `{"type":${JSON.stringify(type)},"data":${hex(value.data)}${message}}`;
    }
    case "map":
      return `{"ptr":${hex(value.address)},"len":${value.len}}`;
    case "chan":
      return `{"ptr":${hex(value.address)},"len":${value.len},"cap":${value.cap}}`;
    case "unreadable":
      return `{"unreadable":${JSON.stringify(value.why)}}`;
    default: {
      const never: never = value;
      throw new RangeError(`unexpected value ${JSON.stringify(never)}`);
    }
  }
}

function renderNamedJson(values: readonly NamedValue[]): string {
  return `{${values.map((v) => `${JSON.stringify(v.name)}:${renderValueJson(v.value)}`).join(",")}}`;
}

/**
 * One event as a JSON line: `{"time","ns","pid","tid","goid","func","kind","args"}` for a call,
 * `…,"kind":"return","results","latencyNs"}` for a return (latencyNs null when its call was not seen).
 */
export function renderEventJson(event: TraceEvent): string {
  const head = `{"time":${JSON.stringify(new Date(event.wallMs).toISOString())},"ns":${JSON.stringify(event.ns.toString())},"pid":${event.pid},"tid":${event.tid},"goid":${event.goid ?? "null"},"func":${JSON.stringify(event.func)},"kind":"${event.kind}"`;
  if (event.kind === "call") {
    const inlined = event.inlinedIn === undefined ? "" : `,"inlinedIn":${JSON.stringify(event.inlinedIn.caller)},"site":${JSON.stringify(event.inlinedIn.site)}`;
    return `${head}${inlined},"args":${renderNamedJson(event.args)}}`;
  }
  return `${head},"results":${renderNamedJson(event.results)},"latencyNs":${event.latencyNs ?? "null"}}`;
}
