import { GoxrayError } from "../errors.js";
import { formatBpftraceVersion, isAtLeast, type BpftraceVersion } from "./version.js";

/**
 * What the script may rely on in one bpftrace version: the facts of docs/bpftrace-versions.md,
 * asked here and nowhere else. Each was observed with 0.17.0 (Debian 12), 0.23.2 (Debian 13) and
 * 0.27.1 (sid) and is re-checked against them by test/bpftrace-facts.test.ts; versions between
 * those take the answer of the older observed neighbour, a documented best effort.
 */
export interface BpftraceCapabilities {
  readonly version: BpftraceVersion;
  /**
   * Probes inside a function (`uprobe:BIN:0xADDR` not at a symbol's start): needed for the entry
   * probe after the stack check and for every RET probe. Debian 12's 0.17 was built without the
   * support and refuses them, even with --unsafe.
   */
  readonly hasOffsetProbes: boolean;
  /** `delete(@m[k])` returns a value from 0.27, which warns when it is discarded; 0.23 refuses it in an assignment. */
  readonly isDeleteAnExpression: boolean;
  /** Bytes a buf() may hold: BPFTRACE_STRLEN's default of 64 on 0.17, BPFTRACE_MAX_STRLEN's 1024 later. */
  readonly maxBufBytes: number;
  /**
   * Bytes of the 512-byte BPF stack one printf's arguments may take, or undefined when the
   * version keeps them elsewhere: 0.17 refuses a probe over the limit ("Looks like the BPF stack
   * limit of 512 bytes is exceeded"); 0.23 and 0.27 took every sample's every function.
   */
  readonly printfStackBudget: number | undefined;
  /** Whether this exact version was observed (the others are extrapolated). */
  readonly isObserved: boolean;
}

const OBSERVED = ["0.17", "0.23", "0.27"];

/** The oldest bpftrace goxray writes scripts for: the one Debian 12 ships. */
const OLDEST = { major: 0, minor: 17 };

/** The capabilities of `version`, or an `unsupported` error for one older than 0.17. */
export function capabilitiesOf(version: BpftraceVersion): BpftraceCapabilities {
  if (!isAtLeast(version, OLDEST.major, OLDEST.minor)) {
    throw new GoxrayError(
      "unsupported",
      { file: "" },
      `bpftrace ${formatBpftraceVersion(version)} is older than ${OLDEST.major}.${OLDEST.minor}, the oldest goxray writes scripts for (Debian 12's); install a newer bpftrace or use --bpftrace-version`,
    );
  }
  return {
    version,
    // 0.18–0.22 were not observed: builds with the bfd instruction check accept offsets, as 0.23's does.
    hasOffsetProbes: isAtLeast(version, 0, 18),
    isDeleteAnExpression: isAtLeast(version, 0, 27),
    maxBufBytes: isAtLeast(version, 0, 18) ? 1024 : 64,
    // The rest of the stack holds the probe's own variables and map keys; 0.18–0.22 are taken as tight as 0.17.
    printfStackBudget: isAtLeast(version, 0, 23) ? undefined : 360,
    isObserved: OBSERVED.includes(`${version.major}.${version.minor}`),
  };
}
