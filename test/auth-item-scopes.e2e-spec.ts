import { Injectable } from '@nestjs/common';
import { DevTokenAuthenticator, McpModule, McpPrompt, McpResource, McpResourceTemplate, type McpResourceRequest } from '@nest-mcp/mcp';
import { startApp, type RunningApp } from './support/app.js';
import { openSession, postMcp } from './support/http.js';
import { parseWwwAuthenticate } from './support/www-authenticate.js';

/** Resources and prompts that need the `notes:read` scope. */
@Injectable()
class ScopedContent {
  @McpResource({ uri: 'notes://private', name: 'private notes', scopes: ['notes:read'] })
  privateNotes(): string {
    return 'the secret plans';
  }

  @McpResource({ uri: 'notes://public', name: 'public notes' })
  publicNotes(): string {
    return 'the menu';
  }

  @McpResourceTemplate({ uriTemplate: 'notes://private/{id}', name: 'private note', scopes: ['notes:read'] })
  privateNote({ variables }: McpResourceRequest): string {
    return `secret ${variables.id}`;
  }

  @McpPrompt({ name: 'summarize_private', description: 'Summarizes private notes', scopes: ['notes:read'] })
  summarize(): string {
    return 'Summarize the secret plans.';
  }
}

describe('per-resource and per-prompt scopes', () => {
  let running: RunningApp;
  let url: string;
  const reader = { authorization: 'Bearer dev-reader' };
  const stranger = { authorization: 'Bearer dev-stranger' };

  beforeAll(async () => {
    running = await startApp({
      imports: [
        McpModule.forRoot({
          name: 'scoped-content',
          version: '1.0.0',
          auth: {
            authenticator: new DevTokenAuthenticator({
              tokens: { 'dev-reader': { subject: 'reader', scopes: ['notes:read'] }, 'dev-stranger': { subject: 'stranger' } },
            }),
          },
        }),
      ],
      providers: [ScopedContent],
    });
    url = `${running.baseUrl}/mcp`;
  });

  afterAll(() => running.close());

  const rpc = async (headers: Record<string, string>, method: string, params: Record<string, unknown> = {}) => {
    const sessionId = await openSession(url, { headers });
    return postMcp(url, { jsonrpc: '2.0', id: 1, method, params }, { sessionId, headers });
  };

  it('hides scoped resources, templates and prompts from callers without the scope', async () => {
    const resources = (await (await rpc(stranger, 'resources/list')).json()) as { result: { resources: Array<{ uri: string }> } };
    expect(resources.result.resources.map((resource) => resource.uri)).toEqual(['notes://public']);
    const templates = (await (await rpc(stranger, 'resources/templates/list')).json()) as { result: { resourceTemplates: unknown[] } };
    expect(templates.result.resourceTemplates).toEqual([]);
    const prompts = (await (await rpc(stranger, 'prompts/list')).json()) as { result: { prompts: unknown[] } };
    expect(prompts.result.prompts).toEqual([]);
  });

  it('answers reading a scoped resource or template without the scope with HTTP 403 insufficient_scope', async () => {
    for (const uri of ['notes://private', 'notes://private/7']) {
      const response = await rpc(stranger, 'resources/read', { uri });
      expect(response.status).toBe(403);
      expect(parseWwwAuthenticate(response.headers.get('www-authenticate')).params).toMatchObject({
        error: 'insufficient_scope',
        scope: 'notes:read',
      });
      expect(await response.text()).not.toContain('secret');
    }
  });

  it('answers getting a scoped prompt without the scope with HTTP 403 insufficient_scope', async () => {
    const response = await rpc(stranger, 'prompts/get', { name: 'summarize_private' });
    expect(response.status).toBe(403);
    expect(parseWwwAuthenticate(response.headers.get('www-authenticate')).params).toMatchObject({ scope: 'notes:read' });
  });

  it('serves them to callers holding the scope', async () => {
    expect(await (await rpc(reader, 'resources/read', { uri: 'notes://private/7' })).json()).toMatchObject({
      result: { contents: [{ uri: 'notes://private/7', text: 'secret 7' }] },
    });
    expect(await (await rpc(reader, 'prompts/get', { name: 'summarize_private' })).json()).toMatchObject({
      result: { messages: [{ role: 'user', content: { type: 'text', text: 'Summarize the secret plans.' } }] },
    });
    const resources = (await (await rpc(reader, 'resources/list')).json()) as { result: { resources: Array<{ uri: string }> } };
    expect(resources.result.resources.map((resource) => resource.uri).sort()).toEqual(['notes://private', 'notes://public']);
  });
});
