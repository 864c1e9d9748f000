/**
 * The cancellation of one running request. Most requests finish without anyone reading their
 * `AbortSignal`, and an `AbortController` with its event listeners costs more than a small tool
 * call: the signal is made only when first read, and the runner listens with a plain callback.
 */
export class RequestCancellation {
  private controller: AbortController | undefined;
  private listeners: Array<(reason: Error) => void> | undefined;
  private abortReason: Error | undefined;

  get aborted(): boolean {
    return this.abortReason !== undefined;
  }

  get reason(): Error | undefined {
    return this.abortReason;
  }

  /** The signal handlers see (`ctx.signal`); aborted with the same reason. */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.abortReason) this.controller.abort(this.abortReason);
    }
    return this.controller.signal;
  }

  abort(reason: Error): void {
    if (this.abortReason) return;
    this.abortReason = reason;
    this.controller?.abort(reason);
    const listeners = this.listeners;
    this.listeners = undefined;
    for (const listener of listeners ?? []) listener(reason);
  }

  /** Calls `listener` once on abort (at once when already aborted); returns what stops listening. */
  onAbort(listener: (reason: Error) => void): () => void {
    if (this.abortReason) {
      listener(this.abortReason);
      return () => undefined;
    }
    (this.listeners ??= []).push(listener);
    return () => {
      const index = this.listeners?.indexOf(listener) ?? -1;
      if (index >= 0) this.listeners!.splice(index, 1);
    };
  }
}
