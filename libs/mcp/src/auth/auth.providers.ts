import { Logger, type Provider } from '@nestjs/common';
import { MCP_OPTIONS } from '../mcp.constants.js';
import type { ResolvedMcpOptions } from '../mcp.options.js';
import { AuthServerMetadata } from './auth-server.metadata.js';
import { Authenticator } from './authenticator.interface.js';
import type { ResolvedMcpAuthOptions } from './mcp-auth.options.js';
import { ProtectedResource } from './protected-resource.js';
import { McpScopePolicy } from './scope.policy.js';
import { WellKnownRoutes } from './well-known.routes.js';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

function warnIfPlainHttp(logger: Logger, name: string, value: string | undefined): void {
  if (!value) return;
  const url = new URL(value);
  if (url.protocol === 'http:' && !LOOPBACK.has(url.hostname)) {
    logger.warn(`auth.${name} ${value} is plain http: keys and metadata can be tampered with in transit; use https.`);
  }
}

/**
 * The endpoint's authenticator: `auth.authenticator`, else a `JwtAuthenticator` whose JWKS URL
 * is `auth.jwksUri` or discovered from the issuer now, at bootstrap (an issuer that cannot be
 * discovered fails the app's start with an `AuthConfigurationError`). `null` without `auth`.
 */
export async function createAuthenticator(options: ResolvedMcpOptions, metadata: AuthServerMetadata): Promise<Authenticator | null> {
  const auth: ResolvedMcpAuthOptions | undefined = options.auth;
  if (!auth) return null;
  if (auth.authenticator) return auth.authenticator;
  const logger = new Logger('McpAuth');
  let jwksUri = auth.jwksUri;
  if (!jwksUri && !auth.secret) jwksUri = (await metadata.discover(true)).jwks_uri;
  warnIfPlainHttp(logger, 'issuer', auth.issuer);
  warnIfPlainHttp(logger, 'jwksUri', jwksUri);
  // Loaded here, so that passport, passport-jwt and jwks-rsa are only loaded by apps that use auth.
  const { JwtAuthenticator } = await import('./jwt.authenticator.js');
  return new JwtAuthenticator({
    issuer: auth.issuer!,
    audience: auth.audience,
    jwksUri,
    secret: auth.secret,
    algorithms: auth.algorithms,
    leewaySeconds: auth.leewaySeconds,
    requireTokenType: auth.requireTokenType,
    jwksCacheMaxAgeMs: auth.jwksCacheMaxAgeMs,
    jwksRequestsPerMinute: auth.jwksRequestsPerMinute,
    httpTimeoutMs: auth.httpTimeoutMs,
  });
}

/** Providers of the auth feature, registered by `McpModule` (inert when `auth` is not set). */
export const MCP_AUTH_PROVIDERS: Provider[] = [
  ProtectedResource,
  AuthServerMetadata,
  McpScopePolicy,
  WellKnownRoutes,
  { provide: Authenticator, inject: [MCP_OPTIONS, AuthServerMetadata], useFactory: createAuthenticator },
];
