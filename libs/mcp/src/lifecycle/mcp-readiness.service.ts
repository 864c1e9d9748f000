import { Inject, Injectable } from '@nestjs/common';
import { NodeBus } from '../session/node-bus.service.js';
import { SessionHost } from '../session/session-host.interface.js';
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
    @Inject(SessionHost) private readonly host: SessionHost,
  ) {}

  /** Without asking the session host: subscribed since startup, and not stopping. */
  isReady(): boolean {
    return this.bus.ready && !this.transport.stopping;
  }

  /** Like {@link isReady}, and the session host answers now (one cheap call), with the reason when not. */
  async probe(): Promise<{ ready: boolean; reason?: string }> {
    if (this.transport.stopping) return { ready: false, reason: 'this instance is stopping' };
    if (!this.bus.ready) return { ready: false, reason: 'the session host has been unreachable since startup' };
    try {
      await this.host.hasLease(this.bus.nodeId);
      return { ready: true };
    } catch (error) {
      return { ready: false, reason: `the session host is unreachable: ${error instanceof Error ? error.message : String(error)}` };
    }
  }
}
