import type { TraceEvent } from "./events.js";

/** Which backend reads the probes. */
export type BackendName = "bpftrace" | "tracefs";

/** A running backend: probes attached (once `ready` resolves), events going to the sink given at its start. */
export interface RunningBackend {
  /** Resolves when every probe is attached; rejects with a GoxrayError when attaching failed. */
  readonly ready: Promise<void>;
  /** Resolves when the backend ended by itself (undefined when it ended because stop() was called), with why. */
  readonly ended: Promise<string | undefined>;
  /** Detaches every probe and removes what the backend registered; resolves when that is done. */
  stop(): Promise<void>;
}

/** Where a backend sends each decoded event. */
export type EventSink = (event: TraceEvent) => void;
