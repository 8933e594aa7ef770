// goxray trace, end to end: the script goxray writes for each bpftrace (host 0.17; 0.23 and 0.27
// from scripts/make-bpftrace-chroots.sh) runs against the calls sample built by every Go release
// the tests install, and every value it prints is compared with what the sample logs about the
// same call (the program's own record of what it passed and got back: samples/README.md).
// Needs root (CI runs as root); elsewhere the live cases are skipped.

import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../src/cli/main.js";
import { requireBpftraces, runBpftrace, type BpftraceCommand } from "./support/bpftrace.js";
import { gdbFrames, gdbStringBytes, hasGdb, type GdbValue } from "./support/gdb.js";
import { buildSample, requireToolchains, type FlagSet, type GoToolchain } from "./support/samples.js";

const isRoot = process.getuid?.() === 0;
const toolchains = requireToolchains();
const bpftraces = isRoot ? requireBpftraces() : [];

/** Every function of the calls sample the test traces, with what the trace can show of it. */
const FUNCTIONS = [
  "main.SignedInts",
  "main.UnsignedInts",
  "main.Bools",
  "main.Greet",
  "main.NulString",
  "main.LongString",
  "main.SumBytes",
  "main.SumInts",
  "main.Midpoint",
  "main.Area",
  "main.SumBlock",
  "main.SumWide",
  "main.Scale",
  "main.Point.Norm",
  "main.(*Cart).Add",
  "main.Describe",
  "main.ErrorText",
  "main.Fail",
  "main.Parse",
  "main.Validate",
  "main.Sum",
  "main.Many",
  "main.Floats",
  "main.Complexes",
];

async function goxray(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(argv, { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s) });
  return { code, stdout, stderr };
}

/** A JSON line with integers beyond 2^53 kept exact (as decimal strings, as the sample logs them). */
function parseExact(line: string): unknown {
  return JSON.parse(line.replace(/([:,[])(-?\d{16,})(?=[,\]}])/g, '$1"$2"'));
}

interface ScriptEvent {
  event: "call" | "return";
  func: string;
  goid: number;
  latencyNs?: number;
  args?: Record<string, unknown>;
  results?: Record<string, unknown>;
}

