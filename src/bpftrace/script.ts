import type { Placement, PlacedValue } from "../abi/placement.js";
import type { ArchName } from "../model/arch.js";
import type { Hazard } from "../hazards/hazard.js";
import type { GoType } from "../model/go-type.js";
import type { BpftraceCapabilities } from "./capabilities.js";
import type { GoroutineId } from "./goroutine.js";
import { commentText, stringLiteral } from "./literal.js";
import { shownName } from "./shown-name.js";
import { PrintfBuilder } from "./printf-builder.js";
import type { TypeNameTable } from "./type-names.js";
import { printLocatedValue, printValue, type LocatedPiece, type OutputMode, type PrintContext } from "./value-printer.js";
import { formatBpftraceVersion } from "./version.js";

/** One function to trace: what `check` found, and the placement it found it from. */
export interface TracedFunction {
  readonly name: string;
  /** In Go syntax, for the header. */
  readonly signature: string;
  /** Bytes from the entry to the first instruction after the stack check (0 when there is none). */
  readonly entryProbeOffset: number;
  /** Bytes from the entry to each RET instruction. */
  readonly retOffsets: readonly number[];
  readonly hazards: readonly Hazard[];
  readonly placement: Placement | undefined;
  /** Link-time addresses of the function's first byte and of the byte after its last. */
  readonly entry: number;
  readonly end: number;
  /** False for a function inlined at every call site: only its inlined copies can be probed. */
  readonly hasBody: boolean;
  /** The inlined copies to probe (--inlined); empty otherwise. */
  readonly inlinedProbes: readonly InlinedProbe[];
  /**
   * The register holding g at the entry probe, as bpftrace names it ("cx"), when the stack check
   * loaded it from TLS (Go < 1.17 on amd64): kernel uprobe events read the goroutine there, having
   * no way to TLS. The script reads TLS itself and does not use it.
   */
  readonly entryGoroutine: string | undefined;
}

/** One inlined copy of a traced function, probed at its first instruction inside the caller. */
export interface InlinedProbe {
  readonly caller: string;
  /** "main.go:124": the call the compiler replaced. */
  readonly site: string;
  readonly address: number;
  /** The copy's parameters where the compiler's DWARF puts them at `address`, or why it does not. */
  readonly values: readonly { readonly name: string; readonly type: GoType; readonly located: readonly LocatedPiece[] | string }[];
}

/** What the script needs to know about the binary. */
export interface ScriptBinary {
  /** The path written in the header (the file analysed). */
  readonly path: string;
  readonly buildId: string | undefined;
  readonly goVersion: string;
  readonly arch: ArchName;
  readonly abi: "register" | "stack";
  /** ET_DYN: addresses at run time are link-time addresses plus a load bias. */
  readonly isPositionIndependent: boolean;
  /** runtime.morestack's link-time address: the dedup probe of entry probes at a function's first byte. */
  readonly morestack: number | undefined;
  readonly goroutine: GoroutineId;
  readonly typeNames: TypeNameTable;
}

/** How the script is written. */
interface ScriptOptions {
  readonly capabilities: BpftraceCapabilities;
  /** How the bpftrace version was learned, for the header: "detected from `bpftrace --version`". */
  readonly versionSource: string;
  /** The path written into every attach point (the analysed file, or --attach-path). */
  readonly attachPath: string;
  /** Only this process is traced when set. */
  readonly pid: number | undefined;
  readonly mode: OutputMode;
  readonly stringBytes: number;
  /** Pointers followed this many levels deep (--deref). */
  readonly deref: number;
  /** Print READY_MARKER from BEGIN, once every probe is attached. */
  readonly readyMarker?: boolean;
}

/** The line a script written with `readyMarker` prints when its probes are attached. */
export const READY_MARKER = '{"event":"ready"}';

