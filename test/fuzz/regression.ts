// A fuzz crasher kept as data: the sample build it came from and the edits that break it, small
// enough to commit where the mutant itself (megabytes) is not. regressions.test.ts replays each.
import type { FlagSet, SampleArch } from "../support/samples.js";
import type { MutationStep } from "./mutate.js";

/** One file of test/fuzz/regressions/: how it was found, its seed build, and the minimal edits. */
export interface Regression {
  /** Run seed, case, and the failure it showed before the fix. */
  readonly found: string;
  readonly sample: string;
  /** Major.minor of the toolchain that built the seed. */
  readonly go: string;
  readonly arch: SampleArch;
  readonly flags: FlagSet;
  readonly steps: readonly MutationStep[];
}
