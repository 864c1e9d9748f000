import { InvalidAuthRequestError, MissingCredentialsError } from './auth.errors.js';
import type { AuthenticatorRequest } from './authenticator.interface.js';

/** RFC 6750 §2.1 `b64token`: `1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`. */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
/** RFC 9110 `token` (an auth scheme name). */
const SCHEME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const QUERY_TOKEN = /[?&]access_token=/;

/**
 * Reads the access token of `Authorization: Bearer <token>` (RFC 6750 §2.1).
 *
 * - no `Authorization` header, or another scheme (`Basic …`): `MissingCredentialsError` (401, the
 *   client did not send credentials this endpoint understands);
 * - `Bearer` with no token, several tokens or characters outside `b64token`, a bare token without
 *   scheme, or an `access_token` query parameter (MCP forbids tokens in URLs):
 *   `InvalidAuthRequestError` (400 `invalid_request`).
 */
export function readBearerToken(request: AuthenticatorRequest): string {
  if (typeof request.url === 'string' && QUERY_TOKEN.test(request.url)) {
    throw new InvalidAuthRequestError(
      'Access tokens are not accepted in the query string; send "Authorization: Bearer <token>".',
      'access_token query parameter',
    );
  }
  const value = request.headers.authorization;
  if (value === undefined || value.trim() === '') throw new MissingCredentialsError();
  const match = /^\s*(\S+)(?:[ \t]+(.*?))?\s*$/.exec(value);
  const scheme = match?.[1] ?? '';
  const credentials = match?.[2];
  if (scheme.toLowerCase() === 'bearer') {
    if (credentials === undefined || credentials === '') throw new InvalidAuthRequestError(undefined, 'Bearer without a token');
    if (!B64TOKEN.test(credentials)) throw new InvalidAuthRequestError(undefined, 'token is not a b64token');
    return credentials;
  }
  // `Basic abc`, `DPoP abc`: a scheme this endpoint does not take; challenge for Bearer.
  if (SCHEME.test(scheme) && credentials !== undefined && credentials !== '') throw new MissingCredentialsError();
  throw new InvalidAuthRequestError(undefined, 'Authorization header without a scheme');
}
