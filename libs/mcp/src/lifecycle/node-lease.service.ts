import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { MCP_OPTIONS } from '../mcp.constants.js';
import type { ResolvedMcpOptions } from '../mcp.options.js';
import { errorResponse, type JsonRpcId } from '../protocol/json-rpc.js';
import { instanceStoppedError } from '../protocol/request-runner.service.js';
import { NodeBus } from '../session/node-bus.service.js';
import { SessionHost, type StreamOwner } from '../session/session-host.interface.js';

/**
 * This instance's lease in the session host, and the sweep that ends the streams of instances
 * whose lease lapsed (docs/architecture.md, "Instance death and shutdown"). The lease is renewed
 * five times per `leaseTtlMs`; every instance sweeps every `orphanSweepIntervalMs`, so a client
 * learns the fate of a request within `leaseTtlMs + orphanSweepIntervalMs` of its instance's death.
 */
@Injectable()
export class NodeLease implements OnModuleInit {
  private readonly logger = new Logger('McpNodeLease');
  private renewTimer: NodeJS.Timeout | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private failing = false;

  constructor(
    @Inject(SessionHost) private readonly host: SessionHost,
    private readonly bus: NodeBus,
    @Inject(MCP_OPTIONS) private readonly options: ResolvedMcpOptions,
  ) {}

  onModuleInit(): void {
    void this.renew();
    this.renewTimer = setInterval(() => void this.renew(), Math.max(1, Math.floor(this.options.leaseTtlMs / 5)));
    this.sweepTimer = setInterval(() => void this.sweep(), this.options.orphanSweepIntervalMs);
    this.renewTimer.unref();
    this.sweepTimer.unref();
  }

  /** Who writes a stream of `requestId` here, and what any instance writes in its place if this one dies. */
  ownerFor(requestId: JsonRpcId): StreamOwner {
    return { nodeId: this.bus.nodeId, orphanPayload: JSON.stringify(errorResponse(requestId, instanceStoppedError())) };
  }

  /** Ends the streams of instances whose lease lapsed, now (a resuming client is waiting for one). */
  sweep(): Promise<number> {
    return this.host.finishOrphanedStreams().then(
      (ended) => {
        if (ended > 0) this.logger.log(`Ended ${ended} stream(s) of stopped instances with an error the client may retry on.`);
        return ended;
      },
      (error: unknown) => {
        this.logger.debug(`Sweeping orphaned streams failed: ${String(error)}`);
        return 0;
      },
    );
  }

  /** Stops renewing and sweeping, and gives the lease up: this instance stops. */
  async release(): Promise<void> {
    clearInterval(this.renewTimer);
    clearInterval(this.sweepTimer);
    await this.host.dropLease(this.bus.nodeId).catch(() => undefined);
  }

  private async renew(): Promise<void> {
    try {
      await this.host.renewLease(this.bus.nodeId, this.options.leaseTtlMs);
      if (this.failing) this.logger.log('Lease renewed again.');
      this.failing = false;
    } catch (error) {
      if (!this.failing) this.logger.warn(`Cannot renew this instance's lease: ${String(error)}; retrying.`);
      this.failing = true;
    }
  }
}