interface LoggedCall {
  func: string;
  args: Record<string, unknown>;
  results: Record<string, unknown>;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Bytes printed by %rh ("67 6f"), as a Buffer. */
const hexBytes = (hex: string): Buffer => Buffer.from(hex.replace(/ /g, ""), "hex");

/** The number a stack-ABI float printed as its IEEE bits (`{"float64bits":"0x…"}`) stands for. */
function floatFromBits(printed: Record<string, unknown>): { value: number; is32: boolean } | undefined {
  for (const key of ["float32bits", "float64bits"]) {
    const bits = printed[key];
    if (typeof bits !== "string") continue;
    const buffer = Buffer.alloc(8);
    buffer.writeBigUInt64LE(BigInt(bits));
    const is32 = key === "float32bits";
    return { value: is32 ? buffer.readFloatLE(0) : buffer.readDoubleLE(0), is32 };
  }
  return undefined;
}

/** Why values did not match, collected so one run reports every difference at once. */
type Differences = string[];

/**
 * Compares one value the script printed with the value the program logged, by the shape the
 * script gives it (value-printer.ts): numbers exactly; {len, hex} strings byte for byte (a cut one
 * as a prefix with the real length); {ptr, len, cap} slices by length and capacity, and bytes;
 * interfaces by dynamic type name and message; floats in registers must say they are unreadable.
 */
function compare(path: string, printed: unknown, logged: unknown, diffs: Differences, unreadable: string[]): void {
  const differ = (why: string): void => void diffs.push(`${path}: ${why}: printed ${JSON.stringify(printed)}, logged ${JSON.stringify(logged)}`);
  if (isObject(printed) && typeof printed["unreadable"] === "string") {
    unreadable.push(`${path}: ${printed["unreadable"]}`);
    return;
  }
  if (typeof printed === "number" || (typeof printed === "string" && /^-?\d+$/.test(printed))) {
    if (typeof logged !== "number" && typeof logged !== "string") return differ("not a logged number");
    if (BigInt(printed) !== BigInt(logged)) differ("numbers differ");
    return;
  }
  if (typeof printed === "boolean") {
    if (printed !== logged) differ("booleans differ");
    return;
  }
  if (typeof printed === "string" && printed.startsWith("0x")) {
    // A pointer: the program logs what it points at, which the script does not follow.
    if (BigInt(printed) === 0n) differ("a nil pointer");
    return;
  }
  if (Array.isArray(printed)) {
    if (!Array.isArray(logged) || logged.length !== printed.length) return differ("arrays differ in length");
    printed.forEach((p, i) => compare(`${path}[${i}]`, p, logged[i], diffs, unreadable));
    return;
  }
  if (!isObject(printed)) return differ("unexpected printed value");
  if (typeof printed["hex"] === "string" && typeof printed["len"] === "number" && Object.keys(printed).length === 2) {
    const bytes = hexBytes(printed["hex"]);
    if (typeof logged !== "string") return differ("not a logged string");
    const want = Buffer.from(logged, "utf8");
    if (printed["len"] !== want.length) return differ("lengths differ");
    if (!bytes.equals(want.subarray(0, bytes.length))) differ("bytes differ");
    if (bytes.length < want.length && bytes.length !== 64) differ(`cut at ${bytes.length} bytes, not 64`);
    return;
  }
  const float = floatFromBits(printed);
  if (float !== undefined) {
    if (typeof logged !== "number" || float.value !== (float.is32 ? Math.fround(logged) : logged)) differ(`float ${float.value} differs`);
    return;
  }
  if ("ptr" in printed && "deref" in printed) {
    compare(`${path}->`, printed["deref"], logged, diffs, unreadable);
    return;
  }
  if ("ptr" in printed && "cap" in printed) {
    if (!isObject(logged)) return differ("not a logged slice");
    compare(`${path}.len`, printed["len"], logged["len"], diffs, unreadable);
    compare(`${path}.cap`, printed["cap"], logged["cap"], diffs, unreadable);
    const bytes = printed["bytes"];
    if (isObject(bytes) && typeof bytes["hex"] === "string") {
      const elems = [...hexBytes(bytes["hex"])];
      if (JSON.stringify(elems) !== JSON.stringify(logged["elems"])) differ("slice bytes differ");
    }
    const strings = printed["strings"];
    if (Array.isArray(strings)) {
      // Four slots; those past the slice's length have len -1.
      const want = Array.isArray(logged["elems"]) ? logged["elems"] : [];
      const present = strings.filter((slot) => isObject(slot) && slot["len"] !== -1);
      if (strings.length !== 4 || present.length !== Math.min(want.length, 4)) differ("slice strings differ in number");
      present.forEach((slot, i) => compare(`${path}[${i}]`, slot, want[i], diffs, unreadable));
    }
    const elems = printed["elems"];
    if (isObject(elems) && typeof elems["hex"] === "string" && typeof elems["size"] === "number") {
      // Little-endian elements of the printed size, signed for int kinds.
      const memory = hexBytes(elems["hex"]);
      const size = elems["size"];
      const signed = /^int/.test(String(elems["kind"]));
      const values: string[] = [];
      for (let at = 0; at + size <= memory.length; at += size) values.push((signed ? memory.readBigInt64LE.bind(memory) : memory.readBigUInt64LE.bind(memory))(at).toString());
      const want = (Array.isArray(logged["elems"]) ? logged["elems"] : []).map((v) => String(v));
      if (size !== 8 || elems["count"] !== Math.min(want.length, 8) || JSON.stringify(values) !== JSON.stringify(want.slice(0, values.length))) differ("slice elements differ");
    }
    return;
  }
  if ("tab" in printed && "data" in printed) {
    if (logged === null) {
      if (printed["type"] !== "nil" || BigInt(String(printed["tab"])) !== 0n) differ("a nil interface printed as non-nil");
      return;
    }
    if (!isObject(logged)) return differ("not a logged interface");
    if (printed["type"] !== logged["type"]) differ("dynamic types differ");
    const message = printed["message"];
    if (isObject(message) && typeof message["len"] === "number" && message["len"] >= 0) {
      compare(`${path}.message`, message, logged["error"] ?? logged["value"], diffs, unreadable);
    }
    return;
  }
  if (!isObject(logged)) return differ("not a logged struct");
  for (const [key, value] of Object.entries(printed)) compare(`${path}.${key}`, value, logged[key], diffs, unreadable);
}

/** The kinds sample's functions: maps, channels, funcs, string slices, pointers to scalars. */
const KIND_FUNCTIONS = ["main.MapLen", "main.ChanState", "main.Apply", "main.Join", "main.Deref"];

interface TraceCase {
  sample: "calls" | "kinds";
  functions: readonly string[];
  toolchain: GoToolchain;
  flags: FlagSet;
  bpftrace: BpftraceCommand;
}

const cases: TraceCase[] = [];
for (const toolchain of toolchains) {
  for (const bpftrace of bpftraces) {
    cases.push({ sample: "calls", functions: FUNCTIONS, toolchain, flags: "default", bpftrace });
    cases.push({ sample: "kinds", functions: KIND_FUNCTIONS, toolchain, flags: "default", bpftrace });
  }
}
// Position-independent builds: the script removes the load bias from itab addresses.
for (const toolchain of toolchains.filter((t) => t.version === "1.15" || t.version === "1.26")) {
  for (const bpftrace of bpftraces.filter((b) => b.minor !== "0.17")) cases.push({ sample: "calls", functions: FUNCTIONS, toolchain, flags: "pie", bpftrace });
}

describe.skipIf(!isRoot || cases.length === 0)("goxray trace --json, run by bpftrace, prints what the program passed and returned", () => {
  const scratch = mkdtempSync(join(tmpdir(), "goxray-trace-"));
  it.each(cases.map((c) => [`${c.sample}, Go ${c.toolchain.version} ${c.flags}, bpftrace ${c.bpftrace.version}`, c] as const))("%s", async (_name, c) => {
    const FUNCTIONS = c.functions;
    const binary = buildSample(c.sample, c.toolchain, "amd64", c.flags);
    // The version is detected by running the bpftrace (a chroot's wrapper is one executable).
    // --deref 1: Scale's *Point and Add's *Cart print what they point at, which the sample logs.
    const made = await goxray(["trace", binary, ...FUNCTIONS, "--json", "--deref", "1", "--bpftrace", c.bpftrace.command.join(" ")]);
    expect(made.stderr).toBe("");
    expect(made.code).toBe(0);
    const scriptPath = join(scratch, `${c.sample}-go${c.toolchain.version}-${c.flags}-${c.bpftrace.minor}.bt`);
    writeFileSync(scriptPath, made.stdout);
    const hasReturns = c.bpftrace.minor !== "0.17";
    // Two calls and two returns of each: probes attach one by one (under load, tens of ms apart),
    // and the first return may belong to a call made before its entry probe was attached.
    const seen = (stdout: string, event: string, f: string): number => stdout.split(`"event":"${event}","func":${JSON.stringify(f)}`).length - 1;
    const wanted = (stdout: string): boolean => FUNCTIONS.every((f) => seen(stdout, "call", f) >= 2 && (!hasReturns || seen(stdout, "return", f) >= 2));
    const run = await runBpftrace(c.bpftrace, [scriptPath], { program: [binary, "-n", "3000", "-interval", "20ms"], stopWhen: wanted, timeoutMs: 30_000 });
    expect(run.stderr).not.toMatch(/^(?!.*(RLIMIT_MEMLOCK|uprobe_events|failed to detach probe|available_filter_functions|Addrspace is not set)).*(ERROR|error)/m);

    const events: ScriptEvent[] = [];
    for (const line of run.stdout.split("\n")) {
      if (!line.startsWith("{")) continue;
      events.push(parseExact(line) as ScriptEvent);
    }
    const logged = new Map<string, LoggedCall>();
    for (const line of run.programStdout.split("\n")) {
      if (!line.startsWith("{")) continue;
      const call = parseExact(line) as LoggedCall;
      if (!logged.has(call.func)) logged.set(call.func, call);
    }
    const diffs: Differences = [];
    const unreadable: string[] = [];
    for (const func of FUNCTIONS) {
      const log = logged.get(func);
      // The first call, and the first return after it (a call already running when the probes
      // attached returns without a start time).
      const callIndex = events.findIndex((e) => e.event === "call" && e.func === func);
      const call = events[callIndex];
      const ret = events.slice(callIndex + 1).find((e) => e.event === "return" && e.func === func);
      if (log === undefined || call === undefined) {
        diffs.push(`${func}: ${log === undefined ? "not logged" : "no call event"}`);
        continue;
      }
      // Go 1.15 PIE has no fixed TLS slot for g: the script matches by thread id instead.
      const goid = c.toolchain.version === "1.15" && c.flags === "pie" ? call.goid : 1;
      expect(call.goid, `${func} runs on the main goroutine`).toBe(goid);
      for (const [name, value] of Object.entries(log.args)) compare(`${func}(${name})`, call.args?.[name], value, diffs, unreadable);
      if (!hasReturns) continue;
      if (ret === undefined) {
        diffs.push(`${func}: no return event`);
        continue;
      }
      expect(ret.goid).toBe(call.goid);
      expect(ret.latencyNs, `${func}: a return matched with its call has a latency`).toBeGreaterThan(0);
      // Unnamed results go by position: Go 1.15's DWARF numbers them after the parameters (~r5), the log from 0.
      const printedResults = Object.entries(ret.results ?? {});
      Object.entries(log.results).forEach(([name, value], i) => {
        const printedValue = name.startsWith("~r") ? printedResults[i]?.[1] : ret.results?.[name];
        compare(`${func} result ${name}`, printedValue, value, diffs, unreadable);
      });
    }
    expect(diffs).toEqual([]);
    // Only floats in vector registers are unreadable, and only under the register ABI.
    for (const u of unreadable) expect(u).toMatch(/^main\.(Point\.Norm|Floats|Complexes).*: float in X\d+, which eBPF cannot read$/);
    if (c.toolchain.version === "1.15" || c.sample === "kinds") expect(unreadable).toEqual([]);
    // Floats(a, b), Complexes(a, b: two halves each), and with returns Norm, Floats and Complexes' results.
    else expect(unreadable.length).toBe(hasReturns ? 2 + 4 + 1 + 1 + 2 : 2 + 4);
  });
});

describe.skipIf(!isRoot || bpftraces.length === 0 || toolchains.length === 0)("goxray trace -p PID traces that process only, through /proc/PID/exe", () => {
  const scratch = mkdtempSync(join(tmpdir(), "goxray-pid-"));
  it.each(bpftraces.map((b) => [b.version, b] as const))("bpftrace %s", async (_name, bpftrace) => {
    const toolchain = toolchains[toolchains.length - 1] as GoToolchain;
    const binary = buildSample("calls", toolchain, "amd64", "default");
    // Two copies of the same program: only the one named by -p may show up.
    const programs = [0, 1].map(() => spawn(binary, ["-n", "1500", "-interval", "20ms"], { stdio: "ignore" }));
    try {
      const [traced, other] = programs.map((p) => p.pid as number);
      const made = await goxray(["trace", "-p", String(traced), binary, "main.Greet", "--json", "--bpftrace", bpftrace.command.join(" ")]);
      expect(made.stderr).toBe("");
      expect(made.stdout).toContain(`uprobe:/proc/${traced}/exe:0x`);
      const path = join(scratch, `pid-${bpftrace.minor}.bt`);
      writeFileSync(path, made.stdout);
      const run = await runBpftrace(bpftrace, [path], { stopWhen: (out) => out.split('"event":"call"').length > 5, timeoutMs: 20_000 });
      const pids = new Set([...run.stdout.matchAll(/"pid":(\d+)/g)].map((m) => Number(m[1])));
      expect([...pids]).toEqual([traced]);
      expect(pids.has(other as number)).toBe(false);
    } finally {
      for (const p of programs) p.kill("SIGKILL");
    }
  });
});

// gdb reads the compiler's DWARF on its own: at a breakpoint on each function, its frame line
// shows every argument as the DWARF locations give it. Each value goxray's script printed must
// equal gdb's, and where gdb cannot show a value or shows a wrong one (the compiler's DWARF is
// incomplete: a partly used stack argument, a slice whose cap the body never reads), goxray's own
// check must have said that the DWARF disagrees with the ABI or has no location there.

/** Compares a value goxray's script printed (JSON) with gdb's; `unavailable` collects what gdb could not show. */
function compareGdb(path: string, printed: unknown, gdb: GdbValue | undefined, diffs: Differences, unavailable: string[]): void {
  const differ = (why: string): void => void diffs.push(`${path}: ${why}: printed ${JSON.stringify(printed)}, gdb ${JSON.stringify(gdb)}`);
  if (gdb === undefined) return differ("gdb shows no such value");
  if (gdb.kind === "text" && /<(optimized out|synthetic pointer|error:)/.test(gdb.text)) {
    unavailable.push(path);
    return;
  }
  if (isObject(printed) && typeof printed["unreadable"] === "string") return;
  if (typeof printed === "number" || (typeof printed === "string" && /^-?\d+$/.test(printed))) {
    const number = gdb.kind === "text" ? /^-?\d+/.exec(gdb.text)?.[0] : undefined;
    if (number === undefined || BigInt(number) !== BigInt(printed)) differ("numbers differ");
    return;
  }
  if (typeof printed === "boolean") {
    if (gdb.kind !== "text" || gdb.text !== String(printed)) differ("booleans differ");
    return;
  }
  if (typeof printed === "string") return; // an address in another process
  if (Array.isArray(printed)) {
    if (gdb.kind !== "list" || gdb.items.length !== printed.length) return differ("arrays differ");
    printed.forEach((p, i) => compareGdb(`${path}[${i}]`, p, gdb.items[i], diffs, unavailable));
    return;
  }
  if (!isObject(printed)) return differ("unexpected printed value");
  if (typeof printed["hex"] === "string" && typeof printed["len"] === "number" && Object.keys(printed).length === 2) {
    const body = gdb.kind === "text" ? /"((?:[^"\\]|\\.)*)"/.exec(gdb.text)?.[1] : undefined;
    if (body === undefined) {
      // gdb shows `0x… <error: …>` or a bare address for a string it cannot read.
      if (printed["len"] === 0) return;
      return differ("gdb shows no text");
    }
    const want = gdbStringBytes(body);
    const bytes = hexBytes(printed["hex"]);
    if (!bytes.equals(want.subarray(0, bytes.length))) differ("string bytes differ");
    return;
  }
  const float = floatFromBits(printed);
  if (float !== undefined) {
    if (gdb.kind !== "text" || Number(gdb.text) !== float.value) differ("floats differ");
    return;
  }
  if ("real" in printed && "imag" in printed) return; // gdb prints complex numbers in its own syntax
  if ("ptr" in printed && "cap" in printed) {
    if (gdb.kind !== "struct") return differ("gdb shows no slice");
    compareGdb(`${path}.len`, printed["len"], gdb.fields.get("len"), diffs, unavailable);
    compareGdb(`${path}.cap`, printed["cap"], gdb.fields.get("cap"), diffs, unavailable);
    return;
  }
  if ("ptr" in printed && "deref" in printed) return; // gdb shows the pointer only
  if ("tab" in printed && "data" in printed) {
    if (gdb.kind !== "struct") return differ("gdb shows no interface");
    const word = gdb.fields.get("tab") ?? gdb.fields.get("_type");
    const address = word?.kind === "text" ? /^0x[0-9a-f]+/.exec(word.text)?.[0] : undefined;
    if (address === undefined || BigInt(address) !== BigInt(String(printed["tab"]))) differ("interface type words differ");
    return;
  }
  if (gdb.kind !== "struct") return differ("gdb shows no struct");
  for (const [key, value] of Object.entries(printed)) compareGdb(`${path}.${key}`, value, gdb.fields.get(key), diffs, unavailable);
}