// Every map the script makes starts with this, so none collides with a user's additions.
const DEPTH = "@goxray_depth";
const START = "@goxray_start";
const AGAIN = "@goxray_again";
const TYPES = "@goxray_type";

/**
 * The bpftrace script that traces `functions`: one uprobe per entry (after the stack check where
 * the version can attach inside a function, else at the entry with morestack's re-run dropped) and
 * one per RET instruction, each reading the placed values with reg() and SP-relative loads. Never
 * a uretprobe: it rewrites the return address on a goroutine stack that Go may move.
 */
export function writeScript(binary: ScriptBinary, functions: readonly TracedFunction[], options: ScriptOptions): string {
  const caps = options.capabilities;
  const blocks: string[] = [];
  const maps = new Set<string>();
  const usesTypes = binary.typeNames.isNeeded;
  // BEGIN fires once every probe is attached: the marker tells a runner (trace --run) that it may
  // start the traced command. bpftrace 0.17 allows one BEGIN block, so both share it.
  const ready = options.readyMarker === true ? [`  printf("${READY_MARKER.replace(/"/g, '\\"')}\\n");`] : [];
  if (usesTypes) {
    const lines = [...binary.typeNames.names].map(([address, name]) => `  ${TYPES}[0x${address.toString(16)}] = ${stringLiteral(options.mode === "json" ? JSON.stringify(name).slice(1, -1) : shownName(name), caps.maxBufBytes - 1)};`);
    blocks.push(`BEGIN\n{\n  ${TYPES}[0] = "nil";\n${[...lines, ...ready].join("\n")}\n}`);
    maps.add(TYPES);
  } else if (ready.length > 0) {
    blocks.push(`BEGIN\n{\n${ready.join("\n")}\n}`);
  }
  const filter = options.pid === undefined ? "" : ` /pid == ${options.pid}/`;
  const attach = (address: number): string => `uprobe:${options.attachPath}:0x${address.toString(16)}${filter}`;
  const prelude = (address: number): string[] => [
    ...(binary.isPositionIndependent ? [`$bias = reg("ip") - 0x${address.toString(16)};`] : []),
    `$g = ${binary.goroutine.expression};`,
  ];
  const deleteStatement = (key: string): string => (caps.isDeleteAnExpression ? `$deleted = delete(${key});` : `delete(${key});`);

  functions.forEach((fn, i) => {
    const id = i + 1;
    const name = fn.name;
    const probeOffset = caps.hasOffsetProbes ? fn.entryProbeOffset : 0;
    const full: PrintContext = {
      mode: options.mode,
      stringBytes: options.stringBytes,
      bias: binary.isPositionIndependent ? "$bias" : undefined,
      typeNameMap: usesTypes ? TYPES : "",
      messageTypes: binary.typeNames.messageTypes,
      deref: options.deref,
      isCompact: false,
      showsLengths: false,
      bufBytes: caps.maxBufBytes,
    };
    const values = fn.placement?.values ?? [];
    const args = values.filter((v) => v.role === "argument");
    const results = values.filter((v) => v.role === "result");

    // Entry.
    const variables = { next: 0 };
    const makeCall = (context: PrintContext): PrintfBuilder => {
      const call = new PrintfBuilder(caps.maxBufBytes, variables);
      if (options.mode === "json") {
        eventHead(call, "call", name, "");
        call.text(',"args":');
        printValues(call, args, fn.placement, context, "json");
        call.text("}");
      } else {
        call.text("g");
        call.conversion("%lu", "$g");
        call.text(` ${shownName(name)}(`);
        printValues(call, args, fn.placement, context, "text");
        call.text(")");
      }
      return call;
    };
    const call = fitted(caps, full, makeCall);
    // Where the stack allows it, a call whose string was cut prints the lengths (text mode).
    const callText = (indent: string): string => (caps.printfStackBudget === undefined && options.mode === "text" ? call.renderUnlessCut(makeCall({ ...full, showsLengths: true }), indent) : call.render(indent));
    const entryBody = [...prelude(fn.entry + probeOffset)];
    const tracksReturns = caps.hasOffsetProbes && fn.retOffsets.length > 0;
    if (tracksReturns) {
      entryBody.push(`$d = ${DEPTH}[$g, ${id}] + 1;`, `${DEPTH}[$g, ${id}] = $d;`, `${START}[$g, ${id}, $d] = nsecs;`);
      maps.add(DEPTH).add(START);
    }
    const where = probeOffset > 0 ? `entry, after the stack check (+0x${probeOffset.toString(16)})` : "entry";
    if (probeOffset === 0 && binary.morestack !== undefined && !caps.hasOffsetProbes) {
      // The prologue re-runs after runtime.morestack: that second hit is the same call.
      entryBody.push(`if (${AGAIN}[$g, ${id}]) {`, `  ${deleteStatement(`${AGAIN}[$g, ${id}]`)}`, "} else {", callText("  "), "}");
      maps.add(AGAIN);
    } else {
      entryBody.push(callText(""));
    }
    if (fn.hasBody) blocks.push(probeBlock(`${commentText(name)}: ${where}`, attach(fn.entry + probeOffset), entryBody));

    // Each inlined copy, at its first instruction: a call without a return to probe.
    if (caps.hasOffsetProbes) {
      for (const copy of fn.inlinedProbes) {
        const printf = fitted(caps, full, (context) => {
          const b = new PrintfBuilder(caps.maxBufBytes);
          if (options.mode === "json") {
            eventHead(b, "call", name, `,"inlinedIn":${JSON.stringify(copy.caller)},"site":${JSON.stringify(copy.site)}`);
            b.text(',"args":{');
          } else {
            b.text("g");
            b.conversion("%lu", "$g");
            b.text(` ${shownName(name)}(`);
          }
          copy.values.forEach((v, k) => {
            if (k > 0) b.text(options.mode === "json" ? "," : ", ");
            b.text(options.mode === "json" ? `${JSON.stringify(v.name)}:` : `${shownName(v.name)}=`);
            printLocatedValue(b, v.type, v.located, context);
          });
          b.text(options.mode === "json" ? "}}" : `) inlined in ${shownName(copy.caller)} at ${shownName(copy.site)}`);
          return b;
        });
        blocks.push(probeBlock(`${commentText(name)}: inlined in ${commentText(copy.caller)} (${commentText(copy.site)})`, attach(copy.address), [...prelude(copy.address), printf.render("")]));
      }
    }

    // Each RET.
    if (caps.hasOffsetProbes && fn.hasBody) {
      for (const retOffset of fn.retOffsets) {
        const retVariables = { next: 0 };
        const makeRet = (context: PrintContext): PrintfBuilder => {
          const ret = new PrintfBuilder(caps.maxBufBytes, retVariables);
          if (options.mode === "json") {
            eventHead(ret, "return", name, "");
            ret.text(`,"ret":"+0x${retOffset.toString(16)}","latencyNs":`);
            ret.conversion("%ld", "$latency");
            ret.text(',"results":');
            printValues(ret, results, fn.placement, context, "json");
            ret.text("}");
          } else {
            ret.text("g");
            ret.conversion("%lu", "$g");
            ret.text(` ${shownName(name)} returned`);
            if (fn.placement === undefined) ret.text(" ?");
            else if (results.length === 1 && results[0]?.name.startsWith("~") === true) {
              // One unnamed result (~r0): just its value, as Go would show it.
              ret.text(" ");
              printValue(ret, results[0], context);
            } else if (results.length > 0) {
              ret.text(" (");
              printValues(ret, results, fn.placement, context, "text");
              ret.text(")");
            }
            ret.text(" in ");
            ret.conversion("%ld", "$latency");
            ret.text("ns");
          }
          return ret;
        };
        const ret = fitted(caps, full, makeRet);
        const body = [
          ...prelude(fn.entry + retOffset),
          `$d = ${DEPTH}[$g, ${id}];`,
          `$start = (int64)${START}[$g, ${id}, $d];`,
          "$latency = (int64)-1;",
          `if ($start > 0) { $latency = (int64)nsecs - $start; ${deleteStatement(`${START}[$g, ${id}, $d]`)} }`,
          `if ($d > 1) { ${DEPTH}[$g, ${id}] = $d - 1; } else { if ($d == 1) { ${deleteStatement(`${DEPTH}[$g, ${id}]`)} } }`,
          caps.printfStackBudget === undefined && options.mode === "text" ? ret.renderUnlessCut(makeRet({ ...full, showsLengths: true }), "") : ret.render(""),
        ];
        blocks.push(probeBlock(`${commentText(name)}: RET at +0x${retOffset.toString(16)}`, attach(fn.entry + retOffset), body));
      }
    }
  });

  // morestack: mark the function whose prologue called it, so its entry probe skips the re-run.
  const dedup = functions.map((fn, i) => ({ fn, id: i + 1 })).filter(({ fn }) => fn.hasBody && !caps.hasOffsetProbes && binary.morestack !== undefined);
  if (dedup.length > 0 && binary.morestack !== undefined) {
    const returnAddress = binary.arch === "arm64" ? 'reg("r30")' : '*(uint64*)reg("sp")';
    const body = [...prelude(binary.morestack), `$pc = ${returnAddress}${binary.isPositionIndependent ? " - $bias" : ""};`];
    for (const { fn, id } of dedup) body.push(`if ($pc > 0x${fn.entry.toString(16)} && $pc < 0x${fn.end.toString(16)}) { ${AGAIN}[$g, ${id}] = 1; }`);
    blocks.push(probeBlock("runtime.morestack: a traced function's prologue will run again", attach(binary.morestack), body));
  }
  if (maps.size > 0) blocks.push(`END\n{\n${[...maps].map((m) => `  clear(${m});`).join("\n")}\n}`);
  return header(binary, functions, options) + "\n" + blocks.join("\n\n") + "\n";
}

