import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import type { InlinedProbe, TracedFunction } from "../bpftrace/script.js";
import { GoxrayError } from "../errors.js";
import type { ArchName } from "../model/arch.js";
import type { EventSink, RunningBackend } from "./backend.js";
import { CallMatcher } from "./call-matcher.js";
import type { NamedValue } from "./events.js";
import { signalGroup, waitForClose } from "./process-group.js";
import { FetchPlan, MAX_ARRAY_ELEMENTS, MAX_FETCH_ARGS, planLocatedValues, planValues, tracefsRegister, type DecodeContext, type FetchedFields } from "./tracefs-fetch.js";
import { onLines } from "./stream-lines.js";
import { parseTraceLine } from "./tracefs-line.js";

/** What the tracefs backend probes and how it reads the binary. */
interface TracefsRun {
  /** Where tracefs is mounted (trace-preflight.ts findTracefs). */
  readonly tracefs: string;
  /** The file the probes attach to (the binary, or /proc/PID/exe). */
  readonly path: string;
  readonly functions: readonly TracedFunction[];
  readonly arch: ArchName;
  /** Offset of runtime.g.goid, when the binary's DWARF gives it. */
  readonly goidOffset: number | undefined;
  /** The register that holds g everywhere in Go code (R14 under the register ABI, R28 on arm64), as tracefs names it; undefined for Go < 1.17 on amd64. */
  readonly goroutineRegister: string | undefined;
  /** Link-time address → file offset, which uprobe_events takes. */
  readonly fileOffsetOf: (vaddr: number) => number | undefined;
  readonly typeNames: ReadonlyMap<number, string>;
  readonly messageTypes: readonly number[];
  /** Only events of this process are reported. */
  readonly pid: number | undefined;
  readonly stringBytes: number;
  /** Pointers followed this many levels deep (--deref). */
  readonly deref: number;
  readonly toWallMs: (ns: bigint) => number;
}

/** One uprobe event goxray defines. */
interface ProbeEvent {
  readonly name: string;
  readonly definition: string;
  readonly func: string;
  readonly kind: "call" | "return";
  /** Link-time address of the probed instruction (for the load bias of PIE). */
  readonly address: number;
  /** The fetch argument that reads the goroutine id, when one can. */
  readonly goid: string | undefined;
  /** Set for an inlined copy's probe: a call with no return to match. */
  readonly inlinedIn?: { readonly caller: string; readonly site: string };
  readonly decode: (fields: FetchedFields, context: DecodeContext) => NamedValue[];
}

/** A name tracefs accepts for a group or an instance, unique to this run. */
function runName(): string {
  return `${process.pid}_${randomBytes(3).toString("hex")}`;
}

/** Where one event of a function fires: its entry, a RET, or an inlined copy's first instruction. */
interface ProbeSite {
  readonly kind: "call" | "return";
  readonly name: string;
  readonly address: number;
  readonly copy?: InlinedProbe;
}

/**
 * The uprobe event definitions for `run`: one at each function's entry after its stack check
 * (tracefs attaches at any instruction), one at each RET, each fetching the placed values, and
 * one at each inlined copy's first instruction (--inlined) fetching the values where the copy's
 * DWARF puts them; each with the goroutine id where a register holds g.
 */
