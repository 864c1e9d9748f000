import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { Subscription } from 'rxjs';
import { MCP_OPTIONS } from '../mcp.constants.js';
import type { ResolvedMcpOptions } from '../mcp.options.js';
import type { JsonRpcId, JsonRpcResponse } from '../protocol/json-rpc.js';
import { McpClientRequestError } from '../protocol/mcp.error.js';
import { NodeBus } from '../session/node-bus.service.js';
import type { RequestChannel } from './mcp-context.js';

export interface ClientRequestOptions {
  /** How long to wait for the client's answer. Default: the module's `clientRequestTimeoutMs`. */
  timeoutMs?: number;
  /** Abandons the request (and tells the client so) when it fires. */
  signal?: AbortSignal;
}

interface Waiter {
  method: string;
  resolve(result: Record<string, unknown>): void;
  reject(error: Error): void;
}

/**
 * Requests the server sends to clients (sampling, elicitation, roots) and the answers to them.
 *
 * Request ids name the node that waits (`<nodeId>:<n>`), so a client may POST the response to any
 * node: that node checks session and principal like for any request and forwards the response to
 * the waiting node's inbox (docs/architecture.md, "A 2025 session"). Waiters are keyed by (session, request id).
 */
@Injectable()
export class ClientRequests implements OnModuleInit {
  private readonly logger = new Logger(ClientRequests.name);
  private readonly waiters = new Map<string, Waiter>();
  private readonly subscription = new Subscription();
  private counter = 0;

  constructor(
    private readonly bus: NodeBus,
    @Inject(MCP_OPTIONS) private readonly options: ResolvedMcpOptions,
  ) {}

  onModuleInit(): void {
    this.subscription.add(
      this.bus.on('client-response').subscribe(({ sessionId, message }) => this.settle(sessionId, message as unknown as JsonRpcResponse)),
    );
  }

  /** The instance stops: nothing waits for the client any more (after the shutdown grace period). */
  stop(): void {
    this.subscription.unsubscribe();
    for (const waiter of this.waiters.values()) {
      waiter.reject(new McpClientRequestError(waiter.method, undefined, 'The server is shutting down.'));
    }
    this.waiters.clear();
  }

  /** Sends `method` to the client over `channel` and resolves to the client's result. */
  async request(
    sessionId: string,
    channel: RequestChannel,
    method: string,
    params: Record<string, unknown>,
    options: ClientRequestOptions = {},
  ): Promise<Record<string, unknown>> {
    options.signal?.throwIfAborted();
    const id = `${this.bus.nodeId}:${++this.counter}`;
    const key = this.key(sessionId, id);
    const timeoutMs = options.timeoutMs ?? this.options.clientRequestTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const answer = new Promise<Record<string, unknown>>((resolve, reject) => {
      this.waiters.set(key, { method, resolve, reject });
      timer = setTimeout(
        () => reject(new McpClientRequestError(method, undefined, `The client did not answer ${method} within ${timeoutMs} ms.`)),
        timeoutMs,
      );
      onAbort = () => reject(options.signal!.reason instanceof Error ? options.signal!.reason : new Error('Aborted'));
      options.signal?.addEventListener('abort', onAbort, { once: true });
    });
    // Handled below; without this a timeout during `send` would count as an unhandled rejection.
    answer.catch(() => undefined);
    try {
      await channel.send({ id, method, params });
      return await answer;
    } catch (error) {
      // MCP `basic/utilities/cancellation`: tell the client we no longer wait for it.
      if (this.waiters.has(key)) {
        await channel
          .send({ method: 'notifications/cancelled', params: { requestId: id, reason: String((error as Error).message) } })
          .catch(() => undefined);
      }
      throw error;
    } finally {
      clearTimeout(timer);
      if (onAbort) options.signal?.removeEventListener('abort', onAbort);
      this.waiters.delete(key);
    }
  }

  /**
   * A response the client POSTed to this node for `sessionId` (already checked to belong to the
   * caller): settles the local waiter or forwards it to the node named in its id.
   */
  async deliver(sessionId: string, message: JsonRpcResponse): Promise<void> {
    const nodeId = typeof message.id === 'string' ? message.id.slice(0, message.id.lastIndexOf(':')) : '';
    if (nodeId === this.bus.nodeId || !nodeId) {
      this.settle(sessionId, message);
      return;
    }
    await this.bus.publish(nodeId, { type: 'client-response', sessionId, message: { ...message } });
  }

  private settle(sessionId: string, message: JsonRpcResponse): void {
    const waiter = message.id === null ? undefined : this.waiters.get(this.key(sessionId, message.id));
    if (!waiter) {
      this.logger.debug(`Dropped response ${JSON.stringify(message.id)} of session ${sessionId}: nothing waits for it.`);
      return;
    }
    if ('result' in message) {
      waiter.resolve(message.result);
    } else {
      const { code, message: text, data } = message.error;
      waiter.reject(
        new McpClientRequestError(waiter.method, code, `The client answered ${waiter.method} with error ${code}: ${text}`, data),
      );
    }
  }

  private key(sessionId: string, id: JsonRpcId): string {
    return `${sessionId}\u0000${JSON.stringify(id)}`;
  }
}
