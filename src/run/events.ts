/**
 * What goxray trace --run reports: typed Go values and the call and return events that carry
 * them. Both backends (bpftrace-backend.ts, tracefs-backend.ts) produce exactly these, so the
 * renderers and the library API see one model whatever read the probes.
 */

/** An integer wider than 2^53 − 1 in magnitude is a bigint; every other one a number. */
export type GoInteger = number | bigint;

/** One decoded Go value; `type` is the Go type's name as the compiler wrote it. */
export type GoValue =
  | { readonly kind: "int"; readonly type: string; readonly value: GoInteger }
  | { readonly kind: "bool"; readonly type: string; readonly value: boolean }
  | { readonly kind: "float"; readonly type: string; readonly value: number }
  | { readonly kind: "complex"; readonly type: string; readonly real: GoValue; readonly imag: GoValue }
  /** `bytes` are those read (at most the string size); `length` is the string's real length. */
  | { readonly kind: "string"; readonly type: string; readonly bytes: Uint8Array; readonly text: string; readonly length: number; readonly isTruncated: boolean }
  /** `target` is what the pointer points at, when pointers were followed (--deref). */
  | { readonly kind: "pointer"; readonly type: string; readonly address: bigint; readonly target?: GoValue }
  | { readonly kind: "struct"; readonly type: string; readonly fields: readonly NamedValue[] }
  | { readonly kind: "array"; readonly type: string; readonly elems: readonly GoValue[] }
  /** `elems` holds the first elements read (possibly none): fewer than `len` when the rest was not read. */
  | { readonly kind: "slice"; readonly type: string; readonly address: bigint; readonly len: number; readonly cap: number; readonly elems: readonly GoValue[] }
  /**
   * `dynamicType` is "nil" for a nil interface, undefined when the descriptor is not among the
   * names goxray carries (`typeWord` then says which it is); `message` is an error's text or an
   * `any`'s string, when the dynamic type holds one.
   */
  | { readonly kind: "interface"; readonly type: string; readonly dynamicType: string | undefined; readonly typeWord: bigint; readonly data: bigint; readonly message?: GoValue }
  | { readonly kind: "map"; readonly type: string; readonly address: bigint; readonly len: number }
  | { readonly kind: "chan"; readonly type: string; readonly address: bigint; readonly len: number; readonly cap: number }
  | { readonly kind: "func"; readonly type: string; readonly address: bigint }
  /** A value no uprobe can read (a float in a vector register), or one the probe could not fetch. */
  | { readonly kind: "unreadable"; readonly type: string; readonly why: string };

/** A parameter, result or field with its value. */
export interface NamedValue {
  readonly name: string;
  readonly value: GoValue;
}

interface EventHead {
  /** The function as goxray funcs names it. */
  readonly func: string;
  readonly pid: number;
  readonly tid: number;
  /** The goroutine id, or undefined when the binary gives no way to read it (the thread id then matches calls and returns). */
  readonly goid: number | undefined;
  /** CLOCK_MONOTONIC nanoseconds when the probe fired. */
  readonly ns: bigint;
  /** The same instant on the wall clock (milliseconds since the epoch). */
  readonly wallMs: number;
}

/** A function was entered (or an inlined copy reached). */
export interface CallEvent extends EventHead {
  readonly kind: "call";
  readonly args: readonly NamedValue[];
  /** Set for an inlined copy's probe: the function it was inlined in and the call's file:line. */
  readonly inlinedIn?: { readonly caller: string; readonly site: string };
}

/** A function returned (a RET instruction was reached). */
export interface ReturnEvent extends EventHead {
  readonly kind: "return";
  readonly results: readonly NamedValue[];
  /** From the matching call on the same goroutine; undefined when that call was not seen. */
  readonly latencyNs: number | undefined;
}

/** One event of a live trace. */
export type TraceEvent = CallEvent | ReturnEvent;

/** An integer as a number when it is exact as one, else as a bigint. */
export function goInteger(value: bigint): GoInteger {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}
