import { Inject, Injectable, Logger } from '@nestjs/common';
import { MCP_OPTIONS } from '../mcp.constants.js';
import type { ResolvedMcpOptions } from '../mcp.options.js';
import { AuthConfigurationError, AuthUnavailableError } from './auth.errors.js';

/** An authorization server's metadata document (RFC 8414 §2 / OpenID Connect Discovery §3). */
export interface AuthorizationServerMetadata {
  issuer: string;
  jwks_uri?: string;
  [field: string]: unknown;
}

/** Discovery failed. `transient`: only network errors, timeouts or 5xx/429 answers were seen. */
export class AuthDiscoveryError extends AuthConfigurationError {
  constructor(
    message: string,
    readonly transient: boolean,
  ) {
    super(message);
    this.name = 'AuthDiscoveryError';
  }
}

/** The metadata URLs of an issuer, in the order `mode` tries them. */
export function discoveryUrls(issuer: string, mode: 'oidc' | 'oauth'): string[] {
  const url = new URL(issuer);
  const path = url.pathname.replace(/\/+$/, '');
  // OpenID Connect Discovery §4: appended to the issuer. RFC 8414 §3.1: inserted before its path.
  const oidc = `${url.origin}${path}/.well-known/openid-configuration`;
  const oauth = `${url.origin}/.well-known/oauth-authorization-server${path}`;
  return mode === 'oidc' ? [oidc, oauth] : [oauth, oidc];
}

/**
 * Fetches the issuer's metadata, trying OpenID Connect then RFC 8414 (or the reverse). A document
 * counts only when its `issuer` is exactly the configured one (RFC 8414 §3.3, OIDC Discovery §4.3)
 * and, when `requireJwksUri`, it has a `jwks_uri`.
 */
export async function discoverAuthorizationServer(
  issuer: string,
  options: { mode: 'oidc' | 'oauth'; timeoutMs: number; requireJwksUri: boolean },
): Promise<AuthorizationServerMetadata> {
  const problems: string[] = [];
  let transient = true;
  for (const url of discoveryUrls(issuer, options.mode)) {
    let response: Response;
    try {
      response = await fetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(options.timeoutMs) });
    } catch (error) {
      const cause = error instanceof Error && error.name === 'TimeoutError' ? `no answer within ${options.timeoutMs} ms` : 'unreachable';
      problems.push(`${url}: ${cause}`);
      continue;
    }
    if (!response.ok) {
      await response.body?.cancel();
      problems.push(`${url}: HTTP ${response.status}`);
      if (response.status < 500 && response.status !== 429) transient = false;
      continue;
    }
    transient = false;
    let document: unknown;
    try {
      document = await response.json();
    } catch {
      problems.push(`${url}: not JSON`);
      continue;
    }
    if (typeof document !== 'object' || document === null || Array.isArray(document)) {
      problems.push(`${url}: not a JSON object`);
      continue;
    }
    const metadata = document as Record<string, unknown>;
    if (metadata.issuer !== issuer) {
      problems.push(`${url}: its issuer ${JSON.stringify(metadata.issuer)} is not ${JSON.stringify(issuer)}`);
      continue;
    }
    if (options.requireJwksUri && typeof metadata.jwks_uri !== 'string') {
      problems.push(`${url}: no jwks_uri`);
      continue;
    }
    return metadata as AuthorizationServerMetadata;
  }
  throw new AuthDiscoveryError(
    `McpModule auth: cannot discover the authorization server ${issuer} (${problems.join('; ')}). ` +
      'Check "issuer" (it must equal the "issuer" of its metadata), or set "jwksUri" and discovery: false.',
    transient,
  );
}

/** Metadata older than this is fetched again for the mirror (the stale copy is kept on failure). */
const REFRESH_AFTER_MS = 60 * 60 * 1000;

/**
 * The configured issuer's metadata: discovered at bootstrap when the JWKS URL must come from it,
 * otherwise on first use; refreshed hourly for the `/.well-known/oauth-authorization-server` mirror.
 */
@Injectable()
export class AuthServerMetadata {
  private readonly logger = new Logger('McpAuth');
  private cached: { metadata: AuthorizationServerMetadata; fetchedAt: number } | undefined;
  private refreshing: Promise<AuthorizationServerMetadata> | undefined;

  constructor(@Inject(MCP_OPTIONS) private readonly options: ResolvedMcpOptions) {}

  /** Whether there is an issuer to describe (auth on, with an issuer and discovery not off). */
  get enabled(): boolean {
    const auth = this.options.auth;
    return auth !== undefined && auth.issuer !== undefined && auth.discovery !== false;
  }

  /** Discovers now; rejects with an {@link AuthDiscoveryError} naming every URL tried. */
  async discover(requireJwksUri: boolean): Promise<AuthorizationServerMetadata> {
    const auth = this.options.auth;
    if (!auth?.issuer || auth.discovery === false) throw new AuthConfigurationError('McpModule auth: discovery is off.');
    const metadata = await discoverAuthorizationServer(auth.issuer, {
      mode: auth.discovery,
      timeoutMs: auth.httpTimeoutMs,
      requireJwksUri,
    });
    this.cached = { metadata, fetchedAt: Date.now() };
    return metadata;
  }

  /**
   * The metadata for the mirror. Rejects with `AuthUnavailableError` when it was never fetched and
   * the authorization server cannot be reached now, with {@link AuthDiscoveryError} when it
   * publishes no usable metadata.
   */
  async current(): Promise<AuthorizationServerMetadata> {
    const cached = this.cached;
    if (cached && Date.now() - cached.fetchedAt < REFRESH_AFTER_MS) return cached.metadata;
    this.refreshing ??= this.discover(false).finally(() => {
      this.refreshing = undefined;
    });
    if (cached) {
      this.refreshing.catch((error: unknown) => {
        // Try again in a minute, not on every request while the authorization server is down.
        cached.fetchedAt = Date.now() - REFRESH_AFTER_MS + 60_000;
        this.logger.warn(`Keeping the cached authorization server metadata: ${error instanceof Error ? error.message : String(error)}`);
      });
      return cached.metadata;
    }
    try {
      return await this.refreshing;
    } catch (error) {
      if (error instanceof AuthDiscoveryError && error.transient) throw new AuthUnavailableError(5, error.message);
      throw error;
    }
  }
}
