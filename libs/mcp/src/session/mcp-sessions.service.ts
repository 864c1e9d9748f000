import { Inject, Injectable } from '@nestjs/common';
import { principalKey, type McpPrincipal } from '../auth/mcp-principal.js';
import type { Implementation } from '../protocol/mcp.types.js';
import { SessionHost } from './session-host.interface.js';
import { SessionService } from './session.service.js';

/** One session of a principal, as an admin screen lists it. */
export interface McpSessionInfo {
  id: string;
  /** What the client announced at `initialize`. */
  clientInfo?: Implementation;
  protocolVersion: string;
  /** Epoch milliseconds. */
  createdAt: number;
  /** Epoch milliseconds of the last request, to within a tenth of `sessionIdleTtlMs`. */
  lastActiveAt: number;
}

/**
 * Whose sessions: `issuer` and `subject` as `ctx.auth` has them (`issuer` left out when the tokens
 * carry none), or `{ anonymous: true }` for every caller without credentials.
 */
export type McpPrincipalRef = Pick<McpPrincipal, 'subject' | 'issuer'> | { anonymous: true };

/**
 * Ends and lists 2025 sessions from your own code (logout, a leaked token, an offboarded user, an
 * admin screen), on every instance sharing the session host: an ended session's next request gets
 * 404, its open streams end and its running requests are cancelled, wherever they run. A
 * principal's sessions come from the host's per-principal index, never from a scan.
 */
@Injectable()
export class McpSessions {
  constructor(
    private readonly sessions: SessionService,
    @Inject(SessionHost) private readonly host: SessionHost,
  ) {}

  /** Ends one session; resolves to whether it existed. */
  async end(sessionId: string): Promise<boolean> {
    const session = await this.host.getSession(sessionId);
    return session ? this.sessions.delete(session) : false;
  }

  /** Ends every session of a principal; resolves to how many there were. */
  async endAll(principal: McpPrincipalRef): Promise<number> {
    let ended = 0;
    for (const { session } of await this.sessions.sessionsOf(keyOf(principal))) {
      if (await this.sessions.delete(session)) ended++;
    }
    return ended;
  }

  /** A principal's sessions, least recently active first. */
  async list(principal: McpPrincipalRef): Promise<McpSessionInfo[]> {
    return (await this.sessions.sessionsOf(keyOf(principal))).map(({ session, lastActiveAt }) => ({
      id: session.id,
      ...(session.clientInfo && { clientInfo: session.clientInfo }),
      protocolVersion: session.protocolVersion,
      createdAt: session.createdAt,
      lastActiveAt,
    }));
  }
}

function keyOf(principal: McpPrincipalRef): string {
  if ('anonymous' in principal) return principalKey({ subject: 'anonymous', scopes: [], claims: {}, anonymous: true });
  return principalKey({ subject: principal.subject, issuer: principal.issuer, scopes: [], claims: {}, anonymous: false });
}
