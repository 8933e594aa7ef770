import { resolve } from "node:path";
import { capabilitiesOf } from "../bpftrace/capabilities.js";
import { formatBpftraceVersion } from "../bpftrace/version.js";
import { GoxrayError } from "../errors.js";
import { findArch } from "../model/arch.js";
import { GoBinary } from "../model/go-binary.js";
import { goidOffset } from "../model/runtime-g.js";
import type { BackendName } from "../run/backend.js";
import { startBpftrace } from "../run/bpftrace-backend.js";
import { detectBpftraceVersion } from "../run/detect-bpftrace.js";
import { startTracefs } from "../run/tracefs-backend.js";
import { tracefsRegister } from "../run/tracefs-fetch.js";
import { findTracefs, requireBpfAllowed, requireTracingPrivileges } from "../run/trace-preflight.js";
import { runSession, type SessionLimits, type TraceSession } from "../run/trace-session.js";
import { isAlive, startStoppedCommand } from "../run/traced-process.js";
import { monotonicToWall } from "../run/wall-clock.js";
import { buildTraceScript } from "./trace-script.js";

/** What to trace: functions of a binary, in one process or in every process running it. */
export interface TraceTarget {
  /** The Go binary (ignored with `pid`: the process's /proc/PID/exe is analysed and probed). */
  readonly binary: string;
  /** Full function names or regular expressions over them, as for goxray trace. */
  readonly functions: readonly string[];
  /** Trace only this process, and end when it exits. */
  readonly pid?: number;
  /** Start this shell command (it must exec `binary`), trace only it, and end when it exits. */
  readonly command?: string;
}

/** How to trace. */
export interface LiveTraceOptions {
  /** Which backend; chosen automatically when absent (see chooseBackend). */
  readonly backend?: BackendName;
  /** The bpftrace executable or wrapper ("bpftrace" on PATH by default). */
  readonly bpftrace?: string;
  readonly durationMs?: number;
  /** End after this many events. */
  readonly count?: number;
  /** Ends the trace when aborted. */
  readonly signal?: AbortSignal;
  /** At most this many bytes of each string (64 by default; tracefs reads at most 64). */
  readonly stringBytes?: number;
  /** Follow pointers this many levels. */
  readonly deref?: number;
  /** Also probe each inlined copy of the functions at its first instruction (a call event with `inlinedIn`, no return). */
  readonly inlined?: boolean;
  /** Where a -c command's stdout goes ("inherit" by default; the CLI sends it to stderr). */
  readonly commandStdout?: number | "inherit" | "pipe";
}

/** The backend to use, and why, in one sentence for the user. */
function chooseBackend(requested: BackendName | undefined, bpftrace: string): { backend: BackendName; why: string } {
  if (requested === "tracefs") return { backend: "tracefs", why: "as asked (--backend tracefs)" };
  let version;
  try {
    version = detectBpftraceVersion(bpftrace);
  } catch (err) {
    if (requested === "bpftrace") throw err;
    return { backend: "tracefs", why: `${err instanceof Error ? err.message.replace(/;.*$/, "") : String(err)}` };
  }
  if (requested === "bpftrace") return { backend: "bpftrace", why: `as asked (--backend bpftrace), bpftrace ${formatBpftraceVersion(version)}` };
  if (!capabilitiesOf(version).hasOffsetProbes) {
    return { backend: "tracefs", why: `bpftrace ${formatBpftraceVersion(version)} cannot attach at an instruction offset, so it cannot read results at RET sites; kernel uprobe events can` };
  }
  return { backend: "bpftrace", why: `bpftrace ${formatBpftraceVersion(version)} is installed and attaches at any offset` };
}

/**
 * Traces `target` live: checks privileges and kernel support, chooses a backend (bpftrace when it
 * can attach inside functions, else kernel uprobe events through tracefs), attaches the probes
 * and returns a session whose async iteration yields each call and return as typed Go values.
 */
