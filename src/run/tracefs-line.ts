import type { FetchedField } from "./tracefs-fetch.js";

/** One uprobe event as a trace_pipe line shows it. */
interface TraceLine {
  /** The thread that hit the probe (the kernel's pid of the task). */
  readonly tid: number;
  /** Its process (shown with options/record-tgid; undefined when the kernel did not record it). */
  readonly tgid: number | undefined;
  /** The event's clock (the instance's trace_clock) in nanoseconds; the line shows microseconds. */
  readonly ns: bigint;
  readonly event: string;
  /** The runtime address of the probed instruction. */
  readonly ip: bigint;
  readonly fields: ReadonlyMap<string, FetchedField>;
}

// `<comm>-<tid> (<tgid>) [<cpu>] <flags> <sec>.<usec>: <event>: (<ip>) name=value …`
// (kernel/trace/trace_output.c: trace_print_context, print_uprobe_event). The command name may
// hold anything, so the line is read from the tid onwards; flags are absent without irq-info.
const LINE = /-(\d+)\s+\(\s*(\d+|-+)\)\s+\[\d+\]\s+(?:[^\s:]+\s+)?(\d+)\.(\d{6}): (\w+): \((0x[0-9a-f]+)\)(.*)$/;
const FIELD = / (\w+)=(\{[^}]*\}|-?0x[0-9a-fA-F]+|-?\d+)(?= |$)/g;

/** The event a trace_pipe line shows, or undefined for any other line (a lost-events notice). */
export function parseTraceLine(line: string): TraceLine | undefined {
  const m = LINE.exec(line);
  if (m === null) return undefined;
  const [, tid, tgid, seconds, micros, event, ip, rest] = m;
  if (tid === undefined || tgid === undefined || seconds === undefined || micros === undefined || event === undefined || ip === undefined || rest === undefined) return undefined;
  const fields = new Map<string, FetchedField>();
  for (const f of rest.matchAll(FIELD)) {
    const [, name, value] = f;
    if (name === undefined || value === undefined) continue;
    fields.set(name, value.startsWith("{") ? value.slice(1, -1).split(",").filter((v) => v !== "").map(parseNumber) : parseNumber(value));
  }
  return {
    tid: Number(tid),
    tgid: /^\d+$/.test(tgid) ? Number(tgid) : undefined,
    ns: BigInt(seconds) * 1_000_000_000n + BigInt(micros) * 1000n,
    event,
    ip: BigInt(ip),
    fields,
  };
}

function parseNumber(text: string): bigint {
  return text.startsWith("-") ? -BigInt(text.slice(1)) : BigInt(text);
}
