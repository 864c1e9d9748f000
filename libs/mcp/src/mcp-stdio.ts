import { ConsoleLogger, type LogLevel, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { userInfo } from 'node:os';
import type { Readable, Writable } from 'node:stream';
import type { McpPrincipal } from './auth/mcp-principal.js';
import { StdioTransport } from './transport/stdio.transport.js';

/** Nest's console logger, every level on stderr: over stdio, stdout carries protocol messages only. */
export class StderrLogger extends ConsoleLogger {
  protected override printMessages(messages: unknown[], context?: string, logLevel?: LogLevel): void {
    super.printMessages(messages, context, logLevel, 'stderr');
  }
}

export interface McpStdioOptions {
  /** Who the client is. Default: the operating system user running the process (issuer `os`). */
  principal?: McpPrincipal;
  /** Where messages are read and written. Default: `process.stdin` and `process.stdout`. */
  input?: Readable;
  output?: Writable;
}

/**
 * Runs an app module as a local MCP server over stdio, for desktop clients and IDEs that start
 * their servers as processes: the same decorated tools, resources and prompts and the same DI as
 * the HTTP endpoint, in a Nest application context without an HTTP server. Nest's logs go to
 * stderr. Resolves once the client closed stdin (or SIGTERM or SIGINT came) and the app was closed.
 *
 * @example
 * // stdio.ts
 * await McpStdio.run(AppModule);
 */
export class McpStdio {
  static async run(module: Type<unknown>, options: McpStdioOptions = {}): Promise<void> {
    const app = await NestFactory.createApplicationContext(module, { logger: new StderrLogger() });
    // A signal ends the input as the client closing it does: running requests get the grace
    // period, then the app closes and the process exits 0.
    const stopping = new AbortController();
    const stop = () => stopping.abort();
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    try {
      await app
        .get(StdioTransport)
        .serve(options.input ?? process.stdin, options.output ?? process.stdout, options.principal ?? osPrincipal(), stopping.signal);
      // Reading stdin keeps the process alive; it is done with.
      if (!options.input) process.stdin.destroy();
    } finally {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      await app.close();
    }
  }
}

function osPrincipal(): McpPrincipal {
  const { username } = userInfo();
  return { subject: username, issuer: 'os', scopes: [], claims: { username }, anonymous: false };
}
