// Peer: the official TypeScript SDK v2's stateless entry point, `createMcpHandler` from
// @modelcontextprotocol/server, serving 2026-07-28 requests (and 2025 ones statelessly) with a
// fresh McpServer per request from one factory, on Fastify as its documentation mounts it
// (`createMcpFastifyApp` + `toNodeHandler`), with the sample's `echo` tool.
import { createMcpFastifyApp } from '@modelcontextprotocol/fastify';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { createMcpHandler, McpServer } from '@modelcontextprotocol/server';
import { z } from 'zod';

const handler = createMcpHandler(() => {
  const server = new McpServer({ name: 'sdk-v2-peer', version: '1.0.0' });
  server.registerTool(
    'echo',
    { description: 'Returns the text it is given.', inputSchema: z.object({ text: z.string().min(1) }) },
    async ({ text }) => ({ content: [{ type: 'text', text }] }),
  );
  return server;
});
const serve = toNodeHandler(handler);

const app = createMcpFastifyApp();
app.post('/mcp', async (request, reply) => {
  reply.hijack();
  await serve(request.raw, reply.raw, request.body);
});
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
