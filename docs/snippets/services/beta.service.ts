import { Injectable } from '@nestjs/common';
import { McpRegistry, McpSessionEvents } from '@nest-mcp/mcp';
import { filter } from 'rxjs';

@Injectable()
export class BetaFeatures {
  private readonly drafts = new Map<string, string[]>();

  // #region registry
  constructor(
    private readonly registry: McpRegistry,
    private readonly sessionEvents: McpSessionEvents,
  ) {}

  enableBeta() {
    this.registry.addTool({
      name: 'beta_search',
      description: 'Search (beta)',
      handler: async (args) => `Searched for ${JSON.stringify(args)}`,
    });
  }
  // #endregion

  watchSessions() {
    // #region session-events
    this.sessionEvents.events$.pipe(filter((event) => event.type === 'closed')).subscribe(({ sessionId }) => this.drafts.delete(sessionId));
    // #endregion
  }
}
