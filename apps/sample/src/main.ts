import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';

const port = Number(process.env.PORT ?? 3000);
// Loopback unless told otherwise: an MCP server without auth must not be reachable from the network.
const host = process.env.HOST ?? '127.0.0.1';

const app = await NestFactory.create(AppModule);
app.enableShutdownHooks();
await app.listen(port, host);
const shownHost = host.includes(':') ? `[${host}]` : host;
new Logger('Sample').log(`MCP endpoint ready at http://${shownHost}:${port}/mcp (memory session host, no auth)`);
