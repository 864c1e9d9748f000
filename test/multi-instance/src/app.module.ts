import { Module } from '@nestjs/common';
import { McpModule } from '@nest-mcp/mcp';
import { McpRedisModule, RedisSessionHost } from '@nest-mcp/mcp-redis';
import { InstanceState, InstanceStateController } from './instance-state.js';
import { MultiInstanceTools } from './multi-instance.tools.js';

const numberFromEnv = (option: string, variable: string) =>
  process.env[variable] === undefined ? {} : { [option]: Number(process.env[variable]) };

/** One instance of the app the multi-instance tests run three times against one Redis. */
@Module({
  imports: [
    McpModule.forRootAsync({
      imports: [McpRedisModule.forRoot({ url: process.env.REDIS_URL, keyPrefix: process.env.REDIS_KEY_PREFIX ?? 'mcp:' })],
      inject: [RedisSessionHost],
      useFactory: (sessionHost: RedisSessionHost) => ({
        name: 'multi-instance',
        version: '1.0.0',
        sessionHost,
        sseRetryMs: 100,
        clientRequestTimeoutMs: 15_000,
        // The same on every instance, so a 2026-07-28 retry may land on any of them.
        requestStateSecret: process.env.MCP_REQUEST_STATE_SECRET,
        // Short lease and grace periods make instance death and shutdown quick to test.
        ...numberFromEnv('leaseTtlMs', 'MCP_LEASE_TTL_MS'),
        ...numberFromEnv('orphanSweepIntervalMs', 'MCP_ORPHAN_SWEEP_MS'),
        ...numberFromEnv('shutdownGraceMs', 'MCP_SHUTDOWN_GRACE_MS'),
        failFastOnStartup: process.env.MCP_FAIL_FAST === '1',
        ...(process.env.MCP_SESSIONS_PER_PRINCIPAL && {
          sessionsPerPrincipal: {
            max: Number(process.env.MCP_SESSIONS_PER_PRINCIPAL),
            whenFull: process.env.MCP_WHEN_FULL === 'refuse' ? ('refuse' as const) : ('end-least-active' as const),
          },
        }),
        // The caller a test names in `x-test-user` (anonymous without it): tasks are per principal.
        resolvePrincipal: (request) => {
          const user = request.headers['x-test-user'];
          return typeof user === 'string'
            ? { subject: user, scopes: [], claims: {}, anonymous: false }
            : { subject: 'anonymous', scopes: [], claims: {}, anonymous: true };
        },
        capabilities: { tools: { listChanged: true } },
      }),
    }),
  ],
  controllers: [InstanceStateController],
  providers: [InstanceState, MultiInstanceTools],
})
export class AppModule {}
