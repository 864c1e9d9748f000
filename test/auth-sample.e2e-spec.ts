import type { RunningApp } from './support/app.js';
import { startApp } from './support/app.js';
import { TestAuthorizationServer } from './support/authorization-server.js';
import { connectWithToken, textOf } from './support/auth-app.js';
import { initializeRequest, postMcp } from './support/http.js';
import { parseWwwAuthenticate } from './support/www-authenticate.js';

/** The sample app with MCP_AUTH_* set: the setup of docs/auth.md. */
describe('sample app with OAuth from the environment', () => {
  const AUDIENCE = 'https://sample.example.test/mcp';
  let as: TestAuthorizationServer;
  let running: RunningApp;
  const saved = { ...process.env };

  beforeAll(async () => {
    as = await TestAuthorizationServer.start({ audience: AUDIENCE });
    Object.assign(process.env, { MCP_AUTH_ISSUER: as.issuer, MCP_AUTH_AUDIENCE: AUDIENCE, MCP_AUTH_SCOPES: 'mcp:tools' });
    // The module reads the environment when it is loaded.
    const { AppModule } = await import('../apps/sample/src/app.module.js');
    running = await startApp({ imports: [AppModule] });
  });

  afterAll(async () => {
    process.env = saved;
    await running?.close();
    await as?.close();
  });

  it('asks for a token, naming the metadata and the required scope', async () => {
    const response = await postMcp(`${running.baseUrl}/mcp`, initializeRequest());
    expect(response.status).toBe(401);
    expect(parseWwwAuthenticate(response.headers.get('www-authenticate')).params).toEqual({
      scope: 'mcp:tools',
      resource_metadata: `${running.baseUrl}/.well-known/oauth-protected-resource/mcp`,
    });
    const metadata = await (await fetch(`${running.baseUrl}/.well-known/oauth-protected-resource/mcp`)).json();
    expect(metadata).toMatchObject({
      authorization_servers: [as.issuer],
      scopes_supported: ['mcp:tools'],
      resource_name: 'nest-mcp sample',
    });
  });

  it('serves the SDK client with a valid token', async () => {
    const { client } = await connectWithToken(`${running.baseUrl}/mcp`, await as.mint({ scope: 'mcp:tools' }));
    try {
      expect(textOf(await client.callTool({ name: 'echo', arguments: { text: 'secured' } }))).toBe('secured');
    } finally {
      await client.close();
    }
  });

  it('refuses a token without the required scope', async () => {
    const response = await postMcp(`${running.baseUrl}/mcp`, initializeRequest(), {
      headers: { authorization: `Bearer ${await as.mint({ scope: 'other' })}` },
    });
    expect(response.status).toBe(403);
    await response.text();
  });
});
