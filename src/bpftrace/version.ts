
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
