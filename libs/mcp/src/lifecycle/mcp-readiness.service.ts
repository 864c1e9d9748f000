import { Injectable } from '@nestjs/common';
import { NodeBus } from '../session/node-bus.service.js';
import { StreamableHttpTransport } from '../transport/streamable-http.transport.js';

/**
 * Whether this instance serves MCP requests now, for a readiness probe (a Kubernetes
 * `readinessProbe`, a load balancer health check): not while its session host has been unreachable
 * since startup, and not once it started to stop.
 *
 * @example
 * ＠Get('ready') ready() { if (!this.readiness.isReady()) throw new ServiceUnavailableException(); }
 */
@Injectable()
export class McpReadiness {
  constructor(
    private readonly bus: NodeBus,
    private readonly transport: StreamableHttpTransport,
  ) {}

  isReady(): boolean {
    return this.bus.ready && !this.transport.stopping;
  }
}
