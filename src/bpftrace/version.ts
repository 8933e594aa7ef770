import { spawnSync } from "node:child_process";
import { GoxrayError } from "../errors.js";

/** A bpftrace release, as `bpftrace --version` names it ("bpftrace v0.17.0"). */
export interface BpftraceVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
}

/** "0.17" or "0.23.2" (from --bpftrace-version or `bpftrace --version`); undefined when it is neither. */
export function parseBpftraceVersion(text: string): BpftraceVersion | undefined {
  const match = /^\s*(?:bpftrace\s+)?v?(\d{1,4})\.(\d{1,4})(?:\.(\d{1,4}))?/.exec(text);
  if (match === null) return undefined;
  return { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3] ?? 0) };
}

/** "0.23.2". */
export function formatBpftraceVersion(v: BpftraceVersion): string {
  return `${v.major}.${v.minor}.${v.patch}`;
}

/** True when `v` is `major.minor` or newer. */
export function isAtLeast(v: BpftraceVersion, major: number, minor: number): boolean {
  return v.major > major || (v.major === major && v.minor >= minor);
}

/**
 * The version of the bpftrace at `command` (an executable or a wrapper, found on PATH when it has
 * no slash), from its `--version` output. A missing or failing bpftrace is an `unsupported` error
 * that says how to go on without one.
 */
export function detectBpftraceVersion(command: string): BpftraceVersion {
  const run = spawnSync(command, ["--version"], { encoding: "utf8", timeout: 30_000 });
  const how = "give --bpftrace PATH, or --bpftrace-version X.Y to write a script for another machine";
  if (run.error !== undefined) {
    throw new GoxrayError("bpftrace", { file: command }, `cannot run bpftrace (${run.error.message}); ${how}`);
  }
  const version = run.status === 0 ? parseBpftraceVersion(run.stdout) : undefined;
  if (version === undefined) {
    const said = (run.stdout + run.stderr).trim().split("\n")[0] ?? "";
    throw new GoxrayError("bpftrace", { file: command }, `\`${command} --version\` did not name a version (exit ${String(run.status)}: ${JSON.stringify(said.slice(0, 120))}); ${how}`);
  }
  return version;
}
