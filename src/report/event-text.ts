import { shownName } from "../bpftrace/shown-name.js";
import type { GoValue, NamedValue, TraceEvent } from "../run/events.js";

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** A Go string literal for `bytes`, as strconv.Quote writes one: escapes for quotes, controls and bytes that are not UTF-8. */
function goQuote(bytes: Uint8Array): string {
  let text: string | undefined;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    text = undefined;
  }
  let out = '"';
  if (text === undefined) {
    for (const b of bytes) out += b >= 0x20 && b < 0x7f ? escapeChar(String.fromCharCode(b)) : `\\x${b.toString(16).padStart(2, "0")}`;
    return out + '"';
  }
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (code < 0x20 || code === 0x7f) out += ({ "\n": "\\n", "\t": "\\t", "\r": "\\r" } as Record<string, string>)[ch] ?? `\\x${code.toString(16).padStart(2, "0")}`;
    else out += escapeChar(ch);
  }
  return out + '"';
}

function escapeChar(ch: string): string {
  return ch === '"' ? '\\"' : ch === "\\" ? "\\\\" : ch;
}

/** A Go value in Go syntax: `"gopher"`, `{X:1 Y:2}`, `[]int(len=3 cap=4){1 2 3}`, `*errors.errorString("disk full")`, `nil`. */
export function renderValueText(value: GoValue): string {
  switch (value.kind) {
    case "int":
      return value.value.toString();
    case "bool":
      return String(value.value);
    case "float":
      return Number.isNaN(value.value) ? "NaN" : value.value === Infinity ? "+Inf" : value.value === -Infinity ? "-Inf" : String(value.value);
    case "complex": {
      const imag = value.imag.kind === "float" && value.imag.value >= 0 ? `+${renderValueText(value.imag)}` : renderValueText(value.imag);
      return `(${renderValueText(value.real)}${imag}i)`;
    }
    case "string":
      return goQuote(value.bytes) + (value.isTruncated ? `…(len ${value.length})` : "");
    case "pointer":
      return value.target === undefined ? `0x${value.address.toString(16)}` : `0x${value.address.toString(16)}->${renderValueText(value.target)}`;
    case "func":
      return `0x${value.address.toString(16)}`;
    case "struct":
      return `{${value.fields.map((f) => `${shownName(f.name)}:${renderValueText(f.value)}`).join(" ")}}`;
    case "array":
      return `[${value.elems.map(renderValueText).join(" ")}]`;
    case "slice": {
      const shown = value.elems.length > 0 ? `[${value.elems.map(renderValueText).join(" ")}${value.elems.length < value.len ? " …" : ""}]` : "";
      return `${shownName(value.type)}(len=${value.len} cap=${value.cap})${shown}`;
    }
    case "interface": {
      if (value.dynamicType === "nil") return "nil";
      const type = value.dynamicType === undefined ? `type@0x${value.typeWord.toString(16)}` : shownName(value.dynamicType);
      return value.message?.kind === "string" ? `${type}(${renderValueText(value.message)})` : `${type}(0x${value.data.toString(16)})`;
    }
    case "map":
      return `${value.type}(len=${value.len})`;
    case "chan":
      return `${value.type}(len=${value.len} cap=${value.cap})`;
    case "unreadable":
      return `<not readable: ${value.why}>`;
    default: {
      const never: never = value;
      throw new RangeError(`unexpected value ${JSON.stringify(never)}`);
    }
  }
}

function renderNamed(values: readonly NamedValue[]): string {
  return values.map((v) => `${shownName(v.name)}=${renderValueText(v.value)}`).join(", ");
}

/** Results as Go shows them: one unnamed result alone, else `(name=value, …)`. */
function renderResults(results: readonly NamedValue[]): string {
  const only = results[0];
  if (results.length === 1 && only !== undefined && only.name.startsWith("~")) return renderValueText(only.value);
  return `(${renderNamed(results)})`;
}

/** "41µs", "1.2ms", "3.40s". */
export function formatLatency(ns: number): string {
  if (ns < 1_000) return `${ns}ns`;
  if (ns < 1_000_000) return `${Math.round(ns / 1_000)}µs`;
  if (ns < 1_000_000_000) return `${(ns / 1_000_000).toFixed(1)}ms`;
  return `${(ns / 1_000_000_000).toFixed(2)}s`;
}

const COLOURS = { dim: "\x1b[2m", func: "\x1b[36m", result: "\x1b[33m", reset: "\x1b[0m" };

/**
 * Writes events as lines in Go syntax, indented by call depth on each goroutine: a call as
 * `12:03:04.123 g17 main.greet(name="gopher", times=2)`, its return with the call's arguments
 * again as `12:03:04.123 g17 main.greet(name="gopher", times=2) = "gophergopher"  41µs`.
 * ANSI colours only when `isColoured` (a TTY).
 */
export class EventTextRenderer {
  private readonly depth = new Map<string, number>();
  private readonly openCalls = new Map<string, string[]>();

  constructor(private readonly isColoured: boolean) {}

  render(event: TraceEvent): string {
    const paint = (colour: keyof typeof COLOURS, text: string): string => (this.isColoured ? `${COLOURS[colour]}${text}${COLOURS.reset}` : text);
    const time = new Date(event.wallMs);
    const clock = `${String(time.getHours()).padStart(2, "0")}:${String(time.getMinutes()).padStart(2, "0")}:${String(time.getSeconds()).padStart(2, "0")}.${String(time.getMilliseconds()).padStart(3, "0")}`;
    const who = event.goid === undefined ? `t${event.tid}` : `g${event.goid}`;
    const key = `${event.pid}/${who}`;
    const callKey = `${key}/${event.func}`;
    if (event.kind === "call") {
      const depth = this.depth.get(key) ?? 0;
      const args = renderNamed(event.args);
      const inlined = event.inlinedIn === undefined ? "" : ` inlined in ${shownName(event.inlinedIn.caller)} at ${shownName(event.inlinedIn.site)}`;
      if (event.inlinedIn === undefined) {
        this.depth.set(key, depth + 1);
        this.openCalls.set(callKey, [...(this.openCalls.get(callKey) ?? []), args]);
      }
      return `${paint("dim", clock)} ${who} ${"  ".repeat(depth)}${paint("func", shownName(event.func))}(${args})${inlined}`;
    }
    const depth = Math.max(0, (this.depth.get(key) ?? 1) - 1);
    if (depth === 0) this.depth.delete(key);
    else this.depth.set(key, depth);
    const open = this.openCalls.get(callKey);
    const args = open?.pop();
    if (open !== undefined && open.length === 0) this.openCalls.delete(callKey);
    const results = event.results.length === 0 ? " returned" : ` = ${paint("result", renderResults(event.results))}`;
    const latency = event.latencyNs === undefined ? "" : `  ${formatLatency(event.latencyNs)}`;
    return `${paint("dim", clock)} ${who} ${"  ".repeat(depth)}${paint("func", shownName(event.func))}(${args ?? "…"})${results}${latency}`;
  }
}
