/**
 * A Go release as the toolchain names it: "go1.22.12", "go1.21rc2", "go1.15", or a development
 * build "devel go1.24-abcdef Tue …". `raw` keeps the text exactly as the binary holds it, which
 * is what `go version BIN` prints.
 */
export interface GoVersion {
  readonly raw: string;
  readonly major: number;
  readonly minor: number;
  /** 0 when absent ("go1.21") and for pre-releases. */
  readonly patch: number;
  /** "rc2", "beta1", or "devel"; undefined for a release. */
  readonly prerelease: string | undefined;
}

/** Parses a Go version string, or returns undefined when it names no Go 1.x release. */
export function parseGoVersion(raw: string): GoVersion | undefined {
  const devel = /^devel (?:\+[0-9a-f]+ )?go(\d+)\.(\d+)/.exec(raw);
  if (devel !== null) return { raw, major: Number(devel[1]), minor: Number(devel[2]), patch: 0, prerelease: "devel" };
  // A release may carry experiment suffixes after a space ("go1.20 X:boringcrypto").
  const m = /^go(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:(rc|beta)(\d+))?(?:$|[ -])/.exec(raw);
  if (m === null) return undefined;
  return {
    raw,
    major: Number(m[1]),
    minor: m[2] === undefined ? 0 : Number(m[2]),
    patch: m[3] === undefined ? 0 : Number(m[3]),
    prerelease: m[4] === undefined ? undefined : `${m[4]}${m[5]}`,
  };
}

/** True when `v` is release major.minor or later (pre-releases of major.minor count as it). */
export function isAtLeast(v: GoVersion, major: number, minor: number): boolean {
  return v.major > major || (v.major === major && v.minor >= minor);
}
