// The bpftrace builds tests can run: the host's own (Debian 12 ships 0.17) and the wrappers that
// scripts/make-bpftrace-chroots.sh puts in <cache>/chroots/bin (0.23 from trixie, 0.27 from sid),
// and a runner that traces a sample program with one of them, bounded in time, cleaning up after.

import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { cacheRoot } from "./samples.js";

/** One bpftrace the tests can run. */
export interface BpftraceCommand {
  /** From `bpftrace --version`, without the "v": "0.17.0". */
  version: string;
  /** Major.minor: "0.17". */
  minor: string;
  /** The argv prefix: ["bpftrace"], or [".cache/chroots/bin/bpftrace-0.23"]. */
  command: string[];
}

/** The bpftrace versions CI needs: Debian 12 (host), 13 (trixie chroot) and sid (chroot). */
export const REQUIRED_BPFTRACE_VERSIONS: readonly string[] = ["0.17", "0.23", "0.27"];

/** Where scripts/make-bpftrace-chroots.sh writes one wrapper per chroot. */
export const chrootWrapperDir = join(cacheRoot, "chroots", "bin");

let found: BpftraceCommand[] | undefined;

/**
 * The host's bpftrace (from PATH) and every chroot wrapper that answers `--version`, oldest first,
 * one per major.minor (the host's wins a tie). The wrappers need root; as another user they do
 * not answer and are left out.
 */
export function availableBpftraces(): BpftraceCommand[] {
  if (found === undefined) {
    const candidates: string[][] = [["bpftrace"]];
    if (existsSync(chrootWrapperDir)) {
      for (const name of readdirSync(chrootWrapperDir).sort()) {
        if (/^bpftrace-\d+\.\d+$/.test(name)) candidates.push([join(chrootWrapperDir, name)]);
      }
    }
    const byMinor = new Map<string, BpftraceCommand>();
    for (const command of candidates) {
      const version = readVersion(command);
      if (version === undefined) continue;
      const minor = version.split(".").slice(0, 2).join(".");
      if (!byMinor.has(minor)) byMinor.set(minor, { version, minor, command });
    }
    found = [...byMinor.values()].sort((a, b) => compareVersions(a.version, b.version));
  }
  return found.map((b) => ({ ...b, command: [...b.command] }));
}

let missingReported = false;

/**
 * The available bpftraces. When the CI environment variable is set, throws if any of
 * REQUIRED_BPFTRACE_VERSIONS is missing; elsewhere says once which are missing and returns what
 * there is. Making the chroots is scripts/make-bpftrace-chroots.sh's job, not the tests'.
 */
export function requireBpftraces(): BpftraceCommand[] {
  const available = availableBpftraces();
  const missing = REQUIRED_BPFTRACE_VERSIONS.filter((v) => !available.some((b) => b.minor === v));
  if (missing.length > 0) {
    const how = process.getuid?.() === 0 ? "run scripts/make-bpftrace-chroots.sh (and apt-get install bpftrace for 0.17)" : "run as root";
    const message = `bpftrace ${missing.join(", ")} not available: ${how}`;
    if ((process.env["CI"] ?? "") !== "") throw new Error(message);
    if (!missingReported) console.warn(`skipping cases that need them: ${message}`);
    missingReported = true;
  }
  return available;
}

/** What one bpftrace run printed, and how it ended. */
export interface BpftraceRun {
  stdout: string;
  stderr: string;
  /** bpftrace's exit status; null when a signal ended it. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** Whether the runner stopped it (SIGINT once `stopWhen` held or at the deadline; SIGKILL after). */
  stoppedByRunner: boolean;
  /** Whether it was still running at the deadline. */
  timedOut: boolean;
  /** What the traced program wrote to stdout meanwhile (the samples log their calls there). */
  programStdout: string;
  /** What it wrote to stderr (the Go runtime's fatal errors and tracebacks). */
  programStderr: string;
  /** How the program ended: its exit code, or the signal that ended it (SIGKILL: the runner's). */
  programExit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
}

/** How runBpftrace starts the traced program and when it stops bpftrace. */
export interface RunOptions {
  /** The traced program and its arguments, started first in its own process group; none when absent. */
  program?: readonly string[];
  /** Stop bpftrace with SIGINT (it prints its maps and exits) once this holds for its stdout. */
  stopWhen?: (stdout: string) => boolean;
  /** Stop bpftrace this long after the program exits on its own (its last events drained). */
  stopAfterProgramExitMs?: number;
  /** SIGINT at this deadline, SIGKILL 3 s later; the default is 30 s. */
  timeoutMs?: number;
  /** Extra environment for bpftrace (BPFTRACE_STRLEN, …). */
  env?: NodeJS.ProcessEnv;
}

