import type { ChildProcess } from "node:child_process";

/** Sends `signal` to the process group `child` leads (it was spawned detached); false when the group is gone. */
export function signalGroup(child: ChildProcess, signal: NodeJS.Signals): boolean {
  if (child.pid === undefined) return false;
  try {
    process.kill(-child.pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Resolves when `child` has exited and its streams closed, or after `ms`, with whether it did. */
export function waitForClose(child: ChildProcess, closed: Promise<void>, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return closed.then(() => true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    void closed.then(() => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}
