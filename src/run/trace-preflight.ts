import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { GoxrayError } from "../errors.js";

// What tracing needs from the kernel and the caller, checked before anything is attached, so
// that each missing piece is one actionable line instead of a backend's error.

/** Where tracefs is normally mounted, and the older place under debugfs. */
const TRACEFS_PATHS = ["/sys/kernel/tracing", "/sys/kernel/debug/tracing"];

// capability(7) bit numbers.
const CAP_SYS_ADMIN = 21n;
const CAP_PERFMON = 38n;
const CAP_BPF = 39n;

const cannot = (detail: string): GoxrayError => new GoxrayError("cannot-trace", { file: "" }, detail);

/** The effective capability set of this process, from /proc/self/status. */
function effectiveCapabilities(): bigint {
  try {
    const hex = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync("/proc/self/status", "utf8"))?.[1];
    return hex === undefined ? 0n : BigInt(`0x${hex}`);
  } catch {
    return 0n;
  }
}

const has = (caps: bigint, bit: bigint): boolean => ((caps >> bit) & 1n) === 1n;

/** Throws `cannot-trace` unless this process may attach uprobes (root, or CAP_SYS_ADMIN, or CAP_BPF with CAP_PERFMON). */
export function requireTracingPrivileges(): void {
  if (process.getuid?.() === 0) return;
  const caps = effectiveCapabilities();
  if (has(caps, CAP_SYS_ADMIN) || (has(caps, CAP_BPF) && has(caps, CAP_PERFMON))) return;
  throw cannot("tracing needs root (or CAP_SYS_ADMIN, or CAP_BPF and CAP_PERFMON): run goxray trace --run with sudo");
}

/** Throws `cannot-trace` when the kernel's lockdown forbids eBPF from reading process memory (bpftrace backend). */
export function requireBpfAllowed(): void {
  const lockdown = readText("/sys/kernel/security/lockdown");
  if (lockdown?.includes("[confidentiality]") === true) {
    throw cannot("the kernel is locked down (confidentiality): eBPF may not read process memory; use --backend tracefs, or boot without lockdown=confidentiality");
  }
}

/**
 * The tracefs mount holding uprobe_events, mounting tracefs at /sys/kernel/tracing when nothing
 * is mounted there (Debian mounts it on first access through debugfs, containers often not at all).
 */
export function findTracefs(): string {
  const mounted = TRACEFS_PATHS.find((p) => existsSync(`${p}/uprobe_events`) || existsSync(`${p}/instances`));
  if (mounted === undefined) {
    const path = TRACEFS_PATHS[0] ?? "/sys/kernel/tracing";
    const mount = spawnSync("mount", ["-t", "tracefs", "nodev", path], { encoding: "utf8", timeout: 10_000 });
    if (mount.status !== 0 || !existsSync(`${path}/instances`)) {
      const why = (mount.stderr ?? "").trim().split("\n")[0] ?? "";
      throw cannot(`tracefs is not mounted and could not be mounted at ${path}${why === "" ? "" : ` (${why})`}: mount -t tracefs nodev ${path}, or use --backend bpftrace`);
    }
    return findUprobeEvents(path);
  }
  return findUprobeEvents(mounted);
}

function findUprobeEvents(tracefs: string): string {
  if (!existsSync(`${tracefs}/uprobe_events`)) throw cannot(`${tracefs}/uprobe_events is missing: this kernel was built without CONFIG_UPROBE_EVENTS; use --backend bpftrace`);
  if (!existsSync(`${tracefs}/instances`)) throw cannot(`${tracefs}/instances is missing: this kernel cannot make private tracing instances; use --backend bpftrace`);
  return tracefs;
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}