const gdbCases = toolchains.filter((t) => ["1.15", "1.22", "1.27"].includes(t.version));
const offsetBpftrace = bpftraces.find((b) => b.minor === "0.23") ?? bpftraces.find((b) => b.minor !== "0.17");

describe.skipIf(!isRoot || offsetBpftrace === undefined || !hasGdb)("the values the script prints equal gdb's reading of the compiler's DWARF", () => {
  const scratch = mkdtempSync(join(tmpdir(), "goxray-gdbcmp-"));
  it.each(gdbCases.map((t) => [`Go ${t.version}`, t] as const))("%s", async (_name, toolchain) => {
    const bpftrace = offsetBpftrace as BpftraceCommand;
    const binary = buildSample("calls", toolchain, "amd64", "default");
    const frames = gdbFrames(binary, FUNCTIONS);
    const made = await goxray(["trace", binary, ...FUNCTIONS, "--json", "--bpftrace", bpftrace.command.join(" ")]);
    const path = join(scratch, `go${toolchain.version}.bt`);
    writeFileSync(path, made.stdout);
    const wanted = (stdout: string): boolean => FUNCTIONS.every((f) => stdout.includes(`"event":"call","func":${JSON.stringify(f)}`));
    const run = await runBpftrace(bpftrace, [path], { program: [binary, "-n", "3000", "-interval", "20ms"], stopWhen: wanted, timeoutMs: 30_000 });
    const calls = new Map<string, ScriptEvent>();
    for (const line of run.stdout.split("\n")) {
      if (!line.startsWith("{")) continue;
      const e = parseExact(line) as ScriptEvent;
      if (e.event === "call" && !calls.has(e.func)) calls.set(e.func, e);
    }
    const checked = await goxray(["check", binary, ...FUNCTIONS, "--json"]);
    const reports = JSON.parse(checked.stdout) as { function: string; params: { name: string; dwarf: string }[] }[];
    const diffs: Differences = [];
    const unavailable: string[] = [];
    let compared = 0;
    for (const func of FUNCTIONS) {
      const frame = frames.get(func);
      const call = calls.get(func);
      if (frame === undefined || call === undefined) {
        diffs.push(`${func}: ${frame === undefined ? "gdb did not stop there" : "no call event"}`);
        continue;
      }
      for (const [name, value] of Object.entries(call.args ?? {})) {
        const before = diffs.length;
        compareGdb(`${func}(${name})`, value, frame.get(name), diffs, unavailable);
        if (diffs.length === before) compared++;
        // A value gdb shows wrong or cannot show must be one that goxray's check flags.
        const flagged = reports.find((r) => r.function === func)?.params.find((p) => p.name === name)?.dwarf !== "agrees";
        if (diffs.length > before && flagged) diffs.splice(before);
      }
    }
    // A whole argument gdb cannot show must be one goxray's check flags; a part of one (a slice's
    // cap that the body never reads has no location in Go 1.15's DWARF) is only listed.
    for (const u of unavailable.filter((p) => p.endsWith(")"))) {
      const [, func, name] = /^(.*)\((\w+)\)$/.exec(u) ?? [];
      const dwarf = reports.find((r) => r.function === func)?.params.find((p) => p.name === name)?.dwarf;
      expect(`${u}: goxray check says ${String(dwarf)}`).not.toMatch(/says agrees$/);
    }
    console.log(`Go ${toolchain.version}: ${compared} arguments equal gdb's; gdb could not show ${unavailable.length} (${unavailable.join(", ")}); whole arguments among them are flagged by goxray check`);
    expect(diffs).toEqual([]);
    expect(compared).toBeGreaterThan(30);
  });
});

