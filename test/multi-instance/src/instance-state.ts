import { Controller, Get, Inject, Injectable, ServiceUnavailableException } from '@nestjs/common';
import { McpReadiness, SessionHost } from '@nest-mcp/mcp';

/** What the tools of this instance did, for the multi-instance tests to check per process. */
@Injectable()
export class InstanceState {
  readonly port = Number(process.env.PORT);
  /** Markers of `block` calls that started here. */
  readonly started: string[] = [];
  /** Markers of `block` calls whose signal was aborted here. */
  readonly aborted: string[] = [];
}

@Controller('instance')
export class InstanceStateController {
  constructor(
    private readonly state: InstanceState,
    private readonly readiness: McpReadiness,
    @Inject(SessionHost) private readonly host: SessionHost,
  ) {}

  /** A readiness probe: 503 while the instance cannot serve MCP requests. */
  @Get('ready')
  ready(): { ready: true } {
    if (!this.readiness.isReady()) throw new ServiceUnavailableException('not ready');
    return { ready: true };
  }

  /** Whether the session host's connection is up, as the instance sees it now. */
  @Get('host')
  hostConnection(): { connected: boolean } {
    return { connected: this.host.connection?.connected ?? true };
  }

  @Get()
  get(): { port: number; pid: number; started: string[]; aborted: string[] } {
    return { port: this.state.port, pid: process.pid, started: this.state.started, aborted: this.state.aborted };
  }
}