export async function trace(target: TraceTarget, options: LiveTraceOptions = {}): Promise<TraceSession> {
  requireTracingPrivileges();
  if (target.pid !== undefined && !isAlive(target.pid)) throw new GoxrayError("usage", { file: "" }, `no process ${target.pid}`);
  const bpftrace = options.bpftrace ?? "bpftrace";
  const { backend, why } = chooseBackend(options.backend, bpftrace);
  if (backend === "bpftrace") requireBpfAllowed();
  const tracefs = backend === "tracefs" ? findTracefs() : undefined;
  const file = target.pid === undefined ? target.binary : `/proc/${target.pid}/exe`;
  // A -c command is started first, held stopped: its pid filters the events, and it has not run
  // yet, so none is missed.
  const command = target.command === undefined ? undefined : await startStoppedCommand(target.command, options.commandStdout ?? "inherit");
  const pid = command?.pid ?? target.pid;
  try {
    return await startBackend(backend, why, file, target.functions, tracefs, { ...options, bpftrace }, { pid, command, durationMs: options.durationMs, count: options.count, signal: options.signal });
  } catch (err) {
    command?.child.kill("SIGKILL");
    // Attaching to /proc/PID/exe fails once the process is gone: say that, not how it failed.
    if (target.pid !== undefined && !isAlive(target.pid)) throw new GoxrayError("cannot-trace", { file: "" }, `process ${target.pid} exited before the probes were attached`);
    throw err;
  }
}

async function startBackend(backend: BackendName, why: string, file: string, functions: readonly string[], tracefs: string | undefined, options: LiveTraceOptions & { bpftrace: string }, limits: SessionLimits): Promise<TraceSession> {
  const binary = GoBinary.open(file);
  try {
    const built = await buildTraceScript(binary, {
      patterns: functions,
      bpftrace: options.bpftrace,
      // tracefs needs the same facts (placement, RET offsets, type names): they are gathered for
      // the newest bpftrace, which probes everything tracefs can; the script itself is not used.
      bpftraceVersion: backend === "tracefs" ? "0.27" : undefined,
      pid: limits.pid,
      attachPath: undefined,
      mode: "json",
      stringBytes: options.stringBytes ?? 64,
      deref: backend === "bpftrace" ? (options.deref ?? 0) : 0,
      inlined: options.inlined === true,
      readyMarker: true,
    });
    const toWallMs = monotonicToWall();
    if (backend === "bpftrace") {
      const run = { command: options.bpftrace, script: built.script, decoding: { functions: built.functions, hasGoid: built.binary.goroutine.isGoroutine, toWallMs } };
      return await runSession(backend, why, (sink) => startBpftrace(run, sink), limits);
    }
    // g is in a register under the register ABI on amd64 and always on arm64 (bpftrace/goroutine.ts);
    // Go < 1.17 on amd64 keeps it in thread-local storage, which no fetch argument reaches: there
    // only entry probes after a stack check read it, from the register the check loaded it into.
    const arch = built.binary.arch;
    const goroutineName = built.binary.arch === "arm64" || built.binary.abi === "register" ? findArch(arch)?.goroutine.bpftraceName : undefined;
    const fileOffsets = new Map<number, number | undefined>();
    for (const fn of built.functions) {
      for (const address of [...[fn.entryProbeOffset, ...fn.retOffsets].map((offset) => fn.entry + offset), ...fn.inlinedProbes.map((copy) => copy.address)]) fileOffsets.set(address, binary.elf.fileOffsetOf(address));
    }
    const run = {
      tracefs: tracefs ?? "/sys/kernel/tracing",
      path: resolve(file),
      functions: built.functions,
      arch,
      goidOffset: goidOffset(binary),
      goroutineRegister: goroutineName === undefined ? undefined : tracefsRegister(arch, goroutineName),
      fileOffsetOf: (vaddr: number) => fileOffsets.get(vaddr),
      typeNames: built.binary.typeNames.names,
      messageTypes: built.binary.typeNames.messageTypes,
      pid: limits.pid,
      stringBytes: options.stringBytes ?? 64,
      deref: options.deref ?? 0,
      toWallMs,
    };
    return await runSession(backend, why, (sink) => startTracefs(run, sink), limits);
  } finally {
    binary.close();
  }
}
