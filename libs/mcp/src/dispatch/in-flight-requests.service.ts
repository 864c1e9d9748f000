import { Injectable, type OnModuleInit } from '@nestjs/common';
import { Subscription } from 'rxjs';
import type { JsonRpcId } from '../protocol/json-rpc.js';
import { NodeBus } from '../session/node-bus.service.js';
import { RequestCancellation } from '../protocol/request-cancellation.js';

/** Why a request's signal was aborted. */
export class RequestAbortedError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'RequestAbortedError';
  }
}

/**
 * The reason of a request aborted because its instance stops (the shutdown grace period ended):
 * the request is answered with an error saying so, not dropped like a cancelled one.
 */
export class InstanceStoppingError extends RequestAbortedError {
  constructor() {
    super('The instance serving this request stopped before the request finished; it may be retried.');
    this.name = 'InstanceStoppingError';
  }
}

/**
 * Requests running on this node, keyed by (owner, request id) — the owner is the session, or a key
 * unique to one stateless request — so that no caller can cancel another's request even when their
 * JSON-RPC ids collide.
 */
@Injectable()
export class InFlightRequests implements OnModuleInit {
  private readonly running = new Map<string, RequestCancellation>();
  private readonly subscription = new Subscription();

  constructor(private readonly bus: NodeBus) {}

  onModuleInit(): void {
    this.subscription.add(
      this.bus
        .on('cancel')
        .subscribe(({ sessionId, requestId, reason }) => this.abortLocal(sessionId, requestId, reason ?? 'Cancelled by the client.')),
    );
    this.subscription.add(this.bus.on('session-deleted').subscribe(({ sessionId }) => this.abortSession(sessionId, 'The session ended.')));
  }

  /** Number of requests running on this node. */
  get size(): number {
    return this.running.size;
  }

  /** Resolves once no request runs here, or after `timeoutMs`; to whether none runs. */
  async drained(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.running.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    return this.running.size === 0;
  }

  /** Aborts every request still running with `InstanceStoppingError` (the grace period is over). */
  stopAll(): void {
    this.subscription.unsubscribe();
    for (const cancellation of this.running.values()) cancellation.abort(new InstanceStoppingError());
  }

  /** Registers a request; `undefined` when the session already has a request with this id running here. */
  start(sessionId: string, requestId: JsonRpcId): RequestCancellation | undefined {
    const key = this.key(sessionId, requestId);
    if (this.running.has(key)) return undefined;
    const cancellation = new RequestCancellation();
    this.running.set(key, cancellation);
    return cancellation;
  }

  finish(sessionId: string, requestId: JsonRpcId, cancellation: RequestCancellation): void {
    const key = this.key(sessionId, requestId);
    if (this.running.get(key) === cancellation) this.running.delete(key);
  }

  /** Cancels a request wherever it runs (this node directly, others through the bus). */
  async cancel(sessionId: string, requestId: JsonRpcId, reason?: string): Promise<void> {
    if (this.abortLocal(sessionId, requestId, reason ?? 'Cancelled by the client.')) return;
    await this.bus.broadcast({ type: 'cancel', sessionId, requestId, ...(reason !== undefined && { reason }) });
  }

  abortSession(sessionId: string, reason: string): void {
    const prefix = `${sessionId}\u0000`;
    for (const [key, cancellation] of this.running) {
      if (key.startsWith(prefix)) cancellation.abort(new RequestAbortedError(reason));
    }
  }

  private abortLocal(sessionId: string, requestId: JsonRpcId, reason: string): boolean {
    const cancellation = this.running.get(this.key(sessionId, requestId));
    cancellation?.abort(new RequestAbortedError(reason));
    return cancellation !== undefined;
  }

  // The id's type is part of the key: 1 and "1" are different ids in JSON-RPC.
  private key(sessionId: string, requestId: JsonRpcId): string {
    return `${sessionId}\u0000${typeof requestId === 'number' ? 'n' : 's'}${requestId}`;
  }
}
