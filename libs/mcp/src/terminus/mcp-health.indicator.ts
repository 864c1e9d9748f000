import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { McpReadiness } from '../lifecycle/mcp-readiness.service.js';

/**
 * A `@nestjs/terminus` health indicator: up while this instance serves MCP requests (its session
 * host answers and it is not stopping), down with the reason otherwise. Point a readiness probe at
 * a health check that uses it, so that load balancers send MCP traffic elsewhere meanwhile.
 *
 * @example
 * ＠Get('ready') ＠HealthCheck()
 * ready() { return this.health.check([() => this.mcp.isReady()]); }
 */
@Injectable()
export class McpHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    private readonly readiness: McpReadiness,
  ) {}

  async isReady(key = 'mcp'): Promise<HealthIndicatorResult> {
    const indicator = this.health.check(key);
    const { ready, reason } = await this.readiness.probe();
    return ready ? indicator.up() : indicator.down({ reason });
  }
}
