import type { McpPrincipal } from '../auth/mcp-principal.js';
import type { JsonRpcId } from '../protocol/json-rpc.js';
import type { SessionMetadata } from '../session/session-host.interface.js';
import type { McpNotification } from '../session/mcp-session-events.service.js';

/** Carries the messages a handler sends while its request runs (the request's own stream). */
export interface RequestChannel {
  send(notification: McpNotification): Promise<void>;
}

export type ProgressToken = string | number;

export interface McpContextInit {
  session: SessionMetadata;
  requestId: JsonRpcId;
  auth: McpPrincipal;
  signal: AbortSignal;
  meta: Record<string, unknown> | undefined;
  channel: RequestChannel;
}

/**
 * What a tool, resource or prompt handler knows about the request it serves, and how it talks back
 * while running. One per request; handlers never see the transport.
 */
export class McpContext {
  /** The session the request belongs to. */
  readonly sessionId: string;
  /** JSON-RPC id of the request. */
  readonly requestId: JsonRpcId;
  /** The caller (anonymous without authentication). */
  readonly auth: McpPrincipal;
  /** Aborted when the client cancels the request or the session ends. */
  readonly signal: AbortSignal;
  /** Revision negotiated for the session. */
  readonly protocolVersion: string;
  /** `_meta` of the request, as the client sent it. */
  readonly meta: Record<string, unknown>;
  private readonly session: SessionMetadata;
  private readonly channel: RequestChannel;
  private lastProgress = -Infinity;

  constructor(init: McpContextInit) {
    this.session = init.session;
    this.sessionId = init.session.id;
    this.requestId = init.requestId;
    this.auth = init.auth;
    this.signal = init.signal;
    this.protocolVersion = init.session.protocolVersion;
    this.meta = init.meta ?? {};
    this.channel = init.channel;
  }

  /** Name and version the client announced at `initialize`. */
  get clientInfo(): SessionMetadata['clientInfo'] {
    return this.session.clientInfo;
  }

  /** Capabilities the client announced at `initialize`. */
  get clientCapabilities(): SessionMetadata['clientCapabilities'] {
    return this.session.clientCapabilities;
  }

  /** The token the client asked progress to be reported with, if any. */
  get progressToken(): ProgressToken | undefined {
    const token = this.meta.progressToken;
    return typeof token === 'string' || typeof token === 'number' ? token : undefined;
  }

  /**
   * Reports progress (`notifications/progress`). Sent only when the client supplied a progress
   * token; `progress` must grow with each call (MCP 2025-11-25 `basic/utilities/progress`), so a
   * value not above the previous one is dropped.
   */
  async progress(progress: number, total?: number, message?: string): Promise<void> {
    const progressToken = this.progressToken;
    if (progressToken === undefined || this.signal.aborted || !(progress > this.lastProgress)) return;
    this.lastProgress = progress;
    await this.channel.send({
      method: 'notifications/progress',
      params: {
        progressToken,
        progress,
        ...(total !== undefined && { total }),
        ...(message !== undefined && { message }),
      },
    });
  }

  /** Sends a notification related to this request on the request's stream. */
  notify(notification: McpNotification): Promise<void> {
    return this.channel.send(notification);
  }
}