// --inlined: main.Double has no body (the compiler inlined it in Area and twice in run); its copies
// are probed at their first instructions, reading x where each copy's DWARF puts it (a register
// in one, the caller's frame in the others), and must print what the program passed.
describe.skipIf(!isRoot || bpftraces.every((b) => b.minor === "0.17"))("goxray trace --inlined probes each inlined copy", () => {
  const scratch = mkdtempSync(join(tmpdir(), "goxray-inlined-"));
  const runs = toolchains.flatMap((t) => bpftraces.filter((b) => b.minor !== "0.17").map((b) => [`Go ${t.version}, bpftrace ${b.version}`, t, b] as const));
  it.each(runs)("%s", async (_name, toolchain, bpftrace) => {
    const binary = buildSample("calls", toolchain, "amd64", "default");
    const made = await goxray(["trace", binary, "main.Double", "--inlined", "--json", "--bpftrace", bpftrace.command.join(" ")]);
    expect(made.stderr).toBe("");
    const path = join(scratch, `go${toolchain.version}-${bpftrace.minor}.bt`);
    writeFileSync(path, made.stdout);
    const run = await runBpftrace(bpftrace, [path], { program: [binary, "-n", "3000", "-interval", "20ms"], stopWhen: (out) => out.split('"inlinedIn"').length > 6, timeoutMs: 20_000 });
    const bySite = new Map<string, unknown>();
    for (const line of run.stdout.split("\n")) {
      if (!line.startsWith("{")) continue;
      const e = JSON.parse(line) as { inlinedIn: string; site: string; args: { x: unknown } };
      if (!bySite.has(e.site)) bySite.set(e.site, { caller: e.inlinedIn, x: e.args.x });
    }
    // What the program passed: Area's copy doubles r.Max.X - r.Min.X; run's two copies log x.
    const logged = run.programStdout.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as LoggedCall);
    const area = logged.find((c) => c.func === "main.Area")?.args["r"] as { Min: { X: number }; Max: { X: number } };
    const doubles = logged.filter((c) => c.func === "main.Double").map((c) => c.args["x"]);
    expect(Object.fromEntries(bySite)).toEqual({
      "main.go:124": { caller: "main.Area", x: area.Max.X - area.Min.X },
      "main.go:443": { caller: "main.run", x: doubles[0] },
      "main.go:446": { caller: "main.run", x: doubles[1] },
    });
  });
});
