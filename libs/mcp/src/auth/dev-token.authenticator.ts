import { Logger } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { AuthConfigurationError, InvalidTokenError } from './auth.errors.js';
import type { Authenticator, AuthenticatorRequest } from './authenticator.interface.js';
import { readBearerToken } from './bearer-token.js';
import type { McpPrincipal } from './mcp-principal.js';

/** Who a dev token stands for. */
export interface DevTokenIdentity {
  subject: string;
  scopes?: string[];
  clientId?: string;
}

/** Options of {@link DevTokenAuthenticator}. */
export interface DevTokenAuthenticatorOptions {
  /** Static bearer tokens and who each one is (`{ 'dev-alice': { subject: 'alice', scopes: ['notes:read'] } }`). */
  tokens: Record<string, DevTokenIdentity>;
  /** Issuer put on the principals (sessions are bound to issuer + subject). Default `dev-token`. */
  issuer?: string;
}

const digest = (token: string): Buffer => createHash('sha256').update(token).digest();

/**
 * FOR LOCAL DEVELOPMENT ONLY: accepts a fixed list of bearer tokens, so an MCP client can be
 * pointed at a local server without an authorization server. Refuses to be created when
 * `NODE_ENV` is `production`, and logs a warning when it is.
 *
 * @example
 * auth: { authenticator: new DevTokenAuthenticator({ tokens: { 'dev-alice': { subject: 'alice' } } }) }
 */
export class DevTokenAuthenticator implements Authenticator {
  private readonly entries: Array<{ digest: Buffer; identity: DevTokenIdentity }>;
  private readonly issuer: string;

  constructor(options: DevTokenAuthenticatorOptions) {
    if (process.env.NODE_ENV === 'production') {
      throw new AuthConfigurationError(
        'DevTokenAuthenticator is for local development and refuses to run with NODE_ENV=production; configure an authorization server (auth.issuer / auth.audience).',
      );
    }
    const tokens = Object.entries(options?.tokens ?? {});
    if (tokens.length === 0) throw new AuthConfigurationError('DevTokenAuthenticator needs at least one token.');
    for (const [token, identity] of tokens) {
      if (!/^[A-Za-z0-9\-._~+/]+=*$/.test(token))
        throw new AuthConfigurationError('DevTokenAuthenticator: a token must be a bearer b64token (letters, digits, -._~+/).');
      if (typeof identity?.subject !== 'string' || identity.subject === '')
        throw new AuthConfigurationError('DevTokenAuthenticator: every token needs a subject.');
    }
    this.entries = tokens.map(([token, identity]) => ({ digest: digest(token), identity }));
    this.issuer = options.issuer ?? 'dev-token';
    new Logger('McpAuth').warn(`DevTokenAuthenticator accepts ${tokens.length} static token(s): for local development only.`);
  }

  async authenticate(request: AuthenticatorRequest): Promise<McpPrincipal> {
    const presented = digest(readBearerToken(request));
    // Compare digests in constant time, and every entry, so timing reveals nothing.
    let match: DevTokenIdentity | undefined;
    for (const entry of this.entries) if (timingSafeEqual(entry.digest, presented)) match ??= entry.identity;
    if (!match) throw new InvalidTokenError(InvalidTokenError.INVALID, 'unknown dev token');
    return {
      subject: match.subject,
      issuer: this.issuer,
      scopes: [...(match.scopes ?? [])],
      ...(match.clientId && { clientId: match.clientId }),
      claims: { sub: match.subject, iss: this.issuer, scope: (match.scopes ?? []).join(' ') },
      anonymous: false,
    };
  }
}
