/** What an outbound attempt reads of an abort signal (an AbortSignal is one). */
export interface AbortWatch {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/**
 * The gateway's client going away before its answer is complete, as an abort. The forward fast
 * path watches it directly; an AbortSignal (an EventTarget: a few µs per request) is made only
 * when something asks for `signal`, i.e. a handler's ZuploRequest. Listeners run once, at abort.
 */
export class ClientAbort implements AbortWatch {
  aborted = false;
  reason: unknown = undefined;
  #controller: AbortController | undefined;
  // Usually one listener (the upstream attempt): an array is cheaper than a Set for that.
  #listeners: Array<() => void> = [];

  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.aborted) this.#controller.abort(this.reason);
    }
    return this.#controller.signal;
  }

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.#controller?.abort(reason);
    const listeners = this.#listeners;
    this.#listeners = [];
    for (const listener of listeners) listener();
  }

  addEventListener(_type: 'abort', listener: () => void): void {
    if (!this.aborted && !this.#listeners.includes(listener)) this.#listeners.push(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    const at = this.#listeners.indexOf(listener);
    if (at >= 0) this.#listeners.splice(at, 1);
  }
}
