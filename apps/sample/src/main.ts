import 'reflect-metadata';
import { Logger, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';
import { mcpAuthFromEnv } from './auth.config.js';

const port = Number(process.env.PORT ?? 3000);
const auth = mcpAuthFromEnv();
const host = process.env.HOST ?? '127.0.0.1';
// An MCP server without auth must not be reachable from the network: loopback only.
if (!auth && !['127.0.0.1', '::1', 'localhost'].includes(host)) {
  throw new Error(`Refusing to serve an open MCP endpoint on HOST=${host}: set MCP_AUTH_ISSUER and MCP_AUTH_AUDIENCE to require tokens.`);
}

// MCP_ADAPTER=fastify serves the same module on Nest's Fastify adapter (loaded only when asked).
const adapter = process.env.MCP_ADAPTER ?? 'express';
if (adapter !== 'express' && adapter !== 'fastify') throw new Error(`MCP_ADAPTER must be express or fastify, not ${adapter}.`);
const app: INestApplication =
  adapter === 'fastify'
    ? await NestFactory.create(AppModule, new (await import('@nestjs/platform-fastify')).FastifyAdapter())
    : await NestFactory.create(AppModule);
app.enableShutdownHooks();
await app.listen(port, host);
const shownHost = host.includes(':') ? `[${host}]` : host;
const logger = new Logger('Sample');
logger.log(`MCP endpoint ready at http://${shownHost}:${port}/mcp (${process.env.REDIS_URL ? 'Redis' : 'memory'} session host)`);
if (auth) {
  logger.log(
    `OAuth required: tokens from ${auth.issuer} for ${[auth.audience].flat().join(', ')}; metadata at /.well-known/oauth-protected-resource/mcp`,
  );
} else {
  logger.warn('No auth: the endpoint is open to anything on this machine. Set MCP_AUTH_ISSUER and MCP_AUTH_AUDIENCE to require tokens.');
}
