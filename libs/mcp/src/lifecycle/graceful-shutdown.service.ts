import { Inject, Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { ClientRequests } from '../dispatch/client-requests.service.js';
import { InFlightRequests } from '../dispatch/in-flight-requests.service.js';
import { MCP_OPTIONS } from '../mcp.constants.js';
import type { ResolvedMcpOptions } from '../mcp.options.js';
import { StreamableHttpTransport } from '../transport/streamable-http.transport.js';
import { NodeLease } from './node-lease.service.js';
import { TaskRunner } from '../tasks/task-runner.service.js';

/**
 * Stops an instance without losing a response (`app.close()`, or SIGTERM with
 * `enableShutdownHooks`). When modules are destroyed the transport stops taking requests (503 +
 * `Retry-After`) and ends GET streams with a `retry` hint, listens end with their `complete`
 * result; then, here, running requests get `shutdownGraceMs` to finish (their output stays
 * resumable on any instance), whatever still runs is answered with an error saying the request may
 * be retried, and the lease is given up. The session host closes last.
 */
@Injectable()
export class GracefulShutdown implements BeforeApplicationShutdown {
  private readonly logger = new Logger('McpShutdown');

  constructor(
    @Inject(MCP_OPTIONS) private readonly options: ResolvedMcpOptions,
    private readonly transport: StreamableHttpTransport,
    private readonly inFlight: InFlightRequests,
    private readonly clientRequests: ClientRequests,
    private readonly lease: NodeLease,
    private readonly tasks: TaskRunner,
  ) {}

  async beforeApplicationShutdown(): Promise<void> {
    const [drained, failedTasks] = await Promise.all([
      this.inFlight.drained(this.options.shutdownGraceMs),
      this.tasks.drain(this.options.shutdownGraceMs),
    ]);
    if (failedTasks > 0) {
      this.logger.warn(
        `${failedTasks} task(s) still running after ${this.options.shutdownGraceMs} ms: failed them, saying this instance stopped.`,
      );
    }
    if (!drained) {
      this.logger.warn(
        `${this.inFlight.size} request(s) still running after ${this.options.shutdownGraceMs} ms: answering them with a retryable error.`,
      );
      this.inFlight.stopAll();
      // Their handlers see the abort and their answers are written; give that a moment.
      await this.inFlight.drained(1_000);
    }
    this.clientRequests.stop();
    await this.transport.endStreams();
    await this.lease.release();
  }
}
