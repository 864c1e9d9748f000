import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ConformanceModule } from './conformance.module.js';

const port = Number(process.env.PORT ?? 3001);
const app = await NestFactory.create(ConformanceModule, { logger: ['error', 'warn', 'log'] });
app.enableShutdownHooks();
await app.listen(port, '127.0.0.1');
new Logger('Conformance').log(`Conformance fixture at http://localhost:${port}/mcp`);
