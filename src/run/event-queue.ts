/**
 * Events handed from a backend (which pushes them as its output arrives) to a consumer that
 * iterates at its own pace; iteration ends after `close`, or throws what `fail` was given.
 */
export class EventQueue<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private waiting: (() => void) | undefined;
  private isClosed = false;
  private failure: Error | undefined;

  push(item: T): void {
    if (this.isClosed) return;
    this.items.push(item);
    this.wake();
  }

  close(): void {
    this.isClosed = true;
    this.wake();
  }

  fail(error: Error): void {
    this.failure ??= error;
    this.close();
  }

  private wake(): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      const item = this.items.shift();
      if (item !== undefined) {
        yield item;
        continue;
      }
      if (this.isClosed) {
        if (this.failure !== undefined) throw this.failure;
        return;
      }
      await new Promise<void>((resolve) => (this.waiting = resolve));
    }
  }
}