function defineProbeEvents(run: TracefsRun, group: string): ProbeEvent[] {
  const events: ProbeEvent[] = [];
  const stringBytes = Math.min(run.stringBytes, MAX_ARRAY_ELEMENTS);
  run.functions.forEach((fn, i) => {
    const sites: ProbeSite[] = [
      ...(fn.hasBody ? [{ kind: "call" as const, name: `f${i}_call`, address: fn.entry + fn.entryProbeOffset }] : []),
      ...(fn.hasBody ? fn.retOffsets.map((offset, k) => ({ kind: "return" as const, name: `f${i}_ret${k}`, address: fn.entry + offset })) : []),
      ...fn.inlinedProbes.map((copy, k) => ({ kind: "call" as const, name: `f${i}_inl${k}`, address: copy.address, copy })),
    ];
    for (const site of sites) {
      const address = site.address;
      const fileOffset = run.fileOffsetOf(address);
      if (fileOffset === undefined) throw new GoxrayError("malformed", { file: run.path }, `${fn.name}: address 0x${address.toString(16)} is in no loaded segment`);
      const plan = new FetchPlan(stringBytes, run.deref);
      // Without a register for g (Go < 1.17 on amd64), the stack check's TLS load left g in a register at the entry probe; returns get their call's goroutine.
      const goroutine = run.goroutineRegister ?? (site.kind === "call" && site.copy === undefined && fn.entryGoroutine !== undefined ? tracefsRegister(run.arch, fn.entryGoroutine) : undefined);
      const goid = run.goidOffset !== undefined && goroutine !== undefined ? plan.add(`+${run.goidOffset}(%${goroutine})`, "u64") : undefined;
      const decode = site.copy !== undefined ? planLocatedValues(plan, run.arch, site.copy.values) : planValues(plan, run.arch, fn.placement, site.kind === "call" ? "argument" : "result");
      if (plan.args.length > MAX_FETCH_ARGS) {
        throw new GoxrayError("unsupported", { file: run.path }, `${fn.name}: ${plan.args.length} values to fetch, more than the ${MAX_FETCH_ARGS} a kernel uprobe event takes; use --backend bpftrace`);
      }
      const args = plan.args.map((a) => `${a.name}=${a.expression}:${a.type}`).join(" ");
      events.push({ name: site.name, definition: `p:${group}/${site.name} ${run.path}:0x${fileOffset.toString(16)}${args === "" ? "" : ` ${args}`}`, func: fn.name, kind: site.kind, address, goid, decode, ...(site.copy === undefined ? {} : { inlinedIn: { caller: site.copy.caller, site: site.copy.site } }) });
    }
  });
  return events;
}

/** After SIGTERM the reader of trace_pipe is killed if it lingers. */
const READER_GRACE_MS = 2_000;

/**
 * Registers the probes as kernel uprobe events (group goxray_<pid>_<random>), enables them only
 * in a private tracing instance (instances/goxray-<pid>-<random>) whose trace_pipe a `cat` reads,
 * and decodes each line into an event. stop(), and this process's exit, disable the events,
 * remove the instance and delete every event definition.
 */
