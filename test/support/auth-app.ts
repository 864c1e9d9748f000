import { Injectable, type INestApplication } from '@nestjs/common';
import { McpModule, McpTool, type McpContext, type McpModuleOptions } from '@nest-mcp/mcp';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { z } from 'zod';
import { startApp, type RunningApp } from './app.js';

/** Audience the auth tests configure and mint tokens for. */
export const AUDIENCE = 'https://mcp.example.test/mcp';

/** Tools of the auth tests: who is calling, and a tool that needs `notes:write`. */
@Injectable()
export class NotesTools {
  /** Subjects whose calls reached a handler. */
  readonly calls: string[] = [];

  @McpTool({ name: 'whoami', description: 'Reports the caller.' })
  whoami(_args: unknown, ctx: McpContext) {
    this.calls.push(ctx.auth.subject);
    const { subject, issuer, scopes, clientId, anonymous } = ctx.auth;
    return {
      content: [
        { type: 'text' as const, text: JSON.stringify({ subject, issuer, scopes, clientId, anonymous, jti: ctx.auth.claims.jti }) },
      ],
    };
  }

  @McpTool({
    name: 'add_note',
    description: 'Adds a note.',
    input: z.object({ text: z.string() }),
    scopes: ['notes:write'],
  })
  addNote({ text }: { text: string }, ctx: McpContext): string {
    this.calls.push(ctx.auth.subject);
    return `${ctx.auth.subject} noted: ${text}`;
  }
}

/** Starts an app with `McpModule.forRoot(options)` and {@link NotesTools}. */
export function startAuthApp(
  options: Partial<McpModuleOptions>,
  configure?: (app: INestApplication) => void,
  extras: { path?: string } = {},
): Promise<RunningApp> {
  return startApp(
    {
      imports: [McpModule.forRoot({ name: 'auth-test', version: '1.0.0', ...options, ...(extras.path && { path: extras.path }) })],
      providers: [NotesTools],
    },
    configure,
  );
}

/** An SDK client connected with a bearer token. */
export async function connectWithToken(url: string, token: string): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
  const client = new Client({ name: 'auth-e2e', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: { headers: { Authorization: `Bearer ${token}` } },
  });
  await client.connect(transport);
  return { client, transport };
}

/** The JSON text of a tool result's first content item. */
export function textOf(result: unknown): string {
  return (result as { content: Array<{ text: string }> }).content[0].text;
}