const KILL_GRACE_MS = 3000;

/**
 * Runs `bpftrace ARGS` while the program runs. Both run in their own process groups and both
 * groups are killed before this returns, whatever happened; `timeout(1)` also bounds bpftrace
 * and the program should bound itself (the samples take -n), so nothing outlives a killed test.
 */
export async function runBpftrace(bpftrace: BpftraceCommand, args: readonly string[], options: RunOptions = {}): Promise<BpftraceRun> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  let program: ChildProcess | undefined;
  let programStdout = "";
  let programStderr = "";
  let programExit: BpftraceRun["programExit"];
  let programExited: Promise<void> = Promise.resolve();
  if (options.program !== undefined) {
    const [file, ...programArgs] = options.program;
    if (file === undefined) throw new Error("runBpftrace: empty program");
    const child = spawn(file, programArgs, { detached: true, stdio: ["ignore", "pipe", "pipe"] });
    program = child;
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      // The samples log forever; the first lines are all the tests compare with.
      if (programStdout.length < 1 << 20) programStdout += chunk;
    });
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => {
      if (programStderr.length < 1 << 20) programStderr += chunk;
    });
    programExited = new Promise((resolve) =>
      child.once("close", (code, signal) => {
        programExit = { code, signal };
        resolve();
      }),
    );
    await new Promise<void>((resolve, reject) => {
      child.once("spawn", () => resolve());
      child.once("error", reject);
    });
  }
  // timeout(1) bounds bpftrace even if this process dies before it can.
  const deadlineSeconds = String(Math.ceil((timeoutMs + 2 * KILL_GRACE_MS) / 1000));
  const argv = ["timeout", "-k", "2", deadlineSeconds, ...bpftrace.command, ...args];
  let run: Omit<BpftraceRun, "programStdout" | "programStderr" | "programExit">;
  try {
    run = await new Promise((resolve, reject) => {
      const child = spawn(argv[0] ?? "timeout", argv.slice(1), {
        detached: true,
        stdio: ["ignore", "pipe", "pipe"],
        env: { ...process.env, ...options.env },
      });
      let stdout = "";
      let stderr = "";
      let stoppedByRunner = false;
      let timedOut = false;
      let killTimer: NodeJS.Timeout | undefined;
      const stop = (): void => {
        if (stoppedByRunner) return;
        stoppedByRunner = true;
        signalGroup(child, "SIGINT");
        killTimer = setTimeout(() => signalGroup(child, "SIGKILL"), KILL_GRACE_MS);
      };
      let drainTimer: NodeJS.Timeout | undefined;
      const drainAfter = options.stopAfterProgramExitMs;
      if (drainAfter !== undefined) void programExited.then(() => (drainTimer = setTimeout(stop, drainAfter)));
      const deadline = setTimeout(() => {
        timedOut = true;
        stop();
      }, timeoutMs);
      child.stdout.setEncoding("utf8");
      child.stderr.setEncoding("utf8");
      child.stdout.on("data", (chunk: string) => {
        stdout += chunk;
        if (options.stopWhen?.(stdout) === true) stop();
      });
      child.stderr.on("data", (chunk: string) => {
        stderr += chunk;
      });
      child.once("error", (err) => {
        clearTimeout(deadline);
        reject(err);
      });
      child.once("close", (exitCode, signal) => {
        clearTimeout(deadline);
        if (killTimer !== undefined) clearTimeout(killTimer);
        if (drainTimer !== undefined) clearTimeout(drainTimer);
        // Whatever bpftrace left in its group (nothing, normally) goes too.
        signalGroup(child, "SIGKILL");
        resolve({ stdout, stderr, exitCode, signal, stoppedByRunner, timedOut });
      });
    });
  } finally {
    if (program !== undefined) {
      signalGroup(program, "SIGKILL");
      await programExited;
    }
  }
  return { ...run, programStdout, programStderr, programExit };
}

/** A signal to the child's whole process group (it was spawned detached, so it leads one). */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is gone already.
  }
}

function readVersion(command: readonly string[]): string | undefined {
  const [file, ...args] = command;
  if (file === undefined) return undefined;
  const result = spawnSync(file, [...args, "--version"], { encoding: "utf8", timeout: 60_000 });
  if (result.error !== undefined || result.status !== 0) return undefined;
  return /^bpftrace v?(\d+\.\d+(?:\.\d+)?)/m.exec(result.stdout)?.[1];
}

function compareVersions(a: string, b: string): number {
  const as = a.split(".").map(Number);
  const bs = b.split(".").map(Number);
  for (let i = 0; i < Math.max(as.length, bs.length); i++) {
    const d = (as[i] ?? 0) - (bs[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
