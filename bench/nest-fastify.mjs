// The sample's AppModule on Nest's Fastify adapter, for the benchmark (same module, same tools).
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { AppModule } from '../apps/sample/dist/app.module.js';

const app = await NestFactory.create(AppModule, new FastifyAdapter(), { logger: ['error', 'warn'] });
app.enableShutdownHooks();
await app.listen(Number(process.env.PORT ?? 3003), '127.0.0.1');
