import { mcpAuthFromEnv } from './auth.config.js';

describe('mcpAuthFromEnv', () => {
  it('leaves auth off without MCP_AUTH_ISSUER and MCP_AUTH_AUDIENCE', () => {
    expect(mcpAuthFromEnv({})).toBeUndefined();
  });

  it('reads issuer, audiences, JWKS URL and required scopes', () => {
    expect(
      mcpAuthFromEnv({
        MCP_AUTH_ISSUER: ' https://id.example.com ',
        MCP_AUTH_AUDIENCE: 'https://mcp.example.com/mcp, api://mcp',
        MCP_AUTH_JWKS_URI: 'https://id.example.com/jwks',
        MCP_AUTH_SCOPES: 'mcp:tools notes:read',
      }),
    ).toEqual({
      issuer: 'https://id.example.com',
      audience: ['https://mcp.example.com/mcp', 'api://mcp'],
      jwksUri: 'https://id.example.com/jwks',
      requiredScopes: ['mcp:tools', 'notes:read'],
    });
  });

  it('refuses half a configuration', () => {
    expect(() => mcpAuthFromEnv({ MCP_AUTH_ISSUER: 'https://id.example.com' })).toThrow(/MCP_AUTH_AUDIENCE/);
    expect(() => mcpAuthFromEnv({ MCP_AUTH_AUDIENCE: 'x' })).toThrow(/MCP_AUTH_ISSUER/);
  });
});