export function startTracefs(run: TracefsRun, sink: EventSink): RunningBackend {
  const id = runName();
  const group = `goxray_${id}`;
  const instance = `${run.tracefs}/instances/goxray-${id.replace("_", "-")}`;
  const events = defineProbeEvents(run, group);
  const byName = new Map(events.map((e) => [e.name, e]));
  const uprobeEvents = `${run.tracefs}/uprobe_events`;
  const registered: string[] = [];
  let isCleaned = false;
  let reader: ChildProcess | undefined;
  const cleanUp = (): void => {
    if (isCleaned) return;
    isCleaned = true;
    // The instance cannot be removed while its trace_pipe is open.
    if (reader !== undefined) signalGroup(reader, "SIGKILL");
    if (existsSync(instance)) {
      tryWrite(`${instance}/events/${group}/enable`, "0");
      tryRemove(instance);
    }
    for (const name of registered.reverse()) tryAppend(uprobeEvents, `-:${group}/${name}\n`);
  };
  process.once("exit", cleanUp);
  const fail = (what: string, err: unknown): GoxrayError => {
    const log = readLastLines(`${run.tracefs}/error_log`, 2);
    cleanUp();
    return new GoxrayError("cannot-trace", { file: run.path }, `${what}: ${err instanceof Error ? err.message : String(err)}${log === "" ? "" : ` (error_log: ${log})`}`);
  };
  try {
    for (const event of events) {
      appendFileSync(uprobeEvents, event.definition + "\n");
      registered.push(event.name);
    }
    mkdirSync(instance);
    writeFileSync(`${instance}/trace_clock`, "mono");
    writeFileSync(`${instance}/options/record-tgid`, "1");
    writeFileSync(`${instance}/buffer_size_kb`, "4096");
    if (events.length > 0) writeFileSync(`${instance}/events/${group}/enable`, "1");
  } catch (err) {
    throw fail(`cannot register the uprobe events (${registered.length} of ${events.length} registered)`, err);
  }

  const context: DecodeContext = { bias: 0n, typeNames: run.typeNames, messageTypes: run.messageTypes };
  const matcher = new CallMatcher();
  // record-tgid does not always know a thread's process (the line shows "(-------)"; seen as a
  // thread id in place of the pid in one run of the --count test): it is then read from /proc, once per thread.
  const processes = new Map<number, number | undefined>();
  const processOf = (tid: number): number | undefined => {
    if (!processes.has(tid)) processes.set(tid, readTgid(tid));
    return processes.get(tid);
  };
  const pipeReader = spawn("cat", [`${instance}/trace_pipe`], { detached: true, stdio: ["ignore", "pipe", "ignore"] });
  reader = pipeReader;
  const closed = new Promise<void>((resolve) => pipeReader.once("close", () => resolve()));
  let isStopping = false;
  onLines(pipeReader.stdout, (text) => {
    const line = parseTraceLine(text);
    const event = line === undefined ? undefined : byName.get(line.event);
    if (line === undefined || event === undefined) return;
    const tgid = line.tgid ?? processOf(line.tid);
    if (run.pid !== undefined && tgid !== undefined && tgid !== run.pid) return;
    const goidField = event.goid === undefined ? undefined : line.fields.get(event.goid);
    const goid = typeof goidField === "bigint" ? Number(goidField) : undefined;
    const values = event.decode(line.fields, { ...context, bias: line.ip - BigInt(event.address) });
    const head = { func: event.func, pid: tgid ?? line.tid, tid: line.tid, ns: line.ns, wallMs: run.toWallMs(line.ns) };
    // Where RETs cannot read g (Go < 1.17 on amd64 keeps it in thread-local storage, which a
    // fetch argument cannot reach), calls and returns are matched per thread.
    const key = `${run.goroutineRegister === undefined || goid === undefined ? `t${line.tid}` : goid}/${event.func}`;
    if (event.inlinedIn !== undefined) {
      sink({ kind: "call", ...head, goid, args: values, inlinedIn: event.inlinedIn });
    } else if (event.kind === "call") {
      matcher.called(key, line.ns, goid);
      sink({ kind: "call", ...head, goid, args: values });
    } else {
      const call = matcher.returned(key, line.ns);
      sink({ kind: "return", ...head, goid: goid ?? call?.goid, results: values, latencyNs: call?.latencyNs });
    }
  });
  const ended = closed.then(() => (isStopping ? undefined : "the reader of the tracing instance's trace_pipe ended"));
  return {
    ready: Promise.resolve(),
    ended,
    stop: async () => {
      if (!isStopping) {
        isStopping = true;
        tryWrite(`${instance}/events/${group}/enable`, "0");
        // Let the reader drain what the buffer still holds.
        await new Promise((resolve) => setTimeout(resolve, 200));
        signalGroup(pipeReader, "SIGTERM");
        if (!(await waitForClose(pipeReader, closed, READER_GRACE_MS))) signalGroup(pipeReader, "SIGKILL");
        await closed;
        cleanUp();
        process.removeListener("exit", cleanUp);
      }
      await ended;
    },
  };
}

function tryWrite(path: string, text: string): void {
  try {
    writeFileSync(path, text);
  } catch {
    // Gone already.
  }
}

function tryAppend(path: string, text: string): void {
  try {
    appendFileSync(path, text);
  } catch {
    // Not registered, or already removed.
  }
}

/** rmdir of an instance fails (EBUSY) while a reader still has its files open: retried briefly. */
function tryRemove(path: string): void {
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      rmdirSync(path);
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
      const until = Date.now() + 20;
      while (Date.now() < until) {
        // A busy instance is released as soon as the reader's files close.
      }
    }
  }
}

/** The process (Tgid in /proc/TID/status, readable for any thread) of a thread, or undefined once it is gone. */
function readTgid(tid: number): number | undefined {
  try {
    const m = /^Tgid:\s*(\d+)$/m.exec(readFileSync(`/proc/${tid}/status`, "utf8"));
    return m?.[1] === undefined ? undefined : Number(m[1]);
  } catch {
    return undefined;
  }
}

function readLastLines(path: string, count: number): string {
  try {
    return readFileSync(path, "utf8").trim().split("\n").slice(-count).map((l) => l.trim()).join(" / ");
  } catch {
    return "";
  }
}
