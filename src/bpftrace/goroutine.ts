import type { ArchName } from "../model/arch.js";

/**
 * How a probe learns which goroutine it fired on, so that a return can be matched with its call:
 * the goroutine's runtime.g, then its goid field (offset from the binary's DWARF).
 * - amd64 with the register ABI (Go ≥ 1.17): ABIInternal code keeps g in R14.
 * - amd64 before that: g is in thread-local storage at FS:-8 for a statically linked, non-PIE
 *   binary (Go's local-exec TLS); bpftrace reads the thread's FS base from the task.
 * - arm64: g is in R28 in every release.
 * Otherwise (no DWARF for runtime.g, cgo or PIE before 1.17) the thread id stands in: a goroutine
 * can move threads between a call and its return, so latencies may then be unmatched.
 */
export interface GoroutineId {
  /** The bpftrace expression of the goroutine id (or thread id). */
  readonly expression: string;
  /** What it is, for the script's header. */
  readonly description: string;
  readonly isGoroutine: boolean;
}

export function goroutineId(arch: ArchName, abi: "register" | "stack", goidOffset: number | undefined, hasLocalExecTls: boolean): GoroutineId {
  if (goidOffset !== undefined) {
    if (arch === "arm64") return { expression: `*(uint64*)(reg("r28") + ${goidOffset})`, description: `runtime.g.goid (+${goidOffset}) through R28`, isGoroutine: true };
    if (abi === "register") return { expression: `*(uint64*)(reg("r14") + ${goidOffset})`, description: `runtime.g.goid (+${goidOffset}) through R14`, isGoroutine: true };
    if (hasLocalExecTls) {
      return { expression: `*(uint64*)(*(uint64*)uptr(curtask->thread.fsbase - 8) + ${goidOffset})`, description: `runtime.g.goid (+${goidOffset}) through the g at FS:-8`, isGoroutine: true };
    }
  }
  const why = goidOffset === undefined ? "runtime.g has no DWARF" : "g's TLS slot is not at a fixed place in this binary (cgo or PIE before Go 1.17)";
  return { expression: "tid", description: `the thread id (${why}): a call and its return are matched per thread`, isGoroutine: false };
}