/**
 * The printf `build` makes with the fullest context that fits the version's BPF stack budget,
 * giving up, in order: the optional markers, the text of errors, the names of dynamic types
 * (their addresses stay). Cutting strings shorter would not help: a buf() of variable length
 * takes the longest the version allows. What still does not fit is left to bpftrace to refuse,
 * with its own message.
 */
function fitted(caps: BpftraceCapabilities, full: PrintContext, build: (context: PrintContext) => PrintfBuilder): PrintfBuilder {
  const budget = caps.printfStackBudget;
  const steps: PrintContext[] = [full, { ...full, isCompact: true }, { ...full, isCompact: true, messageTypes: [] }, { ...full, isCompact: true, messageTypes: [], typeNameMap: "" }];
  let printf = build(full);
  for (const context of steps.slice(1)) {
    if (budget === undefined || printf.stackBytes <= budget) break;
    printf = build(context);
  }
  return printf;
}

/** The start of a JSON event: `{"event":…,"func":…` + `extra` + goroutine, process, thread and time. */
function eventHead(b: PrintfBuilder, event: "call" | "return", name: string, extra: string): void {
  b.text(`{"event":"${event}","func":${JSON.stringify(name)}${extra},"goid":`);
  b.conversion("%lu", "$g");
  b.text(',"pid":');
  b.conversion("%lu", "pid");
  b.text(',"tid":');
  b.conversion("%lu", "tid");
  b.text(',"ns":');
  b.conversion("%lu", "nsecs");
}

