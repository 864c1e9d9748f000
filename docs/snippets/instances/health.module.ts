import { Controller, Get, Module } from '@nestjs/common';
import { HealthCheck, HealthCheckService, TerminusModule } from '@nestjs/terminus';
import { McpHealthIndicator } from '@nest-mcp/mcp/terminus';

@Controller('health')
class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly mcp: McpHealthIndicator,
  ) {}

  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([() => this.mcp.isReady()]); // 503 while the session host does not answer, or the instance stops
  }
}

@Module({ imports: [TerminusModule], controllers: [HealthController], providers: [McpHealthIndicator] })
export class HealthModule {}
