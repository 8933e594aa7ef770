/**
 * Probes stamp events with CLOCK_MONOTONIC (bpftrace's nsecs is bpf_ktime_get_ns; the tracefs
 * instance is set to the "mono" clock), and Node's process.hrtime reads the same clock on Linux
 * (libuv's uv_hrtime): the offset to the wall clock is measured once per run.
 */
export function monotonicToWall(): (ns: bigint) => number {
  const offsetMs = Date.now() - Number(process.hrtime.bigint() / 1000n) / 1000;
  return (ns) => offsetMs + Number(ns / 1000n) / 1000;
}