function probeBlock(comment: string, attachPoint: string, body: readonly string[]): string {
  return `// ${comment}\n${attachPoint}\n{\n${body.map((line) => line.split("\n").map((l) => `  ${l}`).join("\n")).join("\n")}\n}`;
}

/** `name=value, …` (text) or `{"name":value,…}` (JSON); the hidden dictionary is not printed. */
function printValues(b: PrintfBuilder, values: readonly PlacedValue[], placement: Placement | undefined, context: PrintContext, mode: OutputMode): void {
  if (mode === "json") b.text("{");
  if (placement === undefined) {
    b.text(mode === "json" ? '"?":{"unreadable":"no DWARF: types unknown"}' : "?");
  }
  values.forEach((v, i) => {
    if (i > 0) b.text(mode === "json" ? "," : ", ");
    b.text(mode === "json" ? `${JSON.stringify(v.name)}:` : `${shownName(v.name)}=`);
    printValue(b, v, context);
  });
  if (mode === "json") b.text("}");
}

function header(binary: ScriptBinary, functions: readonly TracedFunction[], options: ScriptOptions): string {
  const caps = options.capabilities;
  const lines = [
    "#!/usr/bin/env bpftrace",
    `// Written by goxray trace for bpftrace ${formatBpftraceVersion(caps.version)} (${commentText(options.versionSource)})${caps.isObserved ? "" : "; this version was not tested, its behaviour is extrapolated from the nearest tested ones"}.`,
    `// Binary: ${commentText(binary.path)}${binary.buildId === undefined ? "" : ` (build id ${commentText(binary.buildId)})`}, ${commentText(binary.goVersion)} ${binary.arch}, ${binary.abi} ABI${binary.isPositionIndependent ? ", position-independent" : ""}.`,
    `// Probes attach to ${commentText(options.attachPath)} by address${options.pid === undefined ? "" : ` and fire only in process ${options.pid}`}; run as root: bpftrace THIS_FILE.`,
    `// Output: ${options.mode === "json" ? "one JSON object per call and per return" : "one line per call (g<goroutine> name(args)) and per return (name returned (results) in <ns>)"}; strings show at most ${options.stringBytes} bytes${options.mode === "json" ? " (hex) with their real length" : caps.printfStackBudget === undefined ? ", a cut one ends in … and shows its length" : ", a cut one ends in …"}.`,
    `// Goroutine: ${binary.goroutine.description}.`,
  ];
  if (!caps.hasOffsetProbes) {
    lines.push(
      `// bpftrace ${formatBpftraceVersion(caps.version)} cannot attach inside a function, so: entry probes sit on each function's first byte, and a hit`,
      "// that follows runtime.morestack for the same goroutine and function (the prologue running again after the stack grew) is dropped;",
      "// results and latencies are NOT available from this bpftrace: `goxray trace --run` reads them at the RET instructions through tracefs.",
    );
  }
  if (binary.arch === "arm64") lines.push("// arm64: written from the ABI and checked statically; no live run on arm64 has verified it.");
  lines.push("// Functions:");
  for (const fn of functions) {
    const rets = caps.hasOffsetProbes ? `, ${fn.retOffsets.length} RET probe${fn.retOffsets.length === 1 ? "" : "s"}` : "";
    lines.push(`//   ${commentText(fn.signature)}${fn.hasBody ? ` at 0x${fn.entry.toString(16)}${rets}` : ": no body (inlined at every call site)"}`);
    for (const copy of fn.inlinedProbes) {
      const missing = copy.values.filter((v) => typeof v.located === "string").map((v) => `${v.name} (${String(v.located)})`);
      const state = caps.hasOffsetProbes ? `probed at 0x${copy.address.toString(16)}${missing.length > 0 ? `; not available: ${missing.join(", ")}` : ""}; no return to probe` : "not probed: this bpftrace cannot attach inside a function";
      lines.push(`//     inlined in ${commentText(copy.caller)} (${commentText(copy.site)}): ${commentText(state)}`);
    }
    for (const h of fn.hazards) lines.push(`//     ${h.severity} ${h.code}: ${commentText(h.message)}`);
  }
  return lines.join("\n") + "\n";
}
