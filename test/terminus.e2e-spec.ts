import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService, TerminusModule } from '@nestjs/terminus';
import { McpModule } from '@nest-mcp/mcp';
import { McpHealthIndicator } from '@nest-mcp/mcp/terminus';
import { startApp, type RunningApp } from './support/app.js';
import { RecordingLogger } from './support/recording-logger.js';
import { SwitchableSessionHost } from './support/switchable-host.js';

@Controller('health')
class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly mcp: McpHealthIndicator,
  ) {}

  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([() => this.mcp.isReady()]);
  }
}

/** A readiness probe with @nestjs/terminus follows whether the session host answers. */
describe('McpHealthIndicator (@nestjs/terminus)', () => {
  const sessionHost = new SwitchableSessionHost();
  let running: RunningApp;
  const logger = new RecordingLogger();

  beforeAll(async () => {
    running = await startApp(
      {
        imports: [TerminusModule, McpModule.forRoot({ name: 'health', version: '1.0.0', sessionHost })],
        controllers: [HealthController],
        providers: [McpHealthIndicator],
      },
      undefined,
      logger,
    );
  });

  afterAll(async () => {
    sessionHost.available = true;
    await running.close();
    await sessionHost.close();
  });

  const ready = async () => {
    const response = await fetch(`${running.baseUrl}/health/ready`);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it('is up while the session host answers, down with the reason while it does not', async () => {
    expect(await ready()).toMatchObject({ status: 200, body: { status: 'ok', info: { mcp: { status: 'up' } } } });
    sessionHost.available = false;
    expect(await ready()).toMatchObject({
      status: 503,
      body: { status: 'error', error: { mcp: { status: 'down', reason: expect.stringContaining('session host is unreachable') } } },
    });
    expect(logger.errors).toContainEqual(expect.stringContaining('Health Check has failed!'));
    sessionHost.available = true;
    expect((await ready()).status).toBe(200);
  });
});
