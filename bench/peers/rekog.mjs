// Peer: @rekog/mcp-nest 2.x, the other NestJS MCP library, on Nest's Fastify adapter as its
// README sets it up (McpStrategy as a microservice transport, an @McpController with the sample's
// `echo` tool). Stateful mode, so that 2025 clients get sessions like ours; 2026-07-28 requests are
// served statelessly by the SDK v2 handler it wraps. JSON answers, like ours for this tool.
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { McpController, McpStrategy, StreamableHttpTransport, Tool } from '@rekog/mcp-nest';
import { z } from 'zod';
import { createNestApp } from './nest-adapter.mjs';

class EchoController {
  echo({ text }) {
    return { content: [{ type: 'text', text }] };
  }
}
const echo = Object.getOwnPropertyDescriptor(EchoController.prototype, 'echo');
Reflect.decorate(
  [Tool({ name: 'echo', description: 'Returns the text it is given.', parameters: z.object({ text: z.string().min(1) }) })],
  EchoController.prototype,
  'echo',
  echo,
);
McpController()(EchoController);

class RekogModule {}
Module({ controllers: [EchoController] })(RekogModule);

const mcp = new McpStrategy({
  name: 'rekog-peer',
  version: '1.0.0',
  transports: [new StreamableHttpTransport({ statefulMode: true, enableJsonResponse: true })],
});
const app = await createNestApp(RekogModule);
mcp.setHttpAdapter(app.getHttpAdapter());
app.connectMicroservice({ strategy: mcp });
await app.startAllMicroservices();
await app.listen(Number(process.env.PORT), '127.0.0.1');
