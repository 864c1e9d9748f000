import { Injectable } from '@nestjs/common';
import { McpError } from '../protocol/mcp.error.js';
import type { LoggingLevel } from '../protocol/mcp.types.js';
import { SessionService } from '../session/session.service.js';
import { LOGGING_LEVELS } from './mcp-context.js';
import type { McpMethodGroup, MethodHandler } from './method-handler.js';

/**
 * `logging/setLevel` (MCP 2025-11-25 `server/utilities/logging`): stored with the session, so every
 * node honours it. 2026-07-28 removed it: each request carries its own level in `_meta`.
 */
@Injectable()
export class LoggingMethods implements McpMethodGroup {
  readonly legacyMethods: Record<string, MethodHandler> = {
    'logging/setLevel': async (params, ctx) => {
      const level = params.level as LoggingLevel;
      if (!LOGGING_LEVELS.includes(level)) {
        throw McpError.invalidParams(`Unknown log level ${JSON.stringify(params.level)}; use one of ${LOGGING_LEVELS.join(', ')}.`);
      }
      await this.sessions.mutate(ctx.sessionId!, (session) => ({ ...session, logLevel: level }));
      return {};
    },
  };

  constructor(private readonly sessions: SessionService) {}
}
