// A Nest app on the adapter MCP_ADAPTER names, as the sample's main.ts picks it: Express by
// default, Fastify loaded only when asked.
import { NestFactory } from '@nestjs/core';

export async function createNestApp(module, options = { logger: ['error', 'warn'] }) {
  const name = process.env.MCP_ADAPTER ?? 'express';
  if (name === 'express') return NestFactory.create(module, options);
  if (name !== 'fastify') throw new Error(`MCP_ADAPTER must be express or fastify, not ${name}.`);
  const { FastifyAdapter } = await import('@nestjs/platform-fastify');
  return NestFactory.create(module, new FastifyAdapter(), options);
}
