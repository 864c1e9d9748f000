import {
  AuthUnavailableError,
  InsufficientScopeError,
  InvalidAuthRequestError,
  InvalidTokenError,
  MissingCredentialsError,
} from './auth.errors.js';
import { challengeFor, formatBearerChallenge, quoteHeaderValue } from './www-authenticate.js';

const PRM = 'https://mcp.example.com/.well-known/oauth-protected-resource/mcp';

describe('WWW-Authenticate challenges', () => {
  it('quotes values, escaping backslashes and quotes and blanking control characters', () => {
    expect(quoteHeaderValue('plain')).toBe('"plain"');
    expect(quoteHeaderValue('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(quoteHeaderValue('line\r\nbreak\u0000')).toBe('"line  break "');
  });

  it('writes only the parameters that have values, in order', () => {
    expect(formatBearerChallenge({})).toBe('Bearer');
    expect(formatBearerChallenge({ error: 'invalid_token', error_description: '', resource_metadata: PRM })).toBe(
      `Bearer error="invalid_token", resource_metadata="${PRM}"`,
    );
  });

  it('challenges a request without credentials with resource_metadata and the scope hint only', () => {
    expect(challengeFor(new MissingCredentialsError(), PRM, ['mcp:access', 'notes:read'])).toBe(
      `Bearer scope="mcp:access notes:read", resource_metadata="${PRM}"`,
    );
    expect(challengeFor(new MissingCredentialsError(), PRM, [])).toBe(`Bearer resource_metadata="${PRM}"`);
  });

  it('names the error and its fixed description for invalid tokens and malformed requests', () => {
    expect(challengeFor(new InvalidTokenError(InvalidTokenError.EXPIRED, 'jwt expired at 12:00'), PRM, ['a'])).toBe(
      `Bearer error="invalid_token", error_description="The access token expired.", scope="a", resource_metadata="${PRM}"`,
    );
    expect(challengeFor(new InvalidAuthRequestError(), PRM, ['a'])).toBe(
      `Bearer error="invalid_request", error_description="Malformed Authorization header: expected \\"Bearer <token>\\".", resource_metadata="${PRM}"`,
    );
  });

  it('lists every needed scope for insufficient_scope, whatever the hint', () => {
    expect(challengeFor(new InsufficientScopeError(['mcp:access', 'notes:write']), PRM, ['other'])).toBe(
      `Bearer error="insufficient_scope", error_description="The access token lacks a scope this request needs.", scope="mcp:access notes:write", resource_metadata="${PRM}"`,
    );
    expect(challengeFor(new InsufficientScopeError(['x']), undefined, [])).toBe(
      'Bearer error="insufficient_scope", error_description="The access token lacks a scope this request needs.", scope="x"',
    );
  });

  it('keeps the reason out of the response body', () => {
    const error = new InvalidTokenError(InvalidTokenError.INVALID, 'secret detail from a library');
    expect(JSON.stringify(error.getResponse())).not.toContain('secret detail');
    expect(new AuthUnavailableError(7, 'jwks down').getResponse()).toEqual({
      error: 'temporarily_unavailable',
      error_description: 'The access token cannot be checked right now; retry later.',
    });
  });
});
