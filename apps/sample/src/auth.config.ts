import type { McpAuthOptions } from '@nest-mcp/mcp';

const list = (value: string | undefined): string[] => (value ?? '').split(/[\s,]+/).filter(Boolean);

/**
 * The sample's `auth` options from the environment; `undefined` (open endpoint) when neither
 * `MCP_AUTH_ISSUER` nor `MCP_AUTH_AUDIENCE` is set.
 *
 * - `MCP_AUTH_ISSUER`: issuer of the access tokens (`https://id.example.com/realms/mcp`);
 * - `MCP_AUTH_AUDIENCE`: audience(s) this server accepts, comma or space separated (usually the
 *   public URL of the endpoint, `https://mcp.example.com/mcp`);
 * - `MCP_AUTH_JWKS_URI` (optional): the issuer's JWKS, skipping discovery at startup;
 * - `MCP_AUTH_SCOPES` (optional): scopes every request needs, comma or space separated.
 */
export function mcpAuthFromEnv(env: NodeJS.ProcessEnv = process.env): McpAuthOptions | undefined {
  const issuer = env.MCP_AUTH_ISSUER?.trim();
  const audience = list(env.MCP_AUTH_AUDIENCE);
  if (!issuer && audience.length === 0) return undefined;
  if (!issuer || audience.length === 0) {
    throw new Error('Set both MCP_AUTH_ISSUER and MCP_AUTH_AUDIENCE to require access tokens (or neither to run open on localhost).');
  }
  const requiredScopes = list(env.MCP_AUTH_SCOPES);
  return {
    issuer,
    audience,
    ...(env.MCP_AUTH_JWKS_URI?.trim() && { jwksUri: env.MCP_AUTH_JWKS_URI.trim() }),
    ...(requiredScopes.length > 0 && { requiredScopes }),
  };
}
