import { discoveryUrls } from './auth-server.metadata.js';

describe('discoveryUrls', () => {
  it('appends the OpenID configuration and inserts the RFC 8414 suffix', () => {
    expect(discoveryUrls('https://id.example.com', 'oidc')).toEqual([
      'https://id.example.com/.well-known/openid-configuration',
      'https://id.example.com/.well-known/oauth-authorization-server',
    ]);
    expect(discoveryUrls('https://id.example.com/realms/mcp/', 'oauth')).toEqual([
      'https://id.example.com/.well-known/oauth-authorization-server/realms/mcp',
      'https://id.example.com/realms/mcp/.well-known/openid-configuration',
    ]);
  });
});
