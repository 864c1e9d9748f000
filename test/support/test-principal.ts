import type { McpPrincipal } from '@nest-mcp/mcp';

/** A `resolvePrincipal` for tests: the caller named by the `x-test-user` header, anonymous without one. */
export const principalFromTestHeader = (request: { headers: Record<string, string | string[] | undefined> }): McpPrincipal => {
  const user = request.headers['x-test-user'];
  return typeof user === 'string'
    ? { subject: user, scopes: [], claims: {}, anonymous: false }
    : { subject: 'anonymous', scopes: [], claims: {}, anonymous: true };
};
