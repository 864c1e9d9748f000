import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { MCP_AUTH_PROVIDERS } from './auth/auth.providers.js';
import { Authenticator } from './auth/authenticator.interface.js';
import { OpenEndpointWarning } from './auth/open-endpoint.warning.js';
import { ClientRequests } from './dispatch/client-requests.service.js';
import { CompletionMethods } from './dispatch/completion.methods.js';
import { InFlightRequests } from './dispatch/in-flight-requests.service.js';
import { ItemListing } from './dispatch/item-listing.js';
import { DiscoverMethods } from './dispatch/discover.methods.js';
import { LoggingMethods } from './dispatch/logging.methods.js';
import { McpDispatcher } from './dispatch/mcp-dispatcher.service.js';
import { PromptsMethods } from './dispatch/prompts.methods.js';
import { ResourcesMethods } from './dispatch/resources.methods.js';
import { ServerCapabilitiesService } from './dispatch/server-capabilities.service.js';
import { SubscriptionsMethods } from './dispatch/subscriptions.methods.js';
import { TasksMethods } from './dispatch/tasks.methods.js';
import { TaskRunner } from './tasks/task-runner.service.js';
import { ToolsMethods } from './dispatch/tools.methods.js';
import { MCP_OPTIONS } from './mcp.constants.js';
import { McpConfigurableModule, MCP_MODULE_OPTIONS } from './mcp.module-definition.js';
import { resolveMcpOptions, type McpModuleOptions, type ResolvedMcpOptions } from './mcp.options.js';
import { RequestRunner } from './protocol/request-runner.service.js';
import { SessionProtocol } from './protocol/session.protocol.js';
import { StatelessProtocol } from './protocol/stateless.protocol.js';
import { GracefulShutdown } from './lifecycle/graceful-shutdown.service.js';
import { McpReadiness } from './lifecycle/mcp-readiness.service.js';
import { NodeLease } from './lifecycle/node-lease.service.js';
import { McpExplorer } from './registry/mcp-explorer.service.js';
import { McpRegistry } from './registry/mcp-registry.service.js';
import { ListChangedNotifier } from './session/list-changed.notifier.js';
import { ListenHub } from './session/listen-hub.service.js';
import { LiveStreams } from './session/live-streams.service.js';
import { McpSessionEvents } from './session/mcp-session-events.service.js';
import { McpSessions } from './session/mcp-sessions.service.js';
import { MemorySessionHost } from './session/memory-session-host.js';
import { NodeBus } from './session/node-bus.service.js';
import { SessionHost } from './session/session-host.interface.js';
import { SessionService } from './session/session.service.js';
import { McpTelemetry } from './telemetry/mcp-telemetry.service.js';
import { McpBodyReader } from './transport/mcp-body.reader.js';
import { StdioTransport } from './transport/stdio.transport.js';
import { StreamableHttpTransport } from './transport/streamable-http.transport.js';

/**
 * Serves the Model Context Protocol (Streamable HTTP) from a Nest app: stateless 2026-07-28
 * requests and 2025 sessions on the same endpoint.
 *
 * @example
 * McpModule.forRoot({ name: 'notes', version: '1.0.0' })
 * McpModule.forRootAsync({ path: '/mcp', imports: [ConfigModule], inject: [ConfigService],
 *   useFactory: (config: ConfigService) => ({ name: 'notes', version: config.get('VERSION') }) })
 */
@Module({
  imports: [DiscoveryModule],
  providers: [
    {
      provide: MCP_OPTIONS,
      inject: [MCP_MODULE_OPTIONS],
      useFactory: (options: McpModuleOptions) => resolveMcpOptions(options),
    },
    {
      provide: SessionHost,
      inject: [MCP_OPTIONS],
      useFactory: (options: ResolvedMcpOptions) => options.sessionHost ?? new MemorySessionHost(),
    },
    NodeBus,
    LiveStreams,
    McpSessionEvents,
    McpSessions,
    SessionService,
    McpRegistry,
    McpExplorer,
    ItemListing,
    ToolsMethods,
    ResourcesMethods,
    PromptsMethods,
    CompletionMethods,
    LoggingMethods,
    DiscoverMethods,
    SubscriptionsMethods,
    TasksMethods,
    TaskRunner,
    ServerCapabilitiesService,
    McpDispatcher,
    InFlightRequests,
    ClientRequests,
    ListChangedNotifier,
    ListenHub,
    RequestRunner,
    SessionProtocol,
    StatelessProtocol,
    StreamableHttpTransport,
    StdioTransport,
    NodeLease,
    GracefulShutdown,
    McpReadiness,
    OpenEndpointWarning,
    McpBodyReader,
    McpTelemetry,
    ...MCP_AUTH_PROVIDERS,
  ],
  exports: [McpRegistry, McpSessionEvents, McpSessions, McpReadiness, SessionHost, Authenticator],
})
export class McpModule extends McpConfigurableModule implements OnApplicationShutdown {
  constructor(
    @Inject(SessionHost) private readonly host: SessionHost,
    @Inject(MCP_OPTIONS) private readonly options: ResolvedMcpOptions,
  ) {
    super();
  }

  /** Closes the session host when the module created it; a host passed in belongs to the caller. */
  async onApplicationShutdown(): Promise<void> {
    if (!this.options.sessionHost) await this.host.close?.();
  }
}
