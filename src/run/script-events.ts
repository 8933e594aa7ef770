import type { PlacedValue } from "../abi/placement.js";
import type { TracedFunction } from "../bpftrace/script.js";
import type { NamedValue, TraceEvent } from "./events.js";
import { isJsonObject, parseExactJson, type ExactJson } from "./exact-json.js";
import { decodeScriptValue } from "./script-values.js";

/** What decoding a script's JSON lines needs besides the lines. */
export interface ScriptDecoding {
  readonly functions: readonly TracedFunction[];
  /** False when the script stands the thread id in for the goroutine id (goroutine.ts). */
  readonly hasGoid: boolean;
  readonly toWallMs: (ns: bigint) => number;
}

const int = (v: ExactJson | undefined): bigint => (typeof v === "number" || typeof v === "bigint" ? BigInt(v) : 0n);

/**
 * The event one line of a goxray trace --json script stands for (`{"event":"call",…}` as
 * script.ts's eventHead writes it), or undefined for any other line (bpftrace's "Attaching N
 * probes...", a marker, a line cut short when bpftrace was stopped).
 */
export function decodeScriptLine(line: string, decoding: ScriptDecoding): TraceEvent | undefined {
  if (!line.startsWith('{"event":"call"') && !line.startsWith('{"event":"return"')) return undefined;
  let json: ExactJson;
  try {
    json = parseExactJson(line);
  } catch {
    return undefined;
  }
  if (!isJsonObject(json)) return undefined;
  const event = json;
  const fn = decoding.functions.find((f) => f.name === event["func"]);
  if (fn === undefined) return undefined;
  const ns = int(event["ns"]);
  const tid = Number(int(event["tid"]));
  const head = {
    func: fn.name,
    pid: Number(int(event["pid"])),
    tid,
    goid: decoding.hasGoid ? Number(int(event["goid"])) : undefined,
    ns,
    wallMs: decoding.toWallMs(ns),
  };
  if (event["event"] === "call") {
    const inlinedIn = typeof event["inlinedIn"] === "string" ? { caller: event["inlinedIn"], site: typeof event["site"] === "string" ? event["site"] : "?" } : undefined;
    if (inlinedIn !== undefined) {
      // An inlined copy prints its own located values (a function inlined everywhere has no placement).
      const copy = fn.inlinedProbes.find((c) => c.caller === inlinedIn.caller && c.site === inlinedIn.site);
      const printed = isJsonObject(event["args"]) ? event["args"] : {};
      return { kind: "call", ...head, args: (copy?.values ?? []).map((v) => ({ name: v.name, value: decodeScriptValue(v.type, printed[v.name]) })), inlinedIn };
    }
    return { kind: "call", ...head, args: namedValues(fn.placement?.values.filter((v) => v.role === "argument") ?? [], event["args"]) };
  }
  const latency = Number(int(event["latencyNs"]));
  return { kind: "return", ...head, results: namedValues(fn.placement?.values.filter((v) => v.role === "result") ?? [], event["results"]), latencyNs: latency >= 0 ? latency : undefined };
}

function namedValues(values: readonly PlacedValue[], json: ExactJson | undefined): NamedValue[] {
  const printed = isJsonObject(json) ? json : {};
  return values.map((v) => ({ name: v.name, value: decodeScriptValue(v.type, printed[v.name]) }));
}
