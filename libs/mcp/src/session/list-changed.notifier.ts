import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Subscription } from 'rxjs';
import { McpRegistry, type McpListKind } from '../registry/mcp-registry.service.js';
import { McpSessionEvents } from './mcp-session-events.service.js';

/** Changes closer together than this become one notification per list. */
const COALESCE_MS = 10;

/**
 * Turns run-time registry changes into `notifications/<kind>/list_changed` for every session with a
 * GET stream, one per list however many items changed together.
 */
@Injectable()
export class ListChangedNotifier implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ListChangedNotifier.name);
  private readonly pending = new Set<McpListKind>();
  private timer: NodeJS.Timeout | undefined;
  private subscription?: Subscription;

  constructor(
    private readonly registry: McpRegistry,
    private readonly events: McpSessionEvents,
  ) {}

  // Subscribing after bootstrap leaves out the registrations of discovery itself.
  onApplicationBootstrap(): void {
    this.subscription = this.registry.changes$.subscribe((kind) => {
      this.pending.add(kind);
      this.timer ??= setTimeout(() => this.flush(), COALESCE_MS);
    });
  }

  onApplicationShutdown(): void {
    this.subscription?.unsubscribe();
    clearTimeout(this.timer);
  }

  private flush(): void {
    this.timer = undefined;
    for (const kind of this.pending) {
      this.events
        .notifyAll({ method: `notifications/${kind}/list_changed` })
        .catch((error: unknown) => this.logger.warn(`Announcing a ${kind} change failed: ${String(error)}`));
    }
    this.pending.clear();
  }
}
