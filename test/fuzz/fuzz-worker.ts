// The test's side of a fuzz worker thread (command-worker.ts): one case at a time, stopped and
// restarted when a case overruns its time limit, and replaced when a case kills it.
import { Worker } from "node:worker_threads";
import type { CaseMessage, CaseResult, InitMessage, WorkerReply } from "./command-worker.js";

/** How a case ended as seen from outside its thread. */
export type RunResult = { readonly type: "result"; readonly result: CaseResult } | { readonly type: "hang" } | { readonly type: "died"; readonly error: string };

/** One worker thread running cases for the seeds it was given. */
export class FuzzWorker {
  private worker: Worker | undefined;
  private settle: ((r: RunResult) => void) | undefined;

  /**
   * `hardLimitMs`: a case still running after this long is stopped and reported as a hang.
   * `heapLimitMb`: the thread's old-generation cap, so a reader that allocates without bound
   * kills only its thread (reported as died), not the test.
   */
  constructor(
    private readonly seeds: readonly { readonly name: string; readonly path: string }[],
    private readonly hardLimitMs: number,
    private readonly heapLimitMb: number,
  ) {}

  async run(message: CaseMessage): Promise<RunResult> {
    const worker = this.worker ?? (await this.start());
    return new Promise<RunResult>((resolve) => {
      const timer = setTimeout(() => {
        this.settle = undefined;
        this.stop();
        resolve({ type: "hang" });
      }, this.hardLimitMs);
      this.settle = (r) => {
        clearTimeout(timer);
        this.settle = undefined;
        resolve(r);
      };
      worker.postMessage(message);
    });
  }

  stop(): void {
    void this.worker?.terminate();
    this.worker = undefined;
  }

  private start(): Promise<Worker> {
    const worker = new Worker(new URL("./worker.mjs", import.meta.url), { resourceLimits: { maxOldGenerationSizeMb: this.heapLimitMb } });
    this.worker = worker;
    return new Promise<Worker>((resolve, reject) => {
      worker.on("message", (reply: WorkerReply) => {
        if (reply.type === "ready") resolve(worker);
        else this.settle?.({ type: "result", result: reply.result });
      });
      worker.on("error", (err: Error) => {
        // An uncaught throw or ERR_WORKER_OUT_OF_MEMORY: the case in flight killed the worker.
        if (this.worker === worker) this.worker = undefined;
        if (this.settle === undefined) reject(err);
        else this.settle({ type: "died", error: `${err.name}: ${err.message}\n${err.stack ?? ""}` });
      });
      worker.on("exit", (code: number) => {
        // process.exit() inside the worker ends it without an "error" event.
        if (this.worker === worker) this.worker = undefined;
        this.settle?.({ type: "died", error: `worker exited with code ${code}` });
      });
      const init: InitMessage = { type: "init", seeds: this.seeds };
      worker.postMessage(init);
    });
  }
}
